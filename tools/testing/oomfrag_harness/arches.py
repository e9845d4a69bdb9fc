# SPDX-License-Identifier: GPL-2.0
"""What differs between the architectures oomfrag is tested on.

Modelled on the kernel's ``tools/testing/kunit/qemu_config.py``
(``QemuArchParams``) and its ``qemu_configs/*.py``: one record per
architecture, read by ``build-kernel`` (kbuild's ``ARCH``, the image to
build, the arch's config fragment) and by ``run-vm`` (QEMU, its machine
and CPU, the console, the guest's busybox).
"""

from dataclasses import dataclass, replace
from typing import Dict, Tuple


@dataclass(frozen=True)
class QemuArchParams:
    """One architecture: how to build its test kernel and boot it."""

    #: The name make and the harness take (``make check ARCH=arm64``).
    name: str
    #: kbuild's ``ARCH=`` (``x86`` builds x86_64 with ``CONFIG_64BIT``).
    linux_arch: str
    #: The make target that builds the image, and where it lands.
    image_target: str
    kernel_path: str
    #: This architecture's config fragment, after ``kernel.config``.
    config_fragment: str
    #: QEMU's binary and the Debian package that has it.
    qemu_binary: str
    qemu_package: str
    #: Arguments before the common ones (machine, CPU).
    extra_qemu_params: Tuple[str, ...]
    #: The serial console the kernel writes to.
    serial_console: str
    #: Debian's architecture name: the static busybox of this architecture
    #: (``busybox-static:<debian_arch>``).
    debian_arch: str
    #: clang's ``--target`` for the guest's static helper programs.
    clang_target: str


ARCHES: Dict[str, QemuArchParams] = {
    "x86_64": QemuArchParams(
        name="x86_64",
        linux_arch="x86",
        image_target="bzImage",
        kernel_path="arch/x86/boot/bzImage",
        config_fragment="kernel-x86_64.config",
        qemu_binary="qemu-system-x86_64",
        qemu_package="qemu-system-x86",
        extra_qemu_params=(),
        serial_console="ttyS0",
        debian_arch="amd64",
        clang_target="x86_64-linux-gnu",
    ),
    # QEMU's `virt` board, as kunit.py's qemu_configs/arm64.py.  RAM starts
    # at 1 GB and ZONE_DMA reaches 4 GB: up to 3 GB of guest memory, the
    # CMA area included, is all ZONE_DMA; above that, ZONE_NORMAL.  `max`
    # has every page size (4K, 16K, 64K); pauth-impdef makes TCG's pointer
    # authentication cheap (QEMU's documented speed-up for emulation).
    "arm64": QemuArchParams(
        name="arm64",
        linux_arch="arm64",
        image_target="Image",
        kernel_path="arch/arm64/boot/Image",
        config_fragment="kernel-arm64.config",
        qemu_binary="qemu-system-aarch64",
        qemu_package="qemu-system-arm",
        extra_qemu_params=("-machine", "virt", "-cpu", "max,pauth-impdef=on"),
        serial_console="ttyAMA0",
        debian_arch="arm64",
        clang_target="aarch64-linux-gnu",
    ),
}

# The same board with 16 KB pages (Debian's arm64-16k flavour, Apple
# silicon, some Android kernels), and without CONFIG_NUMA, as many boards
# are built: pageblocks of 32 MB, so grouping by mobility is off below about
# 192 MB of memory.
ARCHES["arm64-16k"] = replace(ARCHES["arm64"], name="arm64-16k",
                              config_fragment="kernel-arm64-16k.config")


def arch(name: str) -> QemuArchParams:
    """The architecture called ``name`` (also ``x86``), or ValueError."""
    if name == "x86":
        name = "x86_64"
    try:
        return ARCHES[name]
    except KeyError:
        raise ValueError(
            f"unknown architecture '{name}': oomfrag is tested on {', '.join(ARCHES)}"
        ) from None
