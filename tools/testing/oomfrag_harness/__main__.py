# SPDX-License-Identifier: GPL-2.0
"""``python3 -m oomfrag_harness``: the harness's data, for the shell scripts.

``arch NAME`` prints the architecture's parameters as shell assignments
(``OOMFRAG_ARCH_<FIELD>=...``, quoted with :func:`shlex.quote`; tuples as
one space-separated word list) for ``lib.sh`` to ``eval``; ``kernel
VERSION`` the kernel's (``OOMFRAG_KERNEL_<FIELD>=...``, booleans as 1 or
0).  An unknown name exits 2 with a message naming the known ones.
"""

import dataclasses
import shlex
import sys
from typing import List

from .arches import arch
from .kernels import kernel


def shell_assignments(what: str, name: str) -> List[str]:
    """``what`` ("arch" or "kernel") ``name``'s record as assignments."""
    params: object = arch(name) if what == "arch" else kernel(name)
    out = []
    for field in dataclasses.fields(params):  # type: ignore[arg-type]
        value = getattr(params, field.name)
        if isinstance(value, tuple):
            value = " ".join(value)
        elif isinstance(value, bool):
            value = int(value)
        out.append(f"OOMFRAG_{what.upper()}_{field.name.upper()}={shlex.quote(str(value))}")
    return out


def main(argv: List[str]) -> int:
    if len(argv) == 2 and argv[0] in ("arch", "kernel"):
        try:
            print("\n".join(shell_assignments(argv[0], argv[1])))
        except ValueError as e:
            print(f"oomfrag_harness: {e}", file=sys.stderr)
            return 2
        return 0
    print("usage: python3 -m oomfrag_harness arch NAME | kernel VERSION", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
