# SPDX-License-Identifier: GPL-2.0
"""oomfrag's test harness as data and one guest loop.

The architectures (:mod:`.arches`), the kernels (:mod:`.kernels`) and the
guest shapes (:mod:`.shapes`) are typed data; ``make check``'s guest loop
(:mod:`.guests`) is written once over them.  The shell scripts beside this
package (``run-vm``, ``build-kernel``, the guest scripts) read the same data
through ``python3 -m oomfrag_harness``.
"""
