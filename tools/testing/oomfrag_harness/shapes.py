# SPDX-License-Identifier: GPL-2.0
"""The guests ``make check`` boots: their shape, what they run, what each
OOM they provoke must be judged.

A :class:`Shape` is one QEMU boot (memory, CPUs, command line) running one
guest script of ``tools/testing/guest/``; ``scenarios.sh`` guests provoke
real OOMs with the stress sample (``samples/stress.rs``), each with the
verdict (and constraint) oomfrag must give, which ``oom-crosscheck`` then
holds against the kernel's own report.  Shapes are per architecture: the
zone layout differs (x86_64: DMA, DMA32, Normal; arm64 ``virt``: all of the
first 3 GB is DMA), and with it what a sysctl must say.
"""

from dataclasses import dataclass
from typing import Dict, List, Tuple

SCRIPTS = ("check.sh", "probe.sh", "scenarios.sh")


@dataclass(frozen=True)
class Scenario:
    """One OOM provoked by ``scenarios.sh`` and the verdict it must get.

    ``name`` is what the stress sample's ``run`` file takes (with
    ``fragmentation_order=N`` for ``fragmentation order=N``), or one of the
    guest's own (``sysrq``, ``memcg``, ``cpuset``, ``mempolicy``, ``nofs``).
    """

    name: str
    verdict: str
    #: The OOM constraint oomfrag must name, where the scenario sets one.
    constraint: str = ""

    def guest_word(self) -> str:
        """The scenario as ``scenarios.sh`` reads it: NAME:VERDICT[:CONSTRAINT]."""
        word = f"{self.name}:{self.verdict}"
        return f"{word}:{self.constraint}" if self.constraint else word


