# SPDX-License-Identifier: GPL-2.0
"""The guests' static helper programs (``hog`` for ``make check``,
``readloop`` for ``make bench``), built for a guest's architecture.

The guests have busybox only, and this machine has a C library for its own
architecture only, so the helpers are built with clang against the
kernel's own nolibc (``tools/include/nolibc``) and the UAPI headers of the
guest's kernel tree (``make headers``): the same for every architecture.
"""

import subprocess
from pathlib import Path

from .arches import arch


def build_static(kdir: Path, arch_name: str, source: Path, out: Path, log: Path) -> bool:
    """Builds ``source`` into the static program ``out`` for ``arch_name``
    against the kernel tree ``kdir``; the tools' output goes to ``log``.
    Whether it built."""
    a = arch(arch_name)
    with log.open("w") as f:
        if subprocess.run(["make", "-s", "-C", str(kdir), "LLVM=1", f"ARCH={a.linux_arch}",
                           "headers"], stdout=f, stderr=subprocess.STDOUT).returncode:
            return False
        return subprocess.run(
            ["clang", f"--target={a.clang_target}", "-static", "-nostdlib", "-nostdinc",
             "-ffreestanding", "-fuse-ld=lld", "-O2", "-Wall", "-Werror",
             f"-I{kdir}/tools/include/nolibc", f"-I{kdir}/usr/include",
             "-include", "nolibc.h", "-o", str(out), str(source)],
            stdout=f, stderr=subprocess.STDOUT).returncode == 0
