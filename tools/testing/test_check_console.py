# SPDX-License-Identifier: GPL-2.0
"""Self-test of tools/testing/check-console on synthetic console logs.

Run: python3 -m unittest discover -s tools/testing -p 'test_*.py'

Tests whose logs hold KUnit suites need the kernel's kunit.py: from
$KUNIT_PY (kunit.py or a kernel tree) or else the test kernel tree of
tools/testing/build-kernel --print-dir.  Without it they are skipped.
"""

import contextlib
import importlib.machinery
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, 'check-console')


def load_tool():
	loader = importlib.machinery.SourceFileLoader('check_console', TOOL)
	spec = importlib.util.spec_from_loader('check_console', loader)
	mod = importlib.util.module_from_spec(spec)
	loader.exec_module(mod)
	return mod


cc = load_tool()
KUNIT_PY = cc.find_kunit_py(os.environ.get('KUNIT_PY'))
NO_KUNIT_WHY = ('kunit.py not found: set KUNIT_PY=<kernel tree> or build the '
		'test kernel with tools/testing/build-kernel')
if not KUNIT_PY:
	print('test_check_console: skipping KUnit tests: ' + NO_KUNIT_WHY,
	      file=sys.stderr)
needs_kunit = unittest.skipUnless(KUNIT_PY, NO_KUNIT_WHY)


def log(text):
	"""Drop one leading tab per line, then give every line not starting
	with '|' a printk timestamp (lines starting with '|' are userspace
	output)."""
	out = []
	t = 0.5
	for line in text.strip('\n').splitlines():
		if line.startswith('\t'):
			line = line[1:]
		if line.startswith('|'):
			out.append(line[1:])
		else:
			t += 0.001
			out.append('[%12.6f] %s' % (t, line))
	return '\n'.join(out) + '\n'


BOOT = """\
	Linux version 7.3.4 (root@host) (Debian clang version 19.1.7) #1 SMP
	Command line: console=ttyS0 panic=-1 loglevel=7
	KTAP version 1
	1..1
	    KTAP version 1
	    # Subtest: example_boot
	    # module: example
	    1..2
	    ok 1 example_simple
	    ok 2 example_skip # SKIP this test should be skipped
	# example_boot: pass:1 fail:0 skip:1 total:2
	# Totals: pass:1 fail:0 skip:1 total:2
	ok 1 example_boot
	Freeing unused kernel image (initmem) memory: 1234K
	Run /init as init process
	|init: running /script.sh
	oomfrag: loading out-of-tree module taints kernel.
	"""

# The module's suite at insmod, without a document header, numbered after
# the boot suites, with unrelated printk and shell output in between.
MODULE_PASS = """\
	    KTAP version 1
	    # Subtest: oomfrag_verdict
	    1..3
	    ok 1 classify_cma
	oomfrag: snapshot taken
	|GUEST-TEST ok module_loaded
	    ok 2 classify_fragmentation
	    ok 3 classify_lowmem_reserve
	# oomfrag_verdict: pass:3 fail:0 skip:0 total:3
	# Totals: pass:3 fail:0 skip:0 total:3
	ok 2 oomfrag_verdict
	"""

MODULE_FAIL = """\
	    KTAP version 1
	    # Subtest: oomfrag_verdict
	    1..2
	    ok 1 classify_cma
	    # classify_fragmentation: ASSERTION FAILED at rust/engine/verdict.rs:42
	    Expected verdict == Verdict::Fragmentation, but
	        verdict == Exhaustion
	    not ok 2 classify_fragmentation
	# oomfrag_verdict: pass:1 fail:1 skip:0 total:2
	# Totals: pass:1 fail:1 skip:0 total:2
	not ok 2 oomfrag_verdict
	"""

# A second module suite that does print its own document header.
MODULE_WITH_HEADER = """\
	KTAP version 1
	1..1
	    KTAP version 1
	    # Subtest: oomfrag_debugfs
	    1..1
	    ok 1 debugfs_files
	ok 3 oomfrag_debugfs
	"""

