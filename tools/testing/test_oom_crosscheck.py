# SPDX-License-Identifier: GPL-2.0
"""Tests of tools/testing/oom-crosscheck on the console logs in fixtures/
(real formats, kernel 7.3) and on copies of them with one thing changed.

Run: python3 -m unittest discover -s tools/testing -p 'test_*.py'
"""

import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, 'oom-crosscheck')
FIXTURES = os.path.join(HERE, 'fixtures')

# The bits as rust/engine/gfp_types.rs defines them (the kernel's ___GFP_*_BIT); a
# copy, so that these tests do not depend on the module's sources.
GFP_RS = 'pub const MOVABLE: u32 = bit(3);\npub const RECLAIMABLE: u32 = bit(4);\n'


class Run:
	def __init__(self, proc):
		self.rc = proc.returncode
		self.out = proc.stdout
		self.err = proc.stderr
		self.lines = proc.stdout.splitlines()

	def ok(self, name):
		return f'OOM-CHECK ok {name}' in self.lines

	def not_ok(self, name):
		"""The reason of a failed check NAME, or None."""
		for l in self.lines:
			if l.startswith(f'OOM-CHECK not ok {name} '):
				return l[len(f'OOM-CHECK not ok {name} '):]
		return None


class CrossCheck(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		cls.tmp = tempfile.TemporaryDirectory(prefix='test_oom_crosscheck.')
		cls.gfp_rs = os.path.join(cls.tmp.name, 'gfp.rs')
		with open(cls.gfp_rs, 'w') as f:
			f.write(GFP_RS)

	@classmethod
	def tearDownClass(cls):
		cls.tmp.cleanup()

	def fixture(self, name, *changes):
		"""The path of fixture NAME, or of a copy with each (old, new) of
		CHANGES replaced (each old must occur exactly once)."""
		path = os.path.join(FIXTURES, name)
		if not changes:
			return path
		with open(path) as f:
			text = f.read()
		for old, new in changes:
			self.assertEqual(text.count(old), 1, f'{old!r} in {name}')
			text = text.replace(old, new)
		out = os.path.join(self.tmp.name, f'{self.id()}.log')
		with open(out, 'w') as f:
			f.write(text)
		return out

	def run_tool(self, log, gfp_rs=None):
		p = subprocess.run([sys.executable, TOOL, '--gfp-rs', gfp_rs or self.gfp_rs, log],
				   capture_output=True, text=True, timeout=60)
		return Run(p)

	def assertPasses(self, r, n):
		self.assertEqual(r.rc, 0, r.out + r.err)
		self.assertEqual(r.lines[-1], f'{n} passed, 0 failed', r.out)
		self.assertNotIn('not ok', r.out)

	def assertFails(self, r, n_failed=1):
		self.assertEqual(r.rc, 1, r.out + r.err)
		self.assertRegex(r.lines[-1], rf'^\d+ passed, {n_failed} failed$', r.out)

	# A consistent log.

	def test_consistent_log_passes(self):
		r = self.run_tool(self.fixture('oom-cma.log'))
		self.assertPasses(r, 18)
		for name in ('cma_verdict', 'cma_gfp', 'cma_order', 'cma_zone_lines',
			     'cma_n0_DMA_largest_order', 'cma_n0_DMA32_min_kb',
			     'cma_n0_DMA32_free_cma_kb', 'cma_n0_DMA32_largest_order'):
			self.assertTrue(r.ok(name), name)
		self.assertIn('drift scenario=cma node=0 zone=DMA32 oomfrag_free_kb=265552 '
			      'kernel_free_kb=265552 diff_kb=0', r.lines)

	# What must fail.

	def test_other_verdict_fails(self):
		r = self.run_tool(self.fixture('oom-cma.log',
					       ('SCENARIO cma expect=cma', 'SCENARIO cma expect=exhaustion')))
		self.assertFails(r)
		self.assertEqual(r.not_ok('cma_verdict'), 'verdict=cma expected exhaustion')

	def test_min_kb_disagreeing_with_kernel_fails(self):
		r = self.run_tool(self.fixture('oom-cma.log',
					       ('Node 0 DMA32 free:265552kB boost:0kB min:3412kB',
						'Node 0 DMA32 free:265552kB boost:0kB min:3400kB')))
		self.assertFails(r)
		self.assertEqual(r.not_ok('cma_n0_DMA32_min_kb'),
				 'oomfrag 3412 (boost 0) kernel 3400 (boost 0)')
		self.assertTrue(r.ok('cma_n0_DMA32_low_kb'))

	def test_free_cma_disagreeing_fails(self):
		r = self.run_tool(self.fixture('oom-cma.log',
					       ('free_cma:262144kB', 'free_cma:258048kB')))
		self.assertFails(r)
		self.assertIsNotNone(r.not_ok('cma_n0_DMA32_free_cma_kb'))

	def test_gfp_and_order_disagreeing_fail(self):
		r = self.run_tool(self.fixture('oom-cma.log',
					       ('gfp_mask=0xcc0(GFP_KERNEL), order=0',
						'gfp_mask=0x2cc0(GFP_KERNEL|__GFP_NOWARN), order=1')))
		self.assertFails(r, 2)
		self.assertEqual(r.not_ok('cma_gfp'), 'oomfrag 0xcc0(GFP_KERNEL) kernel 0x2cc0')
		self.assertEqual(r.not_ok('cma_order'), 'oomfrag 0 kernel 1')

	def test_missing_kernel_zone_line_fails(self):
		r = self.run_tool(self.fixture('oom-cma.log',
					       ('Node 0 DMA free:2992kB', 'Node 0 DMX free:2992kB')))
		# The zone is missing, and the printed set is not the eligible one.
		self.assertFails(r, 2)
		self.assertIsNotNone(r.not_ok('cma_n0_DMA_kernel_line'))
		self.assertIsNotNone(r.not_ok('cma_eligible_zones'))

	def test_missing_kernel_report_fails(self):
		r = self.run_tool(self.fixture('oom-cma.log', ('sh invoked oom-killer', 'sh invoked nothing')))
		self.assertFails(r)
		self.assertIsNotNone(r.not_ok('cma_kernel_report'))

	def test_missing_oomfrag_line_fails(self):
		r = self.run_tool(self.fixture('oom-cma.log', ('oomfrag: event=oom', 'oomfrag: event=xyz')))
		self.assertFails(r)
		self.assertEqual(r.not_ok('cma_event'), 'no oomfrag event=oom line')

	def test_no_scenario_fails(self):
		r = self.run_tool(self.fixture('oom-cma.log', ('SCENARIO cma expect=cma\n', '')))
		self.assertFails(r)
		self.assertIsNotNone(r.not_ok('scenarios'))

	def test_largest_order_disagreeing_fails_when_free_unchanged(self):
		r = self.run_tool(self.fixture('oom-cma.log',
					       ('usable_kb=3408 largest_order=5', 'usable_kb=3408 largest_order=6')))
		self.assertFails(r)
		self.assertEqual(r.not_ok('cma_n0_DMA32_largest_order'), 'oomfrag 6 kernel buddy list 5')

	# Drift.

	def test_drift_within_tolerance_passes_and_is_reported(self):
		# The free sizes differ by 7044 kB (limit 272596 // 20 + 2048), and
		# the pages that came back merged into an order-8 block.
		r = self.run_tool(self.fixture('oom-cma-drift.log'))
		self.assertPasses(r, 18)
		self.assertIn('drift scenario=cma node=0 zone=DMA32 oomfrag_free_kb=265552 '
			      'kernel_free_kb=272596 diff_kb=-7044', r.lines)
		self.assertIn('drift scenario=cma node=0 zone=DMA32 largest_order oomfrag=5 '
			      'kernel=8 (free moved by -7044 kB)', r.lines)

	def test_drift_beyond_tolerance_fails(self):
		# 272596 // 20 + 2048 = 15677: one kB more than that.
		r = self.run_tool(self.fixture('oom-cma-drift.log',
					       ('free_kb=265552', f'free_kb={272596 - 15678}')))
		self.assertFails(r)
		self.assertEqual(r.not_ok('cma_n0_DMA32_free_kb'),
				 f'oomfrag {272596 - 15678} kernel 272596')
		r = self.run_tool(self.fixture('oom-cma-drift.log',
					       ('free_kb=265552', f'free_kb={272596 - 15677}')))
		self.assertPasses(r, 18)

	def test_free_cma_drifts_with_free(self):
		# Free moved by -7044 kB (limit 272596 // 20 + 2048 = 15677): the
		# kernel's free_cma may have moved too, within the same limit.
		r = self.run_tool(self.fixture('oom-cma-drift.log',
					       ('free_cma:262144kB', 'free_cma:258048kB')))
		self.assertPasses(r, 18)
		self.assertIn('drift scenario=cma node=0 zone=DMA32 free_cma oomfrag=262144 '
			      'kernel=258048 (free moved by -7044 kB)', r.lines)
		r = self.run_tool(self.fixture('oom-cma-drift.log',
					       ('free_cma:262144kB', f'free_cma:{262144 - 15678}kB')))
		self.assertFails(r)
		self.assertEqual(r.not_ok('cma_n0_DMA32_free_cma_kb'),
				 f'oomfrag 262144 kernel {262144 - 15678}, beyond the drift of free')

	def test_boost_ended_between_prints_passes(self):
		# kswapd ended DMA32's boost: the kernel prints lower watermarks.
		r = self.run_tool(self.fixture(
			'oom-split.log',
			('DMA32 free:416168kB boost:6168kB min:8912kB low:9596kB high:10280kB',
			 'DMA32 free:416168kB boost:0kB min:2744kB low:3428kB high:4112kB')))
		self.assertPasses(r, 18)
		self.assertIn('drift scenario=fragmentation_order=3 node=0 zone=DMA32 '
			      'boost oomfrag=6168 kernel=0', r.lines)

	def test_rerun_after_drift_passes(self):
		r = self.run_tool(self.fixture('oom-rerun.log'))
		self.assertPasses(r, 19)
		self.assertTrue(r.ok('cma_rerun_0_was_drift'))
		self.assertTrue(r.ok('cma_verdict'))
		self.assertTrue(any(l.startswith('drift scenario=cma run again: ') for l in r.lines))

	def test_rerun_without_drift_fails(self):
		r = self.run_tool(self.fixture('oom-rerun.log',
					       ('decided=min drift=1 compute_ns=574997\n[',
						'decided=min drift=0 compute_ns=574997\n[')))
		self.assertFails(r)
		self.assertEqual(r.not_ok('cma_rerun_0_was_drift'), 'run again without drift=1')
		self.assertTrue(r.ok('cma_verdict'))

	# Usable migrate types: CMA only for a movable request.

	def test_movable_request_may_use_cma_blocks(self):
		r = self.run_tool(self.fixture('oom-movable-cma.log'))
		self.assertPasses(r, 18)
		self.assertTrue(r.ok('exhaustion_n0_DMA32_largest_order'))

	def test_kernel_request_may_not_use_cma_blocks(self):
		# The same free lists for GFP_KERNEL: the order-8 block is CMA, the
		# largest usable is order 6; oomfrag's 8 is then wrong.
		r = self.run_tool(self.fixture(
			'oom-movable-cma.log',
			('gfp=0x100cca(GFP_HIGHUSER_MOVABLE)', 'gfp=0xcc0(GFP_KERNEL)'),
			('gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE)', 'gfp_mask=0xcc0(GFP_KERNEL)')))
		self.assertFails(r)
		self.assertEqual(r.not_ok('exhaustion_n0_DMA32_largest_order'),
				 'oomfrag 8 kernel buddy list 6')

	def test_gfp_bits_come_from_gfp_rs(self):
		# With MOVABLE at another bit, 0x100cca is no movable request.
		other = os.path.join(self.tmp.name, 'gfp-other.rs')
		with open(other, 'w') as f:
			f.write(GFP_RS.replace('bit(3)', 'bit(2)'))
		r = self.run_tool(self.fixture('oom-movable-cma.log'), gfp_rs=other)
		self.assertFails(r)
		self.assertEqual(r.not_ok('exhaustion_n0_DMA32_largest_order'),
				 'oomfrag 8 kernel buddy list 6')

	def test_without_gfp_rs_fails_loudly(self):
		r = self.run_tool(self.fixture('oom-cma.log'),
				  gfp_rs=os.path.join(self.tmp.name, 'missing.rs'))
		self.assertEqual(r.rc, 2)
		self.assertIn('oom-crosscheck: error: cannot read the gfp bits', r.err)
		self.assertNotIn('passed', r.out)

	# Console shapes.

	def test_split_lines_and_caller_ids(self):
		# Zone and buddy lines split by pr_cont() around other messages,
		# timestamps with caller ids ("[   20.5][   T87] ").
		r = self.run_tool(self.fixture('oom-split.log'))
		self.assertPasses(r, 18)
		self.assertTrue(r.ok('fragmentation_order=3_n0_DMA32_min_kb'))
		self.assertTrue(r.ok('fragmentation_order=3_n0_DMA32_largest_order'))

	def test_memcg_and_sysrq(self):
		r = self.run_tool(self.fixture('oom-memcg-sysrq.log'))
		self.assertPasses(r, 23)
		self.assertTrue(r.ok('memcg_no_zone_lines'))
		self.assertTrue(r.ok('sysrq_order'))	# order=-1 on both sides
		self.assertTrue(r.ok('sysrq_n0_DMA32_largest_order'))

	def test_alternative_verdicts(self):
		ok = self.run_tool(self.fixture('oom-cma.log', (
			'SCENARIO cma expect=cma', 'SCENARIO cma expect=boost|cma')))
		self.assertPasses(ok, 18)
		bad = self.run_tool(self.fixture('oom-cma.log', (
			'SCENARIO cma expect=cma', 'SCENARIO cma expect=boost|exhaustion')))
		self.assertFails(bad)

	def test_constraint_must_match_the_kernels(self):
		r = self.run_tool(self.fixture('oom-cma.log', (
			'oom-kill:constraint=CONSTRAINT_NONE', 'oom-kill:constraint=CONSTRAINT_CPUSET')))
		self.assertFails(r)
		self.assertEqual(r.not_ok('cma_constraint'), 'oomfrag constraint=none kernel cpuset')

	def test_expected_constraint(self):
		ok = self.run_tool(self.fixture('oom-cma.log', (
			'SCENARIO cma expect=cma', 'SCENARIO cma expect=cma constraint=none')))
		self.assertPasses(ok, 19)
		self.assertTrue(ok.ok('cma_constraint_expected'))
		bad = self.run_tool(self.fixture('oom-cma.log', (
			'SCENARIO cma expect=cma', 'SCENARIO cma expect=cma constraint=cpuset')))
		self.assertFails(bad)
		self.assertEqual(bad.not_ok('cma_constraint_expected'), 'constraint=none expected cpuset')

	def test_printed_zones_are_the_eligible_ones(self):
		# The kernel prints only zones the request may use: an eligible=0
		# zone it printed is a disagreement.
		r = self.run_tool(self.fixture('oom-cma.log', (
			'seq=2 node=0 zone=DMA eligible=1', 'seq=2 node=0 zone=DMA eligible=0')))
		self.assertFails(r)
		self.assertIn("oomfrag eligible [('0', 'DMA32')]", r.not_ok('cma_eligible_zones'))

	def test_no_kill_means_no_report(self):
		# out_of_memory() returned early (GFP_NOFS): the kernel printed
		# nothing for that call.
		quiet = self.fixture('oom-cma.log', (
			'constraint=none kill=1 comm=sh', 'constraint=none kill=0 reason=nofs comm=sh'))
		with open(quiet) as f:
			text = f.read()
		cut = text[:text.index('[   12.400000] sh invoked')] + 'GUEST-TEST ok scenario_cma\n'
		with open(quiet, 'w') as f:
			f.write(cut)
		r = self.run_tool(quiet)
		self.assertPasses(r, 2)
		self.assertTrue(r.ok('cma_no_kill_no_report'))
		loud = self.run_tool(self.fixture('oom-cma.log', (
			'constraint=none kill=1 comm=sh', 'constraint=none kill=0 reason=nofs comm=sh')))
		self.assertFails(loud)
		self.assertEqual(loud.not_ok('cma_no_kill_no_report'), 'kill=0 reason=nofs but the kernel reported')

	def test_memcg_with_zone_lines_fails(self):
		zone = ('oomfrag: event=zone seq=7 node=0 zone=DMA32 eligible=1 free_kb=1 '
			'min_kb=1 low_kb=1 high_kb=1 boost_kb=0 reserve_kb=0 free_cma_kb=0 '
			'highatomic_kb=0 usable_kb=1 largest_order=0 largest_any=0 ok=1 '
			'ok_low=1 ok_high=1 ok_last=1 cause=none unusable_idx=0.000 frag_idx=-1.000')
		r = self.run_tool(self.fixture('oom-memcg-sysrq.log',
					       ('[   30.400000] tail invoked',
						f'[   30.345679] {zone}\n[   30.400000] tail invoked')))
		self.assertFails(r)
		self.assertEqual(r.not_ok('memcg_no_zone_lines'), 'a memcg OOM is no zone shortage')


if __name__ == '__main__':
	unittest.main()
