# SPDX-License-Identifier: GPL-2.0
"""Parse a guest console log: oomfrag's lines and the kernel's OOM report.

The one Python parser of these formats for the harness (oom-crosscheck and
the tests); the guest's busybox shell has its own one, lib.sh's `value`.

  strip_timestamp(line)        "[    1.234567] " / "[    1.234567][    T1] "
  join_continuations(msgs)     "Node N " + pr_cont()ed "ZONE free:..." /
                               "ZONE: ..." split by another message
  read_console(path)           both of the above, for a whole log file
  parse_oomfrag(msg)           "oomfrag: event=oom|zone k=v ..." -> dict
  parse_invoked(msg)           "... invoked oom-killer: gfp_mask=0x..(..), order=N"
  parse_kernel_zone(msg)       "Node N ZONE free:..kB boost:..kB min:..kB ..."
  parse_buddy(msg)             "Node N ZONE: c*4kB (UME) ... = ..kB"
  largest_order(buddy, types)  largest order with a free block of TYPES
  usable_types(gfp)            migrate types a request may take blocks from
  drift_ok(a, b)               free kB of oomfrag and the kernel agree

The gfp bits come from rust/engine/gfp_types.rs, the module's single source of truth
(gfp_bits()).
"""

import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
GFP_RS = os.path.normpath(os.path.join(HERE, '..', '..', 'rust', 'engine',
				      'gfp_types.rs'))

# printk's console prefix: "[    1.234567] ", optionally with a caller id
# ("[    1.234567][    T1] ", CONFIG_PRINTK_CALLER).
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\](?:\[\s*[CT]\d+\])? ?')

# oomfrag's lines: "oomfrag: event=oom k=v ..." and "oomfrag: event=zone
# k=v ...".  Values never hold spaces (they may hold "(", ")" and "|").
OOMFRAG = re.compile(r'oomfrag: (event=(?:oom|zone)(?: .*)?)$')

# The kernel's report (mm/oom_kill.c dump_header(), mm/show_mem.c).
INVOKED = re.compile(r'invoked oom-killer: gfp_mask=(0x[0-9a-f]+)\(([^)]*)\), '
		     r'order=(-?\d+)')
# Without CONFIG_NUMA, show_node() prints no "Node N " (one node: 0).
KZONE = re.compile(r'^(?:Node (\d+) )?(\S+) free:(\d+)kB boost:(\d+)kB min:(\d+)kB '
		   r'low:(\d+)kB high:(\d+)kB.* free_cma:(\d+)kB')
KZONE_KEYS = ('free_kb', 'boost_kb', 'min_kb', 'low_kb', 'high_kb',
	      'free_cma_kb')
KBUDDY = re.compile(r'^(?:Node (\d+) )?(\S+): (.*) = (\d+)kB$')
KBUDDY_ORDER = re.compile(r'(\d+)\*(\d+)kB(?: \(([A-Z]+)\))?')
# Where the kernel's report ends.
END = re.compile(r'Out of memory|Memory cgroup out of memory|oom-kill:')

# Migrate types as show_migration_types() prints them.
NONCMA_TYPES = frozenset('UME')	# Unmovable, Movable, rEclaimable
CMA_TYPE = 'C'

# Free memory moves between oomfrag's snapshot and the kernel's report.
DRIFT_DIV = 20
DRIFT_KB = 2048


def drift_ok(a, b, zone_free=None):
	"""Whether free sizes A and B (kB) of one zone agree within drift.

	oomfrag takes its snapshot where the allocation failed; the kernel
	prints its report later, over a slow serial console, one zone after
	another.  In between, memory comes back: kswapd keeps reclaiming,
	per-CPU page lists are drained into the buddy lists, exiting tasks
	free their pages.  So free_kb may differ from the kernel's free:, by
	more in a bigger zone.  Allowed: 1/DRIFT_DIV of the larger of the
	two plus DRIFT_KB; every difference is still printed by the callers.
	ZONE_FREE, for a part of a zone's free memory (its free CMA pages),
	is the zone's free size the tolerance is taken of instead.
	tools/testing/guest/lib.sh's drift_ok uses the same numbers (a test
	checks that they are equal).
	"""
	base = max(a, b) if zone_free is None else zone_free
	return abs(a - b) <= base // DRIFT_DIV + DRIFT_KB


def strip_timestamp(line):
	"""A console line without its printk timestamp (and caller id)."""
	return TIMESTAMP.sub('', line, count=1)


def join_continuations(msgs):
	"""Rejoin "Node N " and its pr_cont()ed rest ("ZONE free:..." or
	"ZONE: c*4kB ...") when another console message landed between them
	(at most 3 lines apart).  The fragment's line is replaced by the whole
	line; the rest's line is dropped."""
	out = []
	pending = None
	for l in msgs:
		if re.fullmatch(r'Node \d+ ?', l):
			pending = (len(out), l.rstrip() + ' ')
			out.append(l)
		elif (pending and re.match(r'[A-Za-z0-9]+(?: free:\d+kB|: \d+\*)', l)
		      and len(out) - pending[0] <= 3):
			out[pending[0]] = pending[1] + l
			pending = None
		else:
			out.append(l)
	return out


