# SPDX-License-Identifier: GPL-2.0
"""Tests of tools/testing/oomfrag_log.py, and of the guest shell's parser
(guest/lib.sh) against it on the same lines.

Run: python3 -m unittest discover -s tools/testing -p 'test_*.py'
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oomfrag_log as ol  # noqa: E402

FIXTURES = os.path.join(HERE, 'fixtures')


def console_fixtures():
	"""The files of FIXTURES (fixtures/reports/ is the analyzer's)."""
	paths = (os.path.join(FIXTURES, p) for p in sorted(os.listdir(FIXTURES)))
	return [p for p in paths if os.path.isfile(p)]
GUEST_LIB = os.path.join(HERE, 'guest', 'lib.sh')

# Lines as the kernel 7.3 console prints them.
OOM = ('[   12.345678] oomfrag: event=oom seq=2 trigger=alloc verdict=cma '
       'order=0 gfp=0xcc0(GFP_KERNEL) comm=sh pid=49 zones=2 eligible=2 '
       'decided=min drift=0 compute_ns=150684')
ZONE = ('[   12.345679] oomfrag: event=zone seq=2 node=0 zone=DMA32 eligible=1 '
	'free_kb=265552 min_kb=3412 low_kb=4264 high_kb=5116 boost_kb=0 '
	'reserve_kb=0 free_cma_kb=262144 highatomic_kb=0 usable_kb=3408 '
	'largest_order=5 largest_any=10 ok=0 ok_low=0 ok_high=0 ok_last=0 '
	'cause=cma unusable_idx=0.000 frag_idx=-1.000')
INVOKED = ('[   12.400000] insmod invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), '
	   'order=0, oom_score_adj=0')
KZONE = ('Node 0 DMA32 free:272596kB boost:0kB min:3412kB low:4264kB '
	 'high:5116kB reserved_highatomic:0KB free_highatomic:0KB active_anon:0kB '
	 'inactive_anon:0kB active_file:0kB inactive_file:0kB unevictable:0kB '
	 'writepending:0kB present:770048kB managed:748588kB mlocked:0kB '
	 'bounce:0kB free_pcp:0kB local_pcp:0kB free_cma:262144kB')
BUDDY = ('Node 0 DMA32: 23*4kB (UM) 23*8kB (UM) 17*16kB (UM) 14*32kB (UM) '
	 '16*64kB (UM) 8*128kB (UM) 7*256kB (UM) 7*512kB (UM) 2*1024kB (UM) '
	 '0*2048kB 64*4096kB (C) = 272612kB')

GFP_RS = """\
// SPDX-License-Identifier: GPL-2.0
//! gfp bits (test copy).
const fn bit(n: u32) -> u32 {
    1 << n
}
/// `__GFP_MOVABLE`.
pub const MOVABLE: u32 = bit(3);
/// `__GFP_RECLAIMABLE`.
pub const RECLAIMABLE: u32 = bit(4);
pub const HIGH: u32 = bit(5);
"""


def gfp_file(text):
	"""A temporary gfp.rs holding TEXT; removed at the end of the test."""
	f = tempfile.NamedTemporaryFile('w', suffix='.rs', delete=False)
	f.write(text)
	f.close()
	return f.name


class Timestamps(unittest.TestCase):
	def test_plain(self):
		self.assertEqual(ol.strip_timestamp('[   12.345678] oomfrag: x=1'),
				 'oomfrag: x=1')

	def test_caller_id(self):
		self.assertEqual(ol.strip_timestamp('[    1.234000][    T1] Node 0 '),
				 'Node 0 ')
		self.assertEqual(ol.strip_timestamp('[    1.234000][  C12] a b'), 'a b')

	def test_userspace_line_untouched(self):
		for l in ('SCENARIO cma expect=cma', 'MemFree:  1 kB',
			  'SCENARIO-DRIFT cma try=1: [   10.100000] oomfrag: event=oom'):
			self.assertEqual(ol.strip_timestamp(l), l)


class Continuations(unittest.TestCase):
	def test_zone_line_rejoined(self):
		msgs = ['Node 0 ', 'MemFree: 1 kB', 'DMA32 free:2188kB boost:0kB', 'x']
		self.assertEqual(ol.join_continuations(msgs),
				 ['Node 0 DMA32 free:2188kB boost:0kB', 'MemFree: 1 kB', 'x'])

	def test_buddy_line_rejoined(self):
		msgs = ['Node 1 ', 'DMA32: 1*4kB (U) 0*8kB = 4kB']
		self.assertEqual(ol.join_continuations(msgs),
				 ['Node 1 DMA32: 1*4kB (U) 0*8kB = 4kB'])

	def test_too_far_apart_not_joined(self):
		msgs = ['Node 0 ', 'a', 'b', 'c', 'DMA32 free:2188kB']
		self.assertEqual(ol.join_continuations(msgs), msgs)

	def test_whole_lines_untouched(self):
		msgs = [KZONE, BUDDY, 'lowmem_reserve[]: 0 0 0 0']
		self.assertEqual(ol.join_continuations(msgs), msgs)

	def test_read_console_fixture(self):
		msgs = ol.read_console(os.path.join(FIXTURES, 'oom-split.log'))
		zones = [z for z in map(ol.parse_kernel_zone, msgs) if z]
		buddies = [b for b in map(ol.parse_buddy, msgs) if b]
		self.assertEqual([z['zone'] for z in zones], ['DMA', 'DMA32'])
		self.assertEqual([b['zone'] for b in buddies], ['DMA', 'DMA32'])
		self.assertEqual(zones[1]['free_kb'], 416168)
		self.assertFalse(any(m.startswith('[') for m in msgs), msgs)


	def test_read_console_serial_crlf(self):
		with open(os.path.join(FIXTURES, 'oom-cma.log')) as f:
			text = f.read().replace('\n', '\r\n')
		with tempfile.NamedTemporaryFile('w', newline='', suffix='.log') as f:
			f.write(text)
			f.flush()
			msgs = ol.read_console(f.name)
		self.assertFalse(any('\r' in m for m in msgs))
		self.assertEqual([b['total_kb'] for b in map(ol.parse_buddy, msgs) if b],
				 [2992, 265552])


class Oomfrag(unittest.TestCase):
	def test_oom(self):
		e = ol.parse_oomfrag(OOM)
		self.assertEqual(e['event'], 'oom')
		self.assertEqual(e['verdict'], 'cma')
		self.assertEqual(e['gfp'], '0xcc0(GFP_KERNEL)')
		self.assertEqual(e['compute_ns'], '150684')
		self.assertEqual(len(e), 13)

	def test_zone(self):
		z = ol.parse_oomfrag(ZONE)
		self.assertEqual(z['event'], 'zone')
		self.assertEqual((z['node'], z['zone'], z['free_kb']), ('0', 'DMA32', '265552'))
		self.assertEqual(z['largest_order'], '5')
		self.assertEqual(z['frag_idx'], '-1.000')

	def test_values_with_parentheses_and_bars(self):
		e = ol.parse_oomfrag('oomfrag: event=oom seq=1 trigger=query verdict=none '
				     'order=3 gfp=0x2cc0(GFP_KERNEL|__GFP_NOWARN) '
				     'eval_gfp=0x100cca(GFP_HIGHUSER_MOVABLE) comm=a=b pid=1')
		self.assertEqual(e['gfp'], '0x2cc0(GFP_KERNEL|__GFP_NOWARN)')
		self.assertEqual(e['eval_gfp'], '0x100cca(GFP_HIGHUSER_MOVABLE)')
		self.assertEqual(e['comm'], 'a=b')

	def test_not_an_event(self):
		for l in ('oomfrag: query rejected: order=99',
			  'oomfrag: loaded without the out_of_memory kprobe',
			  'event=oom seq=1 trigger=query',	# the query file, no prefix
			  KZONE, INVOKED):
			self.assertIsNone(ol.parse_oomfrag(l), l)


class KernelReport(unittest.TestCase):
	def test_invoked(self):
		k = ol.parse_invoked(INVOKED)
		self.assertEqual(k, {'gfp': 0xcc0, 'gfp_hex': '0xcc0',
				     'gfp_names': 'GFP_KERNEL', 'order': 0})

	def test_invoked_sysrq(self):
		k = ol.parse_invoked('kworker/0:0 invoked oom-killer: gfp_mask=0x100cca('
				     'GFP_HIGHUSER_MOVABLE), order=-1, oom_score_adj=0')
		self.assertEqual((k['gfp'], k['order']), (0x100cca, -1))
		self.assertIsNone(ol.parse_invoked(OOM))

	def test_zone(self):
		z = ol.parse_kernel_zone(ol.strip_timestamp('[   12.5] ' + KZONE))
		self.assertEqual(z, {'node': '0', 'zone': 'DMA32', 'free_kb': 272596,
				     'boost_kb': 0, 'min_kb': 3412, 'low_kb': 4264,
				     'high_kb': 5116, 'free_cma_kb': 262144})

	def test_zone_shortened(self):
		# As in Documentation/oomfrag.rst, fields elided with "...".
		z = ol.parse_kernel_zone('Node 1 Movable free:208kB boost:8kB min:240kB '
					 'low:584kB high:928kB ... free_cma:0kB')
		self.assertEqual((z['node'], z['zone'], z['boost_kb'], z['high_kb']),
				 ('1', 'Movable', 8, 928))

	def test_without_numa_no_node_prefix(self):
		# A kernel without CONFIG_NUMA (arm64 16K guest, 7.3): show_node()
		# prints nothing, so the lines start with the zone; node 0.
		z = ol.parse_kernel_zone(
			'DMA free:2672kB boost:0kB min:2848kB low:3552kB high:4256kB '
			'reserved_highatomic:0kB free_highatomic:0kB present:524288kB '
			'managed:512720kB free_pcp:448kB local_pcp:448kB free_cma:128kB')
		self.assertEqual((z['node'], z['zone'], z['free_kb'], z['min_kb'], z['free_cma_kb']),
				 ('0', 'DMA', 2672, 2848, 128))
		b = ol.parse_buddy('DMA: 55*16kB (M) 16*32kB (M) 9*64kB (M) 4*128kB (MC) '
				   '0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB 0*8192kB '
				   '0*16384kB 0*32768kB = 2480kB')
		self.assertEqual((b['node'], b['zone'], b['total_kb'], len(b['orders'])),
				 ('0', 'DMA', 2480, 12))
		self.assertEqual(b['orders'][3], (4, 128, frozenset('MC')))
		self.assertIsNone(ol.parse_buddy('DMA: preallocated 128 KiB GFP_KERNEL|GFP_DMA pool'))

	def test_zone_not_buddy(self):
		self.assertIsNone(ol.parse_kernel_zone(BUDDY))
		self.assertIsNone(ol.parse_buddy(KZONE))
		self.assertIsNone(ol.parse_kernel_zone('DMA32 free:2188kB boost:0kB'))

	def test_buddy(self):
		b = ol.parse_buddy(BUDDY)
		self.assertEqual((b['node'], b['zone'], b['total_kb']), ('0', 'DMA32', 272612))
		self.assertEqual(len(b['orders']), 11)
		self.assertEqual(b['orders'][0], (23, 4, frozenset('UM')))
		self.assertEqual(b['orders'][9], (0, 2048, frozenset()))
		self.assertEqual(b['orders'][10], (64, 4096, frozenset('C')))
		self.assertEqual(sum(c * kb for c, kb, _ in b['orders']), b['total_kb'])

	def test_largest_order_cma_only_for_movable(self):
		bits = {'MOVABLE': 0x8, 'RECLAIMABLE': 0x10}
		b = ol.parse_buddy(BUDDY)
		kernel = ol.usable_types(0xcc0, bits)			# GFP_KERNEL
		movable = ol.usable_types(0x100cca, bits)		# GFP_HIGHUSER_MOVABLE
		self.assertEqual(kernel, set('UME'))
		self.assertEqual(movable, set('UMEC'))
		self.assertEqual(ol.largest_order(b, kernel), 8)
		self.assertEqual(ol.largest_order(b, movable), 10)
		# A movable and reclaimable mask is MIGRATE_RECLAIMABLE: no CMA.
		self.assertEqual(ol.usable_types(0x18, bits), set('UME'))

	def test_largest_order_mixed_letters(self):
		b = ol.parse_buddy('Node 0 DMA32: 37*4kB (UMC) 21*8kB (UM) 9*16kB (UMC) '
				   '6*32kB (UM) 2*64kB (M) 1*128kB (M) 1*256kB (M) 0*512kB '
				   '1*1024kB (C) 0*2048kB 0*4096kB = 2188kB')
		self.assertEqual(ol.largest_order(b, set('UME')), 6)
		self.assertEqual(ol.largest_order(b, set('UMEC')), 8)
		self.assertEqual(ol.largest_order(b, set('H')), None)

	def test_largest_order_none_free(self):
		b = ol.parse_buddy('Node 0 Movable: 0*4kB 0*8kB 0*16kB = 0kB')
		self.assertIsNone(ol.largest_order(b, set('UMEC')))


class GfpBits(unittest.TestCase):
	def path(self, text):
		p = gfp_file(text)
		self.addCleanup(os.unlink, p)
		return p

	def test_reads_the_bits(self):
		self.assertEqual(ol.gfp_bits(self.path(GFP_RS)),
				 {'MOVABLE': 0x8, 'RECLAIMABLE': 0x10})
		self.assertEqual(ol.gfp_bits(self.path(GFP_RS), names=('HIGH',)),
				 {'HIGH': 0x20})

	def test_other_values_are_read_not_assumed(self):
		p = self.path(GFP_RS.replace('bit(3)', 'bit(7)'))
		self.assertEqual(ol.gfp_bits(p)['MOVABLE'], 0x80)

	def test_missing_flag_fails_loudly(self):
		p = self.path(GFP_RS.replace('pub const RECLAIMABLE', '// pub const RECLAIMABLE'))
		with self.assertRaisesRegex(ol.GfpBitsError, 'RECLAIMABLE'):
			ol.gfp_bits(p)

	def test_other_form_is_not_guessed(self):
		p = self.path(GFP_RS.replace('bit(4)', '0x10'))
		with self.assertRaisesRegex(ol.GfpBitsError, 'RECLAIMABLE'):
			ol.gfp_bits(p)

	def test_conflicting_definitions_fail(self):
		p = self.path(GFP_RS + 'pub const MOVABLE: u32 = bit(9);\n')
		with self.assertRaisesRegex(ol.GfpBitsError, 'MOVABLE is defined twice'):
			ol.gfp_bits(p)

	def test_missing_file_fails_loudly(self):
		with self.assertRaisesRegex(ol.GfpBitsError, 'cannot read'):
			ol.gfp_bits('/nonexistent/gfp.rs')

	def test_default_path(self):
		self.assertEqual(ol.GFP_RS, os.path.normpath(
			os.path.join(HERE, '..', '..', 'rust', 'engine',
				     'gfp_types.rs')))

	def test_real_gfp_rs(self):
		# The kernel's ___GFP_MOVABLE_BIT and ___GFP_RECLAIMABLE_BIT.
		self.assertEqual(ol.gfp_bits(), {'MOVABLE': 0x8, 'RECLAIMABLE': 0x10})


class Drift(unittest.TestCase):
	def test_rule(self):
		self.assertTrue(ol.drift_ok(265552, 272596))		# the cma example
		self.assertTrue(ol.drift_ok(0, 2155))		# 2155 // 20 + 2048
		self.assertFalse(ol.drift_ok(0, 2156))
		limit = 400000 // ol.DRIFT_DIV + ol.DRIFT_KB
		self.assertTrue(ol.drift_ok(400000, 400000 - limit))
		self.assertFalse(ol.drift_ok(400000, 400000 - limit - 1))
		self.assertTrue(ol.drift_ok(400000 - limit, 400000))	# symmetric
		self.assertFalse(ol.drift_ok(400000 - limit - 1, 400000))

	def test_documented(self):
		for word in ('kswapd', 'per-CPU', 'lib.sh'):
			self.assertIn(word, ol.drift_ok.__doc__)


def guest_shell():
	"""The guest's shell (busybox ash) if the host has it, else sh."""
	bb = shutil.which('busybox')
	return [bb, 'sh'] if bb else ['sh']


def lib_sh(*args):
	"""Run SCRIPT (args[0]) after sourcing guest/lib.sh, with the rest of
	ARGS as $1...; returns (exit status, stdout)."""
	script, rest = args[0], args[1:]
	p = subprocess.run(guest_shell() + ['-c', '. "$0"; ' + script, GUEST_LIB, *rest],
			   capture_output=True, text=True, timeout=30)
	return p.returncode, p.stdout


class GuestShell(unittest.TestCase):
	"""lib.sh is the guest's one parser: it must agree with this one."""

	def setUp(self):
		with open(GUEST_LIB) as f:
			self.lib = f.read()

	def test_drift_numbers_equal(self):
		for name in ('DRIFT_DIV', 'DRIFT_KB'):
			m = re.findall(r'^%s=(\d+)$' % name, self.lib, re.M)
			self.assertEqual(len(m), 1, f'one {name}= line in guest/lib.sh')
			self.assertEqual(int(m[0]), getattr(ol, name), name)

	def test_drift_ok_same_rule(self):
		limit = 400000 // ol.DRIFT_DIV + ol.DRIFT_KB
		for a, b in ((265552, 272596), (0, 2155), (0, 2156),
			     (400000, 400000 - limit), (400000, 400000 - limit - 1),
			     (400000 - limit - 1, 400000), (7, 7)):
			rc, _ = lib_sh('drift_ok "$1" "$2"', str(a), str(b))
			self.assertEqual(rc == 0, ol.drift_ok(a, b), (a, b))
		rc, _ = lib_sh('drift_ok "" 5')
		self.assertNotEqual(rc, 0, 'an empty size is no agreement')

	def test_value_agrees(self):
		lines = [OOM, ZONE, '[    1.000000][   T1] oomfrag: event=oom seq=1 '
			 'trigger=query order=3 gfp=0x2cc0(GFP_KERNEL|__GFP_NOWARN) comm=a=b pid=1']
		for path in console_fixtures():
			with open(path) as f:
				lines += [l.rstrip('\n') for l in f]
		for l in lines:
			e = ol.parse_oomfrag(ol.strip_timestamp(l))
			if not e or l.startswith('SCENARIO'):
				continue
			keys = sorted(e)
			rc, out = lib_sh('for k in ' + ' '.join(keys) +
					 '; do value $k "$1"; done', l)
			self.assertEqual(out.splitlines(), [e[k] for k in keys], l)

	def test_kernel_kb_agrees(self):
		for path in console_fixtures():
			for m in ol.read_console(path):
				z = ol.parse_kernel_zone(m)
				if not z:
					continue
				keys = [k[:-3] for k in ol.KZONE_KEYS]
				rc, out = lib_sh('for k in ' + ' '.join(keys) +
						 '; do kernel_kb $k "$1"; done', m)
				self.assertEqual(out.splitlines(),
						 [str(z[k + '_kb']) for k in keys], m)

	def test_guest_scripts_parse(self):
		for name in sorted(os.listdir(os.path.join(HERE, 'guest'))):
			if name.endswith('.sh'):
				p = subprocess.run(guest_shell() + ['-n', os.path.join(HERE, 'guest', name)],
						   capture_output=True, text=True)
				self.assertEqual(p.returncode, 0, f'{name}: {p.stderr}')


if __name__ == '__main__':
	unittest.main()
