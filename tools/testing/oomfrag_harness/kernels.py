# SPDX-License-Identifier: GPL-2.0
"""The kernel versions oomfrag is built and tested against.

One record per version: the Debian source package that has it (installed
by ``setup-toolchain``, which unpacks nothing: ``build-kernel`` extracts
the tarball into its cached tree) and whether the test modules build
against it (the KUnit module and the samples use ``#[kunit_tests]`` and
``kernel::debugfs``, which 6.12's kernel crate does not have).  Read by
``lib.sh`` (``KERNEL=7.2``, as ``ARCH=``) and by ``make check``, whose
matrix of kernel and architecture is :data:`MATRIX`.
"""

from dataclasses import dataclass
from typing import Dict, Tuple


@dataclass(frozen=True)
class KernelSource:
    """One kernel version: where its source comes from."""

    #: The version make and the harness take (``make demo KERNEL=7.2``).
    version: str
    #: Debian's source package and the suite it is installed from.
    package: str
    suite: str
    #: The tarball the package installs.
    tarball: str
    #: Whether ``make test-modules`` builds against it (else only
    #: ``oomfrag.ko``).
    test_modules: bool


KERNELS: Dict[str, KernelSource] = {
    k.version: k
    for k in (
        KernelSource("7.3", "linux-source-7.3", "trixie-backports",
                     "/usr/src/linux-source-7.3.tar.xz", True),
        KernelSource("7.2", "linux-source-7.2", "trixie-backports",
                     "/usr/src/linux-source-7.2.tar.xz", True),
        KernelSource("6.12", "linux-source-6.12", "bookworm-security",
                     "/usr/src/linux-source-6.12.tar.xz", False),
    )
}

#: The version a build or a guest takes unless told otherwise.
DEFAULT = "7.3"

#: What ``make check`` builds and boots: (kernel, architecture), each with
#: that architecture's guest shapes (:data:`.shapes.SHAPES`).
MATRIX: Tuple[Tuple[str, str], ...] = (
    ("7.3", "x86_64"),
    ("7.3", "arm64"),
    ("7.3", "arm64-16k"),
    ("7.2", "x86_64"),
)


def kernel(version: str) -> KernelSource:
    """The kernel ``version`` (empty: :data:`DEFAULT`), or ValueError."""
    try:
        return KERNELS[version or DEFAULT]
    except KeyError:
        raise ValueError(
            f"unknown kernel '{version}': oomfrag is built against {', '.join(KERNELS)}"
        ) from None