def read_console(path):
	"""The messages of a console log file: carriage returns (serial
	console) dropped, timestamps stripped, split lines rejoined."""
	with open(path, encoding='utf-8', errors='replace') as f:
		return join_continuations([strip_timestamp(l.rstrip('\r\n').replace('\r', ''))
					   for l in f])


def kv(s):
	"""key=value words of S as a dict (words without '=' are skipped)."""
	return dict(w.split('=', 1) for w in s.split() if '=' in w)


def parse_oomfrag(msg):
	"""An oomfrag event line as a dict of its key=value words (with
	'event': 'oom' or 'zone'), or None."""
	m = OOMFRAG.search(msg)
	return kv(m.group(1)) if m else None


def parse_invoked(msg):
	"""The kernel's "invoked oom-killer" line as {'gfp': int, 'gfp_hex':
	'0x..', 'gfp_names': '..', 'order': int}, or None."""
	m = INVOKED.search(msg)
	if not m:
		return None
	return {'gfp': int(m.group(1), 16), 'gfp_hex': m.group(1),
		'gfp_names': m.group(2), 'order': int(m.group(3))}


def parse_kernel_zone(msg):
	"""The kernel's per-zone line "Node N ZONE free:..kB boost:..kB
	min:..kB low:..kB high:..kB ... free_cma:..kB" ("ZONE free:..." without
	CONFIG_NUMA, node 0) as {'node': 'N',
	'zone': 'ZONE', 'free_kb': int, ...KZONE_KEYS}, or None."""
	m = KZONE.search(msg)
	if not m:
		return None
	d = {'node': m.group(1) or '0', 'zone': m.group(2)}
	d.update(zip(KZONE_KEYS, (int(x) for x in m.groups()[2:])))
	return d


def parse_buddy(msg):
	"""The kernel's buddy list line "Node N ZONE: c*4kB (UM) ... = TkB" as
	{'node': 'N', 'zone': 'ZONE', 'total_kb': T, 'orders': [(count,
	block_kb, types), ...]} (index = order; types: a set of letters,
	empty when count is 0), or None."""
	m = KBUDDY.search(msg)
	if not m:
		return None
	orders = [(int(c), int(kb), frozenset(t or ''))
		  for c, kb, t in KBUDDY_ORDER.findall(m.group(3))]
	return {'node': m.group(1) or '0', 'zone': m.group(2),
		'total_kb': int(m.group(4)), 'orders': orders}


def largest_order(buddy, types):
	"""The largest order of a parse_buddy() result with a free block on a
	list of one of TYPES (letters), or None."""
	largest = None
	for order, (count, _kb, t) in enumerate(buddy['orders']):
		if count > 0 and t & set(types):
			largest = order
	return largest


class GfpBitsError(Exception):
	"""rust/engine/gfp_types.rs is missing or lacks a flag the harness needs."""


GFP_CONST = re.compile(r'^\s*pub const (\w+): u32 = bit\((\d+)\);', re.M)


def gfp_bits(path=None, names=('MOVABLE', 'RECLAIMABLE')):
	"""{name: 1 << N} for each of NAMES defined in PATH (default
	rust/engine/gfp_types.rs) as "pub const NAME: u32 = bit(N);".  Raises GfpBitsError
	if the file cannot be read, or a name is missing or defined twice
	with different bits."""
	path = path or GFP_RS
	try:
		with open(path, encoding='utf-8') as f:
			text = f.read()
	except OSError as e:
		raise GfpBitsError(f'cannot read the gfp bits from {path}: {e}')
	found = {}
	for name, n in GFP_CONST.findall(text):
		if name in names:
			if name in found and found[name] != 1 << int(n):
				raise GfpBitsError(f'{path}: {name} is defined twice, '
						  'with different bits')
			found[name] = 1 << int(n)
	missing = [n for n in names if n not in found]
	if missing:
		raise GfpBitsError(f'{path}: no "pub const NAME: u32 = bit(N);" '
				   f'line for {", ".join(missing)}')
	return found


def usable_types(gfp, bits):
	"""Migrate type letters whose free blocks a request with mask GFP may
	take: U, M and E (by fallback), and C only for a movable request
	(gfp_migratetype() == MIGRATE_MOVABLE, mm/page_alloc.c
	alloc_flags_cma()).  BITS: a gfp_bits() result."""
	types = set(NONCMA_TYPES)
	if gfp & bits['MOVABLE'] and not gfp & bits['RECLAIMABLE']:
		types.add(CMA_TYPE)
	return types