OOM_REPORT = """\
	|GUEST-TEST ok hog_started
	hog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
	CPU: 1 UID: 0 PID: 77 Comm: hog Tainted: G           O        7.3.4 #1 PREEMPT(voluntary)
	Tainted: [O]=OOT_MODULE
	Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.3-debian-1.16.3-2 04/01/2014
	Call Trace:
	 <TASK>
	 dump_stack_lvl+0x4a/0x70
	 dump_header+0x43/0x1b0
	 oom_kill_process+0x101/0x1c0
	 out_of_memory+0x23c/0x590
	 </TASK>
	Mem-Info:
	Node 0 DMA32 free:272596kB boost:0kB min:3412kB low:4264kB high:5116kB free_cma:262144kB
	lowmem_reserve[]: 0 0 0 0
	Out of memory: Killed process 77 (hog) total-vm:1000kB, anon-rss:900kB
	oomfrag: verdict: cma
	|GUEST-TEST ok oom_verdict_cma
	"""

# Captured verbatim (module renamed) from a real run-vm boot of the 7.3.4
# test kernel: the boot-time suites, then a Rust module with two
# #[kunit_tests] suites, one failing.  At insmod the module prints its own
# document header and numbers its suites from 1 again; the shell's output
# lands in the middle of a suite.
REAL_BOOT_HEAD = """\
[    0.613177] Demotion targets for Node 0: null
[    0.619936] KTAP version 1
[    0.619967] 1..2
[    0.620431]     KTAP version 1
[    0.620443]     # Subtest: rust_kernel_fmt
[    0.620537]     # speed: normal
[    0.620853]     1..1
[    0.628264]     # test_ptr_formatting.speed: normal
[    0.628460]     ok 1 test_ptr_formatting
[    0.628617] ok 1 rust_kernel_fmt
[    0.628722]     KTAP version 1
[    0.628726]     # Subtest: rust_spinlock_irq_condvar
[    0.628731]     # speed: normal
[    0.628741]     1..1
[    0.629110] workqueue: work func _RNvXs8_NtCs1EKtwoKEMO2_6kernel9workqueueINtNtNtB7_4sync3arc3ArcNtNtNtNtBH_4lock8spinlock5tests4TestEINtB5_15WorkItemPointerKy0_E3runB7_ enqueued on deprecated workqueue. Use system_{percpu|dfl}_wq instead.
[    0.630186]     # spinlock_irq_condvar.speed: normal
[    0.630205]     ok 1 spinlock_irq_condvar
[    0.630219] ok 2 rust_spinlock_irq_condvar
[    0.642875] Freeing initrd memory: 1080K
[    0.721504] Freeing unused kernel image (initmem) memory: 1060K
[    0.721650] Write protecting the kernel read-only data: 8192k
[    0.725165] Freeing unused kernel image (text/rodata gap) memory: 1656K
[    0.725696] Freeing unused kernel image (rodata/data gap) memory: 524K
[    0.725926] Run /init as init process
"""

REAL_INSMOD = """\
init: running /script.sh
[    0.923569] oomdemo: loading out-of-tree module taints kernel.
[    0.931484] oomdemo: oomdemo loaded
[    0.932489] KTAP version 1
[    0.932506] 1..2
[    0.932648]     KTAP version 1
[    0.932653]     # Subtest: oomdemo_fail
[    0.932662]     # speed: normal
[    0.932694]     1..1
[    0.934067]     # fails: ASSERTION FAILED at oomdemo.rs:39
[    0.934067]     Expected 1 + 1 == 3 to be true, but is false
[    0.935741]     # fails.speed: normal
[    0.935809]     not ok 1 fails
[    0.935908] not ok 1 oomdemo_fail
[    0.936055]     KTAP version 1
[    0.936061]     # Subtest: oomdemo_pass
[    0.936067]     # speed: normal
[    0.936156]     1..2
[    0.938079] oomdemo: noise from inside a test
[    0.938719]     # one_plus_one.speed: normal
insmod status 0
GUEST-TEST ok loaded
[    0.938760]     ok 1 one_plus_one
[    0.940852]     # two.speed: normal
[    0.940918]     ok 2 two
[    0.940951] # oomdemo_pass: pass:2 fail:0 skip:0 total:2
[    0.941003] # Totals: pass:2 fail:0 skip:0 total:2
[    0.941026] ok 2 oomdemo_pass
OOMFRAG-VM-EXIT 0
"""

OOPS = """\
	BUG: kernel NULL pointer dereference, address: 0000000000000008
	#PF: supervisor read access in kernel mode
	Oops: Oops: 0000 [#1] SMP NOPTI
	CPU: 0 UID: 0 PID: 61 Comm: insmod Tainted: G           O        7.3.4 #1
	RIP: 0010:oomfrag_init+0x12/0x40 [oomfrag]
	Call Trace:
	 <TASK>
	 do_one_initcall+0x45/0x210
	 </TASK>
	"""

