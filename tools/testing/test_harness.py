# SPDX-License-Identifier: GPL-2.0
"""Tests of the harness's data and guest loop (oomfrag_harness)."""

import os
import subprocess
import tempfile
import unittest
from pathlib import Path

from oomfrag_harness import arches, guests, kernels, shapes
from oomfrag_harness.__main__ import shell_assignments
from oomfrag_harness.tally import Tally

TESTING = Path(__file__).resolve().parent


class KernelsTest(unittest.TestCase):
    def test_names(self) -> None:
        self.assertEqual(kernels.kernel("").version, kernels.DEFAULT)
        self.assertEqual(kernels.kernel("7.2").package, "linux-source-7.2")
        with self.assertRaisesRegex(ValueError, "unknown kernel '6.1'"):
            kernels.kernel("6.1")

    def test_matrix_cells_are_known_and_have_shapes(self) -> None:
        self.assertIn((kernels.DEFAULT, "x86_64"), kernels.MATRIX)
        self.assertEqual(len(set(kernels.MATRIX)), len(kernels.MATRIX))
        for k, a in kernels.MATRIX:
            self.assertTrue(kernels.kernel(k).test_modules, k)
            self.assertEqual(arches.arch(a).name, a)
            self.assertTrue(shapes.SHAPES[a], a)

    def test_tarball_is_the_packages(self) -> None:
        for k in kernels.KERNELS.values():
            self.assertEqual(Path(k.tarball).name, f"{k.package}.tar.xz")

    def test_kernel_assignments(self) -> None:
        out = shell_assignments("kernel", "6.12")
        self.assertIn("OOMFRAG_KERNEL_TEST_MODULES=0", out)
        self.assertIn("OOMFRAG_KERNEL_PACKAGE=linux-source-6.12", out)


class ArchesTest(unittest.TestCase):
    def test_every_arch_has_its_fragment(self) -> None:
        for a in arches.ARCHES.values():
            frag = TESTING / a.config_fragment
            self.assertTrue(frag.is_file(), frag)
            self.assertTrue(a.kernel_path.endswith(a.image_target), a.name)

    def test_names(self) -> None:
        self.assertEqual(arches.arch("x86").name, "x86_64")
        self.assertEqual(arches.arch("arm64").linux_arch, "arm64")
        with self.assertRaisesRegex(ValueError, "unknown architecture 'riscv'"):
            arches.arch("riscv")

    def test_shell_assignments_read_back_in_bash(self) -> None:
        # What lib.sh evals gives back the record's values, word lists too.
        script = "\n".join(shell_assignments("arch", "arm64")) + (
            '\nset -- $OOMFRAG_ARCH_EXTRA_QEMU_PARAMS\n'
            'echo "$OOMFRAG_ARCH_SERIAL_CONSOLE|$#|$4"\n')
        out = subprocess.run(["bash", "-c", script], stdout=subprocess.PIPE, text=True,
                             check=True).stdout.strip()
        self.assertEqual(out, "ttyAMA0|4|max,pauth-impdef=on")

    def test_lib_sh_takes_the_arch(self) -> None:
        env = dict(os.environ, ARCH="arm64")
        out = subprocess.run(
            ["bash", "-c", '. "$0/lib.sh"; echo "$OOMFRAG_ARCH $(oomfrag_kernel_dir)"; '
             'oomfrag_kernel_fragments debug', str(TESTING)],
            stdout=subprocess.PIPE, text=True, check=True, env=env).stdout.split("\n")
        self.assertRegex(out[0], r"^arm64 .*-arm64-rustc")
        self.assertEqual([Path(p).name for p in out[1:4]],
                         ["kernel.config", "kernel-arm64.config", "kernel-debug.config"])
        bad = subprocess.run(["bash", "-c", '. "$0/lib.sh"', str(TESTING)],
                             stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, ARCH="sparc"))
        self.assertEqual(bad.returncode, 2)
        self.assertIn("unknown architecture 'sparc'", bad.stderr)

    def test_key_ignores_comments_not_options(self) -> None:
        def key(extra: str) -> str:
            with tempfile.TemporaryDirectory() as d:
                top = Path(d)
                t = top / "tools" / "testing"
                t.mkdir(parents=True)
                for f in ("lib.sh", "kernel.config", "kernel-x86_64.config"):
                    (t / f).write_text((TESTING / f).read_text())
                (t / "oomfrag_harness").symlink_to(TESTING / "oomfrag_harness")
                with (t / "kernel.config").open("a") as f:
                    f.write(extra)
                return subprocess.run(
                    ["bash", "-c", '. "$0/lib.sh"; oomfrag_kernel_key', str(t)],
                    stdout=subprocess.PIPE, text=True, check=True,
                    env=dict(os.environ, ARCH="x86_64", KSRC_TARBALL="linux-source-7.3.tar.xz"),
                ).stdout.strip()
        self.assertEqual(key(""), key("# a comment\n\n"))
        self.assertNotEqual(key(""), key("CONFIG_FOO=y\n"))
        self.assertNotEqual(key(""), key("# CONFIG_FOO is not set\n"))


