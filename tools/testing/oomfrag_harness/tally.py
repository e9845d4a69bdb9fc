# SPDX-License-Identifier: GPL-2.0
"""``make check``'s count: every check adds its passes and failures here,
and the run ends with the one line "N passed, N failed"."""

from typing import List


class Tally:
    """Passed and failed counts, and the names of what failed."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.failures: List[str] = []

    def ok(self, name: str, n: int = 1, note: str = "") -> None:
        self.passed += n
        print(f"check: ok {name}" + (f" ({note})" if note else ""), flush=True)

    def fail(self, name: str, n: int = 1, why: str = "") -> None:
        self.failed += n
        self.failures.append(name)
        print(f"check: FAILED {name}" + (f": {why}" if why else ""), flush=True)

    def summary(self) -> str:
        return f"{self.passed} passed, {self.failed} failed"