EXIT_OK = """\
	|OOMFRAG-VM-EXIT 0
	reboot: Power down
	"""


def run(text, *args):
	"""Run check-console's main() on a log written by log(text); returns
	(status, output)."""
	return run_raw(log(text), *args)


def run_raw(text, *args):
	"""Run check-console's main() on a log given verbatim."""
	with tempfile.NamedTemporaryFile('w', suffix='.log', delete=False) as f:
		f.write(text)
		path = f.name
	try:
		argv = list(args) + [path]
		if KUNIT_PY:
			argv = ['--kunit-py', KUNIT_PY] + argv
		buf = io.StringIO()
		with contextlib.redirect_stdout(buf):
			status = cc.main(argv)
		return status, buf.getvalue()
	finally:
		os.unlink(path)


class Base(unittest.TestCase):
	def assertVerdict(self, result, status, summary):
		got_status, out = result
		msg = '\n--- check-console output ---\n' + out
		self.assertEqual(out.splitlines()[-1], summary, msg)
		self.assertEqual(got_status, status, msg)


class KUnitTests(Base):
	@needs_kunit
	def test_boot_and_headerless_module_suite_pass(self):
		r = run(BOOT + MODULE_PASS + EXIT_OK, '--module-suite', 'oomfrag')
		# 1 + 3 KUnit, 1 guest test; 1 KUnit test skipped.
		self.assertVerdict(r, 0, '5 passed, 0 failed')
		self.assertIn('oomfrag_verdict', r[1])

	@needs_kunit
	def test_module_suite_with_own_header(self):
		r = run(BOOT + MODULE_PASS + MODULE_WITH_HEADER + EXIT_OK,
			'--module-suite', 'oomfrag_verdict',
			'--module-suite', 'oomfrag_debugfs')
		self.assertVerdict(r, 0, '6 passed, 0 failed')

	@needs_kunit
	def test_failing_kunit_test(self):
		r = run(BOOT + MODULE_FAIL + EXIT_OK, '--module-suite', 'oomfrag')
		self.assertVerdict(r, 1, '2 passed, 1 failed')
		self.assertIn('oomfrag_verdict.classify_fragmentation', r[1])

	@needs_kunit
	def test_real_insmod_output(self):
		r = run_raw(REAL_BOOT_HEAD + REAL_INSMOD, '--module-suite', 'oomdemo')
		self.assertVerdict(r, 1, '5 passed, 1 failed')	# 4 KUnit + 1 guest
		self.assertIn('oomdemo_fail.fails (FAIL)', r[1])
		self.assertRegex(r[1], r'module +oomdemo_pass +2 passed, 0 failed')

	@needs_kunit
	def test_missing_module_suite(self):
		r = run(BOOT + EXIT_OK, '--module-suite', 'oomfrag')
		self.assertVerdict(r, 1, '1 passed, 0 failed')
		self.assertIn('no KUnit test ran in a suite matching "oomfrag"', r[1])

	@needs_kunit
	def test_suite_cut_short(self):
		# The guest died in the middle of the module's suite.
		cut = MODULE_PASS.split('    ok 2')[0]
		r = run(BOOT + cut, '--module-suite', 'oomfrag')
		self.assertEqual(r[0], 1, r[1])
		self.assertIn('has no result line', r[1])

	@needs_kunit
	def test_boot_document_short_of_suites(self):
		short = BOOT.replace('1..1\n', '1..2\n', 1)
		r = run(short + EXIT_OK)
		self.assertEqual(r[0], 1, r[1])
		self.assertIn('announced 2 suites, the log has 1', r[1])


