# SPDX-License-Identifier: GPL-2.0
"""``make check``: every test of oomfrag, host and guest, in one run.

1. this machine's architecture's test kernel (built once, then reused);
2. the modules, with no compiler warning, clippy (``CLIPPY=1``), rustfmt,
   and Kbuild's refusals of a tree it cannot build against;
3. host: cargo fmt --check and cargo test of the engine and of the
   offline analyzer, the
   first-run test of the Makefile, the harness's own unit tests and its
   type check (mypy), the analyzer's page in headless Chromium;
4. the harness itself: exit status, timeout, a boot stall, an oops caught;
5. per kernel and architecture (:data:`.kernels.MATRIX`; the shapes of
   :data:`.shapes.SHAPES`): its test kernel, the modules built against it
   (warning- and clippy-clean), and its guest shapes
   (:func:`.guests.run_shape`): KUnit, debugfs against /proc, real OOMs of
   every class cross-checked against the kernel's own report;
6. the debug kernel (KASAN, kmemleak, lockdep, ...) and its shapes.

Ends with one line "N passed, N failed"; exits non-zero if anything failed.
OOMFRAG_CHECK_QUICK=1 boots only the first shapes; OOMFRAG_CHECK_DEBUG=0
skips the debug kernel; OOMFRAG_CHECK_ARCHES="x86_64" and
OOMFRAG_CHECK_KERNELS="7.3" (space-separated lists) limit the cells of
:data:`.kernels.MATRIX` that run.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from .arches import ARCHES, arch
from .guests import Target, count, run_shape
from .helpers import build_static
from .kernels import DEFAULT, KERNELS, MATRIX
from .kernels import kernel as kernel_source
from .shapes import DEBUG_SHAPES, SHAPES
from .tally import Tally


class Check:
    def __init__(self) -> None:
        self.top = Path(os.environ["OOMFRAG_TOP"])
        self.testing = self.top / "tools" / "testing"
        self.cache = Path(os.environ["OOMFRAG_CACHE"])
        self.work = self.cache / "check-logs"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self.tally = Tally()
        self.quick = bool(os.environ.get("OOMFRAG_CHECK_QUICK"))
        self.host_arch = arch(os.environ.get("ARCH") or os.uname().machine).name

    # --- helpers ---------------------------------------------------------

    def sh(self, args: Sequence[str], log: Optional[Path] = None,
           env: Optional[Dict[str, str]] = None) -> "subprocess.CompletedProcess[str]":
        """Run a command; its output to ``log`` (or returned)."""
        full_env = dict(os.environ, **(env or {}))
        if log is None:
            return subprocess.run(list(args), stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, env=full_env)
        with log.open("w") as f:
            return subprocess.run(list(args), stdout=f, stderr=subprocess.STDOUT,
                                  text=True, env=full_env)

    def lib(self, function: str, *args: str, log: Path, arch_name: str) -> "subprocess.CompletedProcess[str]":
        """Call a function of lib.sh (for ``arch_name``); stdout returned,
        stderr to ``log``."""
        with log.open("w") as f:
            return subprocess.run(
                ["bash", "-c", f'. "$0/lib.sh" && {function} "$@"', str(self.testing), *args],
                stdout=subprocess.PIPE, stderr=f, text=True,
                env=dict(os.environ, ARCH=arch_name))

    def make(self, *args: str, log: Path, kdir: Path) -> bool:
        return self.sh(["make", "-s", "-C", str(self.top), f"KDIR={kdir}", *args],
                       log=log).returncode == 0

    def build_kernel(self, arch_name: str, debug: bool = False,
                     kernel: str = DEFAULT) -> Optional[Path]:
        args = [str(self.testing / "build-kernel"), "--arch", arch_name]
        if kernel != DEFAULT:
            # (The default kernel's source may be KSRC_TARBALL's.)
            args += ["--kernel", kernel]
        if debug:
            args.append("--debug")
        r = subprocess.run(args, stdout=subprocess.PIPE, text=True)
        lines = r.stdout.strip().splitlines()
        if r.returncode != 0 or not lines:
            return None
        return Path(lines[-1])

    def finish(self) -> int:
        t = self.tally
        print()
        if t.failures:
            print("check: failures:")
            for f in t.failures:
                print(f"  {f}")
        print(f"check: logs in {self.work}")
        print(t.summary())
        return 0 if t.failed == 0 else 1

    # --- 2. modules ------------------------------------------------------

    def modules(self, kdir: Path) -> bool:
        t, w = self.tally, self.work
        if not self.make("test-modules", log=w / "build.log", kdir=kdir):
            print("\n".join((w / "build.log").read_text().splitlines()[-40:]))
            t.fail("module-build")
            return False
        build = (w / "build.log").read_text()
        if "warning:" in build:
            print(build[:4000])
            t.fail("module-build-warnings")
        else:
            t.ok("module-build")
        # The module users load carries no test code; the test module does.
        shipped = self.sh(["readelf", "-SW", str(self.top / "oomfrag.ko")])
        tests = self.sh(["readelf", "-SW", str(self.top / "oomfrag_kunit.ko")])
        if shipped.returncode or tests.returncode:
            t.fail("module-without-kunit", 1, "readelf could not read the modules")
        elif ".kunit_test_suites" in shipped.stdout:
            t.fail("module-without-kunit", 1, "oomfrag.ko has a .kunit_test_suites section")
        elif ".kunit_test_suites" not in tests.stdout:
            t.fail("module-without-kunit", 1, "oomfrag_kunit.ko has no KUnit suites")
        else:
            t.ok("module-without-kunit")
        # A tree the module cannot be built against is refused with one
        # line that says why (Kbuild): another kernel version, another rustc.
        other = w / "other-rustc"
        other.write_text('#!/bin/sh\necho "rustc 1.85.1 (4eb161250 2025-03-15)"\n')
        other.chmod(0o755)
        for name, want, extra in (
            ("build-refuses-6.1", "is not supported: oomfrag builds against Linux",
             ["VERSION=6", "PATCHLEVEL=1"]),
            ("build-refuses-other-rustc", "but .*rustc 1.85.1", [f"RUSTC={other}"]),
        ):
            r = self.sh(["make", "-s", "-C", str(self.top), f"KDIR={kdir}", "modules", *extra])
            if r.returncode == 0:
                t.fail(name, 1, "built anyway")
            elif re.search(f"oomfrag: .*{want}", r.stdout):
                t.ok(name)
            else:
                print("\n".join(r.stdout.splitlines()[-5:]))
                t.fail(name, 1, f"no clear refusal ('{want}')")
        ok = self.make("clippy", log=w / "clippy.log", kdir=kdir)
        lint = [line for line in (w / "clippy.log").read_text().splitlines()
                if line.startswith(("warning", "error"))]
        if ok and not lint:
            t.ok("clippy")
        else:
            print((w / "clippy.log").read_text()[:4000])
            t.fail("clippy")
        if self.make("rustfmtcheck", log=w / "fmt.log", kdir=kdir):
            t.ok("rustfmt")
        else:
            print((w / "fmt.log").read_text()[:4000])
            t.fail("rustfmt")
        return True

    # --- 3. host tests ---------------------------------------------------

    def cargo_test(self, name: str, directory: Path, log: Path) -> None:
        t = self.tally
        r = subprocess.run(["cargo", "test"], cwd=directory, stdout=log.open("w"),
                           stderr=subprocess.STDOUT)
        text = log.read_text()
        for line in text.splitlines():
            if re.match(r"^test result|.*FAILED|.*panicked", line):
                print(line)
        results = re.findall(r"^test result: \S+\. (\d+) passed; (\d+) failed", text, re.M)
        if not results:
            print("\n".join(text.splitlines()[-30:]))
            t.fail(name, 1, "cargo test did not run")
            return
        p = sum(int(a) for a, _ in results)
        f = sum(int(b) for _, b in results)
        if p:
            t.ok(name, p)
        if f:
            t.fail(name, f)
        if r.returncode != 0 and f == 0:
            t.fail(name, 1, f"cargo test exited {r.returncode}: a target did not build")

    def host_fmt(self) -> None:
        """The host crates (the engine's tests, the analyzer) rustfmt-clean,
        as ``make rustfmtcheck`` holds the module's files."""
        for name, directory in (("cargo-fmt", self.top / "rust" / "host"),
                                ("cargo-fmt-report", self.top / "tools" / "oomfrag-report")):
            r = subprocess.run(["cargo", "fmt", "--check"], cwd=directory,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if r.returncode == 0:
                self.tally.ok(name)
            else:
                print("\n".join(r.stdout.splitlines()[:40]))
                self.tally.fail(name, 1, f"cargo fmt --check in {directory}")

    def host(self) -> None:
        t, w = self.tally, self.work
        self.host_fmt()
        self.cargo_test("cargo-test", self.top / "rust" / "host", w / "cargo.log")
        self.cargo_test("cargo-test-report", self.top / "tools" / "oomfrag-report",
                        w / "cargo-report.log")
        r = self.sh([str(self.testing / "test-first-run")], log=w / "first-run.log")
        last = (w / "first-run.log").read_text().strip().splitlines()
        if r.returncode == 0:
            t.ok("first-run", 1, last[-1].split()[0] if last else "")
        else:
            print("\n".join(last))
            t.fail("first-run")
        r = self.sh([sys.executable, "-m", "unittest", "discover", "-s", str(self.testing),
                     "-t", str(self.testing), "-p", "test_*.py"], log=w / "py.log")
        ran = re.search(r"^Ran (\d+) tests?", (w / "py.log").read_text(), re.M)
        if r.returncode == 0:
            t.ok("harness-unittest", int(ran.group(1)) if ran else 1)
        else:
            print("\n".join((w / "py.log").read_text().splitlines()[-30:]))
            t.fail("harness-unittest")
        # The harness package is typed; mypy holds it to its annotations.
        r = self.sh([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                     str(self.testing / "oomfrag_harness")], log=w / "mypy.log")
        if r.returncode == 0:
            t.ok("harness-mypy")
        else:
            print("\n".join((w / "mypy.log").read_text().splitlines()[-30:]))
            t.fail("harness-mypy")
        # The page (make web) in headless Chromium, against oomfrag-report --json.
        r = self.sh([str(self.testing / "web-check")], log=w / "web-check.log")
        text = (w / "web-check.log").read_text()
        for line in text.splitlines():
            if re.match(r"^web-check: (FAILED|bench)", line):
                print(line)
        m = re.search(r"^web-check: (\d+) passed, (\d+) failed$", text, re.M)
        if not m:
            print("\n".join(text.splitlines()[-30:]))
            t.fail("web-check", 1, f"web-check did not finish (exit {r.returncode})")
        else:
            p, f = int(m.group(1)), int(m.group(2))
            if p:
                t.ok("web-check", p)
            if f:
                t.fail("web-check", f)
            if r.returncode != 0 and f == 0:
                t.fail("web-check", 1, f"exited {r.returncode}")

    # --- 4. the harness itself -------------------------------------------

    def harness(self, kdir: Path) -> None:
        t = self.tally
        d = self.work / "self"
        d.mkdir()
        run_vm = str(self.testing / "run-vm")
        (d / "exit3.sh").write_text("exit 3\n")
        rc = self.sh([run_vm, "--script", str(d / "exit3.sh"), "--timeout", "120",
                      "--log", str(d / "exit3.log")]).returncode
        (t.ok if rc == 3 else lambda n: t.fail(n, 1, f"run-vm exit {rc}, want 3"))("harness-exit-status")
        (d / "hang.sh").write_text("sleep 1000\n")
        rc = self.sh([run_vm, "--script", str(d / "hang.sh"), "--timeout", "15",
                      "--log", str(d / "hang.log")]).returncode
        (t.ok if rc == 124 else lambda n: t.fail(n, 1, f"run-vm exit {rc}, want 124"))("harness-timeout")
        # A guest that never starts its script (init is cat, waiting on the
        # console) is booted once more, then given up with 125.
        r = self.sh([run_vm, "--append", "rdinit=/bin/cat", "--boot-timeout", "10",
                     "--timeout", "120", "--log", str(d / "stall.log")])
        if r.returncode == 125 and "booting once more" in r.stdout:
            t.ok("harness-boot-stall-retried")
        else:
            t.fail("harness-boot-stall-retried", 1,
                   f"run-vm exit {r.returncode}, want 125 after one retry")
        (d / "oops.sh").write_text(
            (self.testing / "guest" / "lib.sh").read_text()
            + 'insmod $KO/oomfrag_stress.ko && echo 1 > $S/oops; echo "oops write returned $?"; exit 0\n')
        self.sh([run_vm, "--script", str(d / "oops.sh"), "--timeout", "120",
                 "--log", str(d / "oops.log")])
        judged = self.sh([str(self.testing / "check-console"), str(d / "oops.log"),
                          "--kunit-py", str(kdir)])
        if judged.returncode != 0 and "oops on purpose" in (d / "oops.log").read_text(errors="replace"):
            t.ok("harness-detects-oops")
        else:
            print("\n".join(judged.stdout.splitlines()[-5:]))
            t.fail("harness-detects-oops", 1, "an oopsing module was not caught")

    # --- 5. guests of each architecture ----------------------------------

    def helpers(self, arch_name: str, kdir: Path) -> List[Path]:
        """The guest's static helper programs (hog), built for ``arch_name``
        (:func:`.helpers.build_static`)."""
        staged = self.work / arch_name
        staged.mkdir(exist_ok=True)
        hog = staged / "hog"
        log = self.work / f"hog-{arch_name}.log"
        if not build_static(kdir, arch_name, self.testing / "guest" / "hog.c", hog, log):
            print(log.read_text()[-2000:])
            self.tally.fail(f"hog-build-{arch_name}", 1, "clang with the kernel's nolibc")
            return []
        return [hog]

    def arch_modules(self, arch_name: str, kdir: Path, cell: str) -> Optional[Path]:
        """oomfrag.ko and the test modules built against ``kdir`` outside the
        work tree: warning- and clippy-clean (one CLIPPY=1 build: clippy
        prints rustc's warnings too, and clang's for the C shims)."""
        t = self.tally
        out = Path(f"{kdir}.modules")
        log = self.work / f"modules-{cell}.log"
        r = self.lib("oomfrag_test_modules", str(kdir), str(out), "CLIPPY=1", log=log,
                     arch_name=arch_name)
        text = log.read_text()
        if r.returncode != 0:
            print("\n".join(text.splitlines()[-40:]))
            t.fail(f"module-build-{cell}")
            return None
        if re.search(r"^(warning|error)", text, re.M) or "warning:" in text:
            print(text[:4000])
            t.fail(f"module-build-warnings-{cell}")
        else:
            t.ok(f"module-build-{cell}", 1, "clippy-clean")
        return Path(r.stdout.strip().splitlines()[-1])

    def guests(self, arch_name: str, kdir: Path, modules: Optional[Path],
               label: str = "") -> None:
        shapes = SHAPES[arch_name]
        if self.quick:
            shapes = shapes[:1]
        helpers = tuple(self.helpers(arch_name, kdir))
        target = Target(arch=arch_name, kdir=kdir, modules=modules, helpers=helpers,
                        label=label)
        for shape in shapes:
            run_shape(self.testing, self.work, target, shape, self.tally)

    def other_cell(self, kernel: str, arch_name: str) -> None:
        """One more (kernel, architecture) of :data:`.kernels.MATRIX`: its
        kernel, the modules built against it, its architecture's shapes
        (named after the kernel too when it is not the default one)."""
        label = "" if kernel == DEFAULT else kernel
        cell = f"{label}-{arch_name}" if label else arch_name
        kdir = self.build_kernel(arch_name, kernel=kernel)
        if kdir is None:
            self.tally.fail(f"kernel-build-{cell}", 1, "see the messages above")
            return
        self.tally.ok(f"kernel-build-{cell}", 1, str(kdir))
        modules = self.arch_modules(arch_name, kdir, cell)
        if modules is not None:
            self.guests(arch_name, kdir, modules, label)

    # --- 6. the debug kernel ---------------------------------------------

    def debug(self) -> None:
        t = self.tally
        if os.environ.get("OOMFRAG_CHECK_DEBUG", "1") == "0":
            print("check: debug kernel skipped (OOMFRAG_CHECK_DEBUG=0)")
            return
        for arch_name, shapes in DEBUG_SHAPES.items():
            if arch_name != self.host_arch and arch_name not in self.arches():
                continue
            dkdir = self.build_kernel(arch_name, debug=True)
            if dkdir is None:
                t.fail("debug-kernel-build", 1, "see the messages above")
                continue
            secs = (dkdir / "oomfrag-build-seconds")
            t.ok("debug-kernel-build", 1,
                 f"{dkdir}, built in {secs.read_text().strip() if secs.exists() else '?'} s")
            log = self.work / "debug-build.log"
            out = self.lib("oomfrag_debug_modules_dir", log=log, arch_name=arch_name).stdout.strip()
            r = self.lib("oomfrag_test_modules", str(dkdir), out, log=log, arch_name=arch_name)
            text = log.read_text()
            if r.returncode != 0:
                print("\n".join(text.splitlines()[-40:]))
                t.fail("debug-module-build")
                continue
            if "warning:" in text:
                print(text[:4000])
                t.fail("debug-module-build-warnings")
            else:
                t.ok("debug-module-build", 1, r.stdout.strip())
            target = Target(arch=arch_name, kdir=dkdir, modules=Path(r.stdout.strip()),
                            debug=True, timeout=1800)
            for shape in (shapes[:1] if self.quick else shapes):
                run_shape(self.testing, self.work, target, shape, t)

    def arches(self) -> List[str]:
        names = os.environ.get("OOMFRAG_CHECK_ARCHES", " ".join(ARCHES)).split()
        return [arch(n).name for n in names]

    def kernels(self) -> List[str]:
        names = os.environ.get("OOMFRAG_CHECK_KERNELS", " ".join(KERNELS)).split()
        return [kernel_source(n).version for n in names]

    # --- all -------------------------------------------------------------

    def run(self) -> int:
        t = self.tally
        kdir = self.build_kernel(self.host_arch)
        if kdir is None:
            t.fail("kernel-build", 1, "see the messages above")
            return self.finish()
        t.ok("kernel-build", 1, str(kdir))
        if not self.modules(kdir):
            return self.finish()
        self.host()
        self.harness(kdir)
        for kernel, arch_name in MATRIX:
            if arch_name not in self.arches() or kernel not in self.kernels():
                continue
            if (kernel, arch_name) == (DEFAULT, self.host_arch):
                self.guests(self.host_arch, kdir, None)
            else:
                self.other_cell(kernel, arch_name)
        self.debug()
        return self.finish()


def main() -> int:
    return Check().run()