class ShapesTest(unittest.TestCase):
    def all_shapes(self) -> list[shapes.Shape]:
        return [s for group in (*shapes.SHAPES.values(), *shapes.DEBUG_SHAPES.values())
                for s in group]

    def test_every_arch_has_shapes_and_scripts_exist(self) -> None:
        self.assertEqual(set(shapes.SHAPES), set(arches.ARCHES))
        for s in self.all_shapes():
            self.assertTrue((TESTING / "guest" / s.script).is_file(), s.name)

    def test_names_unique(self) -> None:
        names = [s.name for s in self.all_shapes()]
        self.assertEqual(len(names), len(set(names)))

    def test_every_class_is_provoked_on_every_arch(self) -> None:
        for name, group in shapes.SHAPES.items():
            if name == "arm64-16k":
                continue  # the page-size paths: test_page_size_paths
            verdicts = {sc.verdict for s in group for sc in s.scenarios}
            for v in ("cma", "exhaustion", "fragmentation", "memcg", "none",
                      "lowmem_reserve"):
                self.assertIn(v, verdicts, name)
            constraints = {sc.constraint for s in group for sc in s.scenarios}
            self.assertLessEqual({"cpuset", "memory_policy"}, constraints, name)

    def test_page_size_paths(self) -> None:
        verdicts = {sc.verdict for s in shapes.SHAPES["arm64-16k"] for sc in s.scenarios}
        self.assertLessEqual({"cma", "exhaustion", "fragmentation"}, verdicts)

    def test_scenario_names_are_the_guest_s(self) -> None:
        stress = (TESTING.parent.parent / "samples" / "stress.rs").read_text()
        lib = (TESTING / "guest" / "lib.sh").read_text()
        for s in self.all_shapes():
            for sc in s.scenarios:
                base = sc.name.split("_order=")[0]
                self.assertTrue(f'"{base}' in stress or f"{base})" in lib,
                                f"{s.name}: {sc.name}")

    def test_guest_words(self) -> None:
        self.assertEqual(shapes.Scenario("cpuset", "exhaustion", "cpuset").guest_word(),
                         "cpuset:exhaustion:cpuset")
        self.assertEqual(shapes.Scenario("cma", "cma").guest_word(), "cma:cma")
        with self.assertRaises(ValueError):
            shapes._oom("a:b:c:d")

    def test_bad_shapes_refused(self) -> None:
        with self.assertRaisesRegex(ValueError, "unknown script"):
            shapes.Shape("x", "nope.sh", "1G")
        with self.assertRaisesRegex(ValueError, "need scenarios.sh"):
            shapes.Shape("x", "check.sh", "1G", scenarios=(shapes.Scenario("a", "b"),))
        for bad in ("/proc/sys/vm/x", "vm/../../etc", ""):
            with self.assertRaisesRegex(ValueError, "bad sysctl path"):
                shapes.Shape("x", "scenarios.sh", "1G", sysctls=((bad, "1"),))

    def test_run_vm_args(self) -> None:
        s = shapes.Shape("x", "check.sh", "1G", ("numa=fake=2", "cma=64M"), smp=3)
        self.assertEqual(s.run_vm_args(), ["--mem", "1G", "--smp", "3", "--append",
                                           "numa=fake=2", "--append", "cma=64M"])


class GuestsTest(unittest.TestCase):
    def test_guest_script_variables_survive_the_shell(self) -> None:
        s = shapes.Shape("x", "scenarios.sh", "1G",
                         scenarios=shapes._oom("cpuset:exhaustion:cpuset", "sysrq:none"),
                         sysctls=(("vm/lowmem_reserve_ratio", "256 1 32 1"),
                                  ("vm/x", "it's")))
        text = guests.guest_script(TESTING, s)
        head = text.split("\nprotect\n")[0]
        out = subprocess.run(["sh", "-c", head + '\nprintf "%s|" "$SCENARIOS"; '
                              'printf "%s\\n" "$SYSCTLS" | while read -r k v; do '
                              'printf "[%s=%s]" "$k" "$v"; done'],
                             stdout=subprocess.PIPE, text=True, check=True).stdout
        self.assertEqual(out, "cpuset:exhaustion:cpuset sysrq:none|"
                         "[vm/lowmem_reserve_ratio=256 1 32 1][vm/x=it's]")

    def test_counts(self) -> None:
        self.assertEqual(guests.read_counts("x\n12 passed, 3 failed\n"), (12, 3))
        self.assertIsNone(guests.read_counts("12 passed, 3 failed\nmore\n"))
        t = Tally()
        guests.count(t, "a", "5 passed, 0 failed")
        guests.count(t, "b", "1 passed, 2 failed")
        guests.count(t, "c", "nothing")
        self.assertEqual((t.passed, t.failed), (6, 3))
        self.assertEqual(t.failures, ["b", "c"])
        self.assertEqual(t.summary(), "6 passed, 3 failed")


if __name__ == "__main__":
    unittest.main()