class ConsoleTests(Base):
	"""Logs without KUnit suites (their guest tests are a KTAP suite of
	their own, counted by kunit.py)."""

	def test_guest_tests_are_a_ktap_suite(self):
		msgs = ['GUEST-TEST ok a', 'x GUEST-TEST not ok b why # not', 'GUEST-TEST skip c no cma']
		s = cc.guest_suite(msgs)
		self.assertEqual(s.name, 'guest')
		self.assertTrue(s.complete)
		self.assertEqual(s.lines, [
			'    KTAP version 1', '    # Subtest: guest', '    1..3',
			'    ok 1 a', '    # b: why # not', '    not ok 2 b',
			'    ok 3 c # SKIP no cma', 'not ok 0 guest'])
		self.assertIsNone(cc.guest_suite(['nothing here']))

	@needs_kunit
	def test_kunit_py_counts_guest_tests(self):
		text = '|GUEST-TEST ok a\n|GUEST-TEST skip b no cma\n|GUEST-TEST not ok c why\n' + EXIT_OK
		r = run(text)
		self.assertVerdict(r, 1, '1 passed, 1 failed')
		self.assertRegex(r[1], r'suite +guest +1 passed, 1 failed, 1 skipped')

	def test_oops_fails(self):
		r = run(OOPS + EXIT_OK)
		self.assertVerdict(r, 1, '0 passed, 0 failed')
		self.assertIn('BUG: kernel NULL pointer dereference', r[1])
		self.assertIn('Splats: 2', r[1])	# the BUG: and the Oops: line

	def test_oom_report_call_trace_is_not_a_splat(self):
		r = run(OOM_REPORT + EXIT_OK, '--expect', r'verdict: cma$')
		self.assertVerdict(r, 0, '2 passed, 0 failed')
		self.assertIn('Splats: none', r[1])

	def test_guest_test_failure(self):
		text = OOM_REPORT + '|GUEST-TEST not ok verdict_text wanted "cma"\n' + EXIT_OK
		r = run(text)
		self.assertVerdict(r, 1, '2 passed, 1 failed')
		self.assertIn('verdict_text: wanted "cma"', r[1])

	def test_expect_missing(self):
		r = run(OOM_REPORT + EXIT_OK, '--expect', 'verdict: cma',
			'--expect', 'verdict: fragmentation')
		self.assertVerdict(r, 1, '2 passed, 0 failed')
		self.assertIn('missing: /verdict: fragmentation/', r[1])

	def test_ignore_known_warning(self):
		text = 'WARNING: harmless thing we know about\n' + EXIT_OK
		self.assertEqual(run(text)[0], 1)
		self.assertEqual(run(text, '--ignore', 'harmless thing')[0], 0)

	def test_exit_marker(self):
		self.assertVerdict(run(OOM_REPORT), 1, '2 passed, 0 failed')
		self.assertEqual(run(OOM_REPORT, '--no-exit-marker')[0], 0)
		self.assertEqual(run(OOM_REPORT + '|OOMFRAG-VM-EXIT 3\n')[0], 1)

	def test_panic(self):
		text = ('sysrq: Trigger a crash\n'
			'Kernel panic - not syncing: sysrq triggered crash\n')
		r = run(text)
		self.assertEqual(r[0], 1)
		self.assertIn('Kernel panic - not syncing', r[1])

	def test_cli(self):
		with tempfile.NamedTemporaryFile('w', suffix='.log') as f:
			f.write(log(OOM_REPORT + EXIT_OK))
			f.flush()
			p = subprocess.run([TOOL, f.name], capture_output=True,
					   text=True)
		self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
		self.assertEqual(p.stdout.splitlines()[-1], '2 passed, 0 failed')
		p = subprocess.run([TOOL, '/nonexistent.log'], capture_output=True,
				   text=True)
		self.assertEqual(p.returncode, 2)


FIXTURES = os.path.join(HERE, 'fixtures', 'splats')

# Each fixture is a real console excerpt from the debug test kernel
# (tools/testing/kernel-debug.config), provoked on purpose by a throwaway
# module: name -> a line check-console must show as the splat.
SPLAT_FIXTURES = {
	'kasan.log': 'BUG: KASAN: slab-out-of-bounds',
	'kfence.log': 'BUG: KFENCE: out-of-bounds read',
	'ubsan-shift.log': 'UBSAN: shift-out-of-bounds',
	'ubsan-bounds.log': 'UBSAN: array-index-out-of-bounds',
	'lockdep-circular.log': 'WARNING: possible circular locking dependency detected',
	'lockdep-inconsistent.log': 'WARNING: inconsistent lock state',
	'sleep-in-atomic.log': 'BUG: sleeping function called from invalid context',
	'rcu-suspicious.log': 'WARNING: suspicious RCU usage',
	'list-corruption.log': 'list_add corruption',
	'kmemleak.log': 'unreferenced object 0x',
}

