# SPDX-License-Identifier: GPL-2.0
"""The one guest loop: boot a shape, judge its console, cross-check its OOMs.

Every guest of ``make check`` (each architecture, the debug kernel) goes
through :func:`run_shape`: the guest script is ``guest/lib.sh``, the
shape's variables and its script; ``run-vm`` boots it; ``check-console``
judges the console (KUnit through the kernel's kunit.py, splats, the guest's
own tests); ``scenarios.sh`` guests are then held against the kernel's
report by ``oom-crosscheck`` and their metrics by ``metrics-check``.
"""

import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from .shapes import Shape
from .tally import Tally

#: The KUnit suites oomfrag_kunit.ko runs at load.
MODULE_SUITES = ("oomfrag_engine", "oomfrag_live", "oomfrag_vectors")


@dataclass(frozen=True)
class Target:
    """What a guest boots: a kernel tree of one architecture, and the
    modules built against it."""

    arch: str
    kdir: Path
    #: Where oomfrag.ko and the test modules are (None: the work tree).
    modules: Optional[Path]
    debug: bool = False
    #: Static helper programs for this architecture (``hog``).
    helpers: Tuple[Path, ...] = ()
    timeout: int = 900
    #: Put before each shape's name (logs, counts) when the kernel is not
    #: the default one: "7.2" makes "7.2-oom-cma".
    label: str = ""


def guest_script(testing: Path, shape: Shape) -> str:
    """The script the guest runs: lib.sh, the shape's variables, its script."""
    variables = "".join(
        f"{k}={shlex.quote(v)}\n" for k, v in shape.guest_variables().items()
    )
    return (
        (testing / "guest" / "lib.sh").read_text()
        + variables
        + (testing / "guest" / shape.script).read_text()
    )


RESULT_LINE = re.compile(r"^(\d+) passed, (\d+) failed$")


def read_counts(text: str) -> Optional[Tuple[int, int]]:
    """The "N passed, N failed" last line of a checker's output."""
    lines = text.rstrip("\n").split("\n")
    m = RESULT_LINE.match(lines[-1].strip()) if lines else None
    return (int(m.group(1)), int(m.group(2))) if m else None


def count(tally: Tally, name: str, text: str) -> None:
    """Add a checker's "N passed, N failed" to the tally under ``name``."""
    counts = read_counts(text)
    if counts is None:
        tally.fail(name, 1, "no result line")
        return
    passed, failed = counts
    if passed:
        tally.ok(name, passed)
    if failed:
        tally.fail(name, failed)


def _indent(text: str, drop: Sequence[str] = ()) -> str:
    keep = [
        line for line in text.splitlines()
        if not any(re.match(d, line) for d in drop)
    ]
    return "".join(f"    {line}\n" for line in keep)


def run_shape(testing: Path, work: Path, target: Target, shape: Shape,
              tally: Tally) -> None:
    """Boot one shape on one target and add what it proves to the tally."""
    name = f"{target.label}-{shape.name}" if target.label else shape.name
    script = work / f"{name}.sh"
    script.write_text(guest_script(testing, shape))
    log = work / f"{name}.log"
    args: List[str] = [str(testing / "run-vm"), "--arch", target.arch]
    if target.debug:
        args.append("--debug-kernel")
    else:
        args += ["--kernel", str(target.kdir / _kernel_path(target.arch))]
    if target.modules is not None:
        args += ["--modules", str(target.modules)]
    args += shape.run_vm_args()
    for h in target.helpers:
        args += ["--add", str(h)]
    args += ["--script", str(script), "--timeout", str(target.timeout),
             "--log", str(log)]
    what = f"{shape.script}: {shape.guest_variables()['SCENARIOS']}" \
        if shape.scenarios else shape.script
    shown = ["--arch", target.arch, *(["--debug-kernel"] if target.debug else []),
             *shape.run_vm_args()]
    print(f"check: guest {name}: run-vm {' '.join(shown)} ({what})", flush=True)
    rc = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode

    console = [str(testing / "check-console"), str(log), "--kunit-py", str(target.kdir)]
    if target.debug:
        console.append("--debug-kernel")
    for s in MODULE_SUITES:
        console += ["--module-suite", s]
    judged = subprocess.run(console, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    (work / f"{name}.verdict").write_text(judged.stdout)
    print(_indent(judged.stdout, (r"^\d+ passed, \d+ failed$", r"^  module ")), end="")
    if target.debug:
        m = re.findall(r"exited with status \d+ after ([0-9.]+) s$",
                       log.read_text(errors="replace"), re.M)
        print(f"    guest time: {m[-1] if m else '?'} s")
    count(tally, f"guest-{name}", judged.stdout)
    if rc != 0 or judged.returncode != 0:
        if "FAIL" not in judged.stdout:
            print(_indent("\n".join(log.read_text(errors="replace").splitlines()[-20:])), end="")
        tally.fail(f"guest-{name}-run", 1,
                   f"run-vm exit {rc}, check-console exit {judged.returncode}")
    text = log.read_text(errors="replace")
    if shape.script == "probe.sh":
        _probe_summary(text)
    if shape.script == "scenarios.sh":
        for checker, prefix, tag in (("oom-crosscheck", "OOM-CHECK ok", "oom-crosscheck"),
                                     ("metrics-check", "METRICS-CHECK ok", "metrics")):
            if target.debug and checker == "metrics-check":
                continue
            out = subprocess.run([str(testing / checker), str(log)], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True).stdout
            (work / f"{name}.{tag}").write_text(out)
            print(_indent(out, (re.escape(prefix),)), end="")
            count(tally, f"{tag}-{name}", out)


def _kernel_path(arch: str) -> str:
    from .arches import arch as get_arch
    return get_arch(arch).kernel_path


def _probe_summary(log: str) -> None:
    """The agreement rate of the watermarks file's predictions with real
    allocations (probe.sh), printed, not judged."""
    agree = total = 0
    for line in log.splitlines():
        if "WATERMARKS-AGREEMENT" in line or "disagree " in line or "inconsistent state" in line:
            print(f"    {line}")
        if "WATERMARKS-AGREEMENT" in line:
            for kv in line.split():
                k, _, v = kv.partition("=")
                if k == "agree" and v.isdigit():
                    agree += int(v)
                elif k == "total" and v.isdigit():
                    total += int(v)
    if total:
        print(f"    allocations predicted: {agree} of {total} ({100 * agree / total:.1f}%)")