@dataclass(frozen=True)
class Shape:
    """One guest boot of ``make check``."""

    name: str
    script: str
    mem: str
    append: Tuple[str, ...] = ()
    smp: int = 2
    scenarios: Tuple[Scenario, ...] = ()
    #: ``/proc/sys`` writes before the scenarios: (path under /proc/sys, value).
    sysctls: Tuple[Tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.script not in SCRIPTS:
            raise ValueError(f"shape {self.name}: unknown script {self.script}")
        if self.scenarios and self.script != "scenarios.sh":
            raise ValueError(f"shape {self.name}: scenarios need scenarios.sh")
        for path, _ in self.sysctls:
            if not path or path.startswith("/") or ".." in path.split("/"):
                raise ValueError(f"shape {self.name}: bad sysctl path {path!r}")

    def run_vm_args(self) -> List[str]:
        args = ["--mem", self.mem, "--smp", str(self.smp)]
        for a in self.append:
            args += ["--append", a]
        return args

    def guest_variables(self) -> Dict[str, str]:
        """What the guest script reads: SCENARIOS (words) and SYSCTLS
        (one "PATH VALUE" record a line)."""
        return {
            "SCENARIOS": " ".join(s.guest_word() for s in self.scenarios),
            "SYSCTLS": "\n".join(f"{p} {v}" for p, v in self.sysctls),
        }


def _oom(*pairs: str) -> Tuple[Scenario, ...]:
    """Scenarios from "name:verdict[:constraint]" words (a table's shorthand)."""
    out = []
    for p in pairs:
        parts = p.split(":")
        if len(parts) not in (2, 3):
            raise ValueError(f"scenario {p!r}: want name:verdict[:constraint]")
        out.append(Scenario(*parts))
    return tuple(out)


# ZONE_MOVABLE (movablecore=) takes 256 MB of the top; with the lower
# zones' lowmem_reserve_ratio at 1, all of it is held back from a movable
# request that falls back to them, so an exhaustion leaves their free
# memory behind lowmem_reserve[].  The entries follow the zones the kernel
# has (MAX_NR_ZONES, one value each): x86_64 DMA, DMA32, Normal, Movable;
# arm64 the same four, DMA holding the memory.
_LOWMEM_X86 = (("vm/lowmem_reserve_ratio", "256 1 32 1"),)
_LOWMEM_ARM64 = (("vm/lowmem_reserve_ratio", "1 1 32 1"),)

X86_64: Tuple[Shape, ...] = (
    Shape("default", "check.sh", "512M"),
    Shape("numa-movable", "check.sh", "1G", ("numa=fake=2", "movablecore=128M")),
    Shape("probe-512M", "probe.sh", "512M"),
    Shape("probe-2G", "probe.sh", "2G"),
    Shape("oom-512M", "scenarios.sh", "512M", scenarios=_oom(
        "exhaustion:exhaustion", "fragmentation_order=3:fragmentation",
        "fragmentation_order=1:fragmentation", "memcg:memcg", "sysrq:none")),
    Shape("oom-cma", "scenarios.sh", "768M", ("cma=256M",),
          scenarios=_oom("cma:cma", "exhaustion:exhaustion")),
    Shape("oom-numa", "scenarios.sh", "1G", ("numa=fake=2",), scenarios=_oom(
        "fragmentation_order=2:fragmentation", "exhaustion:exhaustion")),
    Shape("oom-movable", "scenarios.sh", "768M", ("movablecore=256M",),
          scenarios=_oom("lowmem_reserve:lowmem_reserve"), sysctls=_LOWMEM_X86),
    Shape("oom-256M", "scenarios.sh", "256M", scenarios=_oom(
        "exhaustion:exhaustion", "fragmentation_order=3:fragmentation")),
    Shape("oom-cma-1G", "scenarios.sh", "1G", ("cma=256M",),
          scenarios=_oom("cma:cma", "fragmentation_order=3:cma")),
    Shape("oom-2G", "scenarios.sh", "2G", scenarios=_oom(
        "fragmentation_order=3:fragmentation", "exhaustion:exhaustion")),
    Shape("oom-constrained", "scenarios.sh", "1G", ("numa=fake=2",), scenarios=_oom(
        "cpuset:exhaustion:cpuset", "mempolicy:exhaustion:memory_policy",
        "nofs:exhaustion:none", "sysrq:none:none")),
    Shape("oom-numa64", "scenarios.sh", "3G", ("numa=fake=64",),
          scenarios=_oom("sysrq:none:none", "exhaustion:exhaustion:none")),
)

# arm64 `virt`: one zone (DMA) up to 3 GB; a 4 GB guest has DMA and Normal.
# Without cma=, arm64 reserves a default CMA area (CONFIG_CMA_SIZE_MBYTES,
# 16 MB), as boards do: once the stress sample has split every other free
# block, the only blocks of order 1 and above are that area's, which a
# GFP_KERNEL request may not use, so its "fragmentation" OOM is a cma one
# (the kernel's report shows them: "1*128kB (C) ... 3*4096kB (C)").
# cma=0 leaves no area: plain fragmentation.
ARM64: Tuple[Shape, ...] = (
    Shape("arm64-default", "check.sh", "512M"),
    Shape("arm64-numa-movable", "check.sh", "1G", ("numa=fake=2", "movablecore=128M")),
    Shape("arm64-probe-1G", "probe.sh", "1G"),
    Shape("arm64-oom-512M", "scenarios.sh", "512M", ("cma=0",), scenarios=_oom(
        "exhaustion:exhaustion", "fragmentation_order=1:fragmentation",
        "fragmentation_order=2:fragmentation", "fragmentation_order=3:fragmentation",
        "memcg:memcg", "sysrq:none")),
    Shape("arm64-oom-default-cma", "scenarios.sh", "512M", scenarios=_oom(
        "fragmentation_order=2:cma")),
    # Seed 002's shape: a 1 GB board with a 256 MB CMA area.
    Shape("arm64-oom-cma", "scenarios.sh", "1G", ("cma=256M",),
          scenarios=_oom("cma:cma", "exhaustion:exhaustion")),
    Shape("arm64-oom-movable", "scenarios.sh", "1G", ("movablecore=256M",),
          scenarios=_oom("lowmem_reserve:lowmem_reserve"), sysctls=_LOWMEM_ARM64),
    Shape("arm64-oom-4G", "scenarios.sh", "4G", scenarios=_oom(
        "exhaustion:exhaustion", "fragmentation_order=3:fragmentation")),
    Shape("arm64-oom-constrained", "scenarios.sh", "1G", ("numa=fake=2",), scenarios=_oom(
        "cpuset:exhaustion:cpuset", "mempolicy:exhaustion:memory_policy",
        "nofs:exhaustion:none", "sysrq:none:none")),
)

# arm64 with 16 KB pages, no NUMA: the page-size paths (orders, kB,
# pageblocks) against the kernel's own report; 160 MB is below the
# 192 MB (2048-page pageblocks times 6 migrate types) under which the
# kernel turns grouping by mobility off, which check.sh holds against its
# boot line.  Without cma=, the 16 MB default CMA area would hold the only
# high-order blocks (see ARM64): cma=0 for plain fragmentation.
ARM64_16K: Tuple[Shape, ...] = (
    Shape("arm64-16k-default", "check.sh", "512M"),
    Shape("arm64-16k-small", "check.sh", "160M"),
    Shape("arm64-16k-oom", "scenarios.sh", "512M", ("cma=0",), scenarios=_oom(
        "exhaustion:exhaustion", "fragmentation_order=1:fragmentation",
        "fragmentation_order=3:fragmentation", "memcg:memcg", "sysrq:none")),
    Shape("arm64-16k-oom-cma", "scenarios.sh", "1G", ("cma=256M",),
          scenarios=_oom("cma:cma")),
)

# The debug kernel (x86_64): more memory (KASAN's shadow takes 1/8).
X86_64_DEBUG: Tuple[Shape, ...] = (
    Shape("debug-check", "check.sh", "768M"),
    Shape("debug-oom", "scenarios.sh", "768M", scenarios=_oom(
        "exhaustion:exhaustion", "fragmentation_order=3:fragmentation",
        "memcg:memcg", "sysrq:none")),
    Shape("debug-oom-cma", "scenarios.sh", "1G", ("cma=256M",), scenarios=_oom("cma:cma")),
    Shape("debug-oom-movable", "scenarios.sh", "768M", ("movablecore=256M",),
          scenarios=_oom("lowmem_reserve:lowmem_reserve"), sysctls=_LOWMEM_X86),
    Shape("debug-oom-numa", "scenarios.sh", "1G", ("numa=fake=2",), scenarios=_oom(
        "fragmentation_order=2:fragmentation", "exhaustion:exhaustion")),
)

SHAPES: Dict[str, Tuple[Shape, ...]] = {"x86_64": X86_64, "arm64": ARM64,
                                        "arm64-16k": ARM64_16K}
DEBUG_SHAPES: Dict[str, Tuple[Shape, ...]] = {"x86_64": X86_64_DEBUG}