# What run-vm's /init prints at the end of a debug-kernel guest.
DEBUG_END_CLEAN = """\
	|KMEMLEAK-BEGIN
	|KMEMLEAK-END 0
	|init: debug_locks=1
	"""


def fixture(name):
	with open(os.path.join(FIXTURES, name)) as f:
		return f.read()


class DebugKernelTests(Base):
	"""The debug kernel's checkers, on real console text."""

	def test_every_fixture_is_a_splat(self):
		for name, header in SPLAT_FIXTURES.items():
			with self.subTest(fixture=name):
				text = fixture(name) + log(EXIT_OK)
				status, out = run_raw(text)
				self.assertEqual(status, 1, out)
				self.assertRegex(out, r'Splats: [1-9]')
				self.assertIn(header, out)

	def test_fixtures_are_real_console_text(self):
		# Captured, not written by hand: every one has printk timestamps.
		for name in SPLAT_FIXTURES:
			with self.subTest(fixture=name):
				lines = fixture(name).splitlines()
				self.assertTrue(any(cc.TIMESTAMP.match(l) for l in lines))

	def test_clean_debug_run_passes(self):
		r = run(OOM_REPORT + DEBUG_END_CLEAN + EXIT_OK, '--debug-kernel')
		self.assertVerdict(r, 0, '2 passed, 0 failed')
		self.assertIn('kmemleak: 0 suspected leak(s)', r[1])
		self.assertIn('lockdep: debug_locks=1', r[1])

	def test_kmemleak_report_fails(self):
		text = (log('|KMEMLEAK-BEGIN\n') + fixture('kmemleak.log') +
			log('|KMEMLEAK-END 1\n|init: debug_locks=1\n' + EXIT_OK))
		status, out = run_raw(text, '--debug-kernel')
		self.assertEqual(status, 1, out)
		self.assertIn('kmemleak reported 1 suspected leak(s)', out)

	def test_kmemleak_cut_short_fails(self):
		r = run('|KMEMLEAK-BEGIN\n|init: debug_locks=1\n' + EXIT_OK,
			'--debug-kernel')
		self.assertEqual(r[0], 1, r[1])
		self.assertIn('cut short', r[1])

	def test_lockdep_off_fails(self):
		text = DEBUG_END_CLEAN.replace('debug_locks=1', 'debug_locks=0')
		r = run(text + EXIT_OK, '--debug-kernel')
		self.assertEqual(r[0], 1, r[1])
		self.assertIn('init: debug_locks=0', r[1])

	def test_debug_kernel_needs_the_final_checks(self):
		r = run(OOM_REPORT + EXIT_OK, '--debug-kernel')
		self.assertEqual(r[0], 1, r[1])
		self.assertIn('no kmemleak scan in the log', r[1])
		self.assertIn('no lockdep state in the log', r[1])
		# Without --debug-kernel, their absence is fine.
		self.assertEqual(run(OOM_REPORT + EXIT_OK)[0], 0)

	def test_kmemleak_giving_up_fails(self):
		text = ('kmemleak: Cannot allocate a kmemleak_object structure\n'
			'kmemleak: Kernel memory leak detector disabled\n' + EXIT_OK)
		self.assertEqual(run(text)[0], 1)

	def test_kmemleak_full_object_scan_is_not_a_splat(self):
		# Under fault injection kmemleak cannot allocate a scan area and
		# scans the whole object instead: nothing is lost.
		text = ('kmemleak: Cannot allocate a scan area, scanning the full object\n'
			+ DEBUG_END_CLEAN + EXIT_OK)
		self.assertEqual(run(text, '--debug-kernel')[0], 0)

	def test_rcu_stall_fails(self):
		text = ('rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n'
			+ EXIT_OK)
		self.assertEqual(run(text)[0], 1)

	def test_slub_report_fails(self):
		text = ('BUG kmalloc-64 (Tainted: G    B   O      ): Redzone overwritten\n'
			+ EXIT_OK)
		self.assertEqual(run(text)[0], 1)

	def test_kmemleak_boot_lines_are_not_splats(self):
		text = ('kmemleak: Kernel memory leak detector initialized (mem pool available: 31000)\n'
			'kfence: initialized - using 2097152 bytes for 255 objects\n'
			+ DEBUG_END_CLEAN + EXIT_OK)
		self.assertEqual(run(text, '--debug-kernel')[0], 0)


if __name__ == '__main__':
	unittest.main()
