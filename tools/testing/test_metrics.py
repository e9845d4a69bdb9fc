# SPDX-License-Identifier: GPL-2.0
"""oomfrag's `metrics` file and log lines read by the parsers a fleet uses:
prometheus_client's exposition parser, promtool, a logfmt library
(tools/testing/oomfrag_metrics.py), and tools/testing/metrics-check.

The texts are the host tests' fixtures (rust/host/tests/metrics.rs keeps
tools/testing/fixtures/{metrics.prom,stats.txt,report-lines.txt} equal to
what the formatter prints) and the real guest consoles in fixtures/*.log.
A missing parser fails these tests (tools/testing/setup-toolchain installs
them); nothing is skipped.

Run: python3 -m unittest discover -s tools/testing -p 'test_*.py'
"""

import glob
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oomfrag_log as ol  # noqa: E402
import oomfrag_metrics as om  # noqa: E402

FIXTURES = os.path.join(HERE, 'fixtures')
TOP = os.path.normpath(os.path.join(HERE, '..', '..'))
REPORT_TOOL = os.path.join(TOP, 'tools', 'oomfrag-report', 'oomfrag-report')


def fixture(name):
	with open(os.path.join(FIXTURES, name), encoding='utf-8') as f:
		return f.read()


def format_version():
	"""FORMAT_VERSION of the engine's formats (rust/engine/report/mod.rs)."""
	path = os.path.join(HERE, '..', '..', 'rust', 'engine', 'report', 'mod.rs')
	with open(path) as f:
		m = re.search(r'pub const FORMAT_VERSION: u32 = (\d+);', f.read())
	assert m, 'FORMAT_VERSION not found in ' + path
	return m.group(1)


class Tools(unittest.TestCase):
	def need(self, what):
		try:
			return om.need(what)
		except om.MissingTool as e:
			self.fail(str(e))

	def setUp(self):
		for what in ('prometheus_client', 'logfmtkv', 'promtool'):
			self.need(what)


class Exposition(Tools):
	def test_parses_with_prometheus_client(self):
		fams = om.parse_exposition(fixture('metrics.prom'))
		self.assertEqual(fams['oomfrag_oom_events']['type'], 'counter')
		self.assertEqual(fams['oomfrag_zone_free_bytes']['type'], 'gauge')
		self.assertEqual(fams['oomfrag_format_info']['samples'],
				 [('oomfrag_format_info',
				   {'version': format_version()}, 1.0)])
		for name, f in fams.items():
			self.assertTrue(f['help'], name)
			self.assertTrue(f['samples'], name)
			for sname, labels, _ in f['samples']:
				self.assertTrue(sname.startswith('oomfrag_'), sname)
				self.assertLessEqual(set(labels), {
					'node', 'zone', 'order', 'migratetype', 'verdict',
					'trigger', 'constraint', 'reason', 'request', 'version'})
		counters = sorted(n for n, f in fams.items() if f['type'] == 'counter')
		self.assertEqual(counters, [
			'oomfrag_log_suppressed_events', 'oomfrag_oom_events',
			'oomfrag_oom_events_by_constraint', 'oomfrag_oom_events_by_trigger',
			'oomfrag_oom_kill_unknown', 'oomfrag_oom_kills', 'oomfrag_oom_no_kill'])

	def test_promtool_finds_nothing(self):
		self.assertEqual(om.promtool_check(fixture('metrics.prom')), [])

	def test_promtool_complains_about_a_bad_exposition(self):
		bad = '# HELP oomfrag_free_kb x\n# TYPE oomfrag_free_kb counter\noomfrag_free_kb 1\n'
		self.assertTrue(om.promtool_check(bad))

	def test_parser_refuses_a_broken_exposition(self):
		with self.assertRaises(Exception):
			om.parse_exposition('oomfrag_x{node="0" 1\n')

	def test_counters_equal_the_stats_file(self):
		fams = om.parse_exposition(fixture('metrics.prom'))
		stats = om.parse_stats(fixture('stats.txt'))
		results = om.compare_counters(fams, stats)
		self.assertEqual([r for r in results if r[1]], [])
		# Every stats key but the lock time is a metric.
		self.assertEqual({k for k, _ in results}, set(stats) - {'max_lock_ns'})
		self.assertGreater(stats['events'], 10)

	def test_a_counter_that_differs_is_found(self):
		fams = om.parse_exposition(fixture('metrics.prom'))
		stats = om.parse_stats(fixture('stats.txt'))
		stats['verdict_cma'] += 1
		stats['events'] += 1
		stats['new_counter'] = 0
		bad = {k for k, p in om.compare_counters(fams, stats) if p}
		self.assertEqual(bad, {'verdict_cma', 'events', 'new_counter'})

	def test_missing_tool_says_how_to_install(self):
		with self.assertRaises(om.MissingTool) as e:
			om.need('no_such_module_oomfrag')
		self.assertIn('setup-toolchain', str(e.exception))


def console_lines():
	"""Every oomfrag line of the real guest consoles in fixtures/*.log."""
	out = []
	for path in sorted(glob.glob(os.path.join(FIXTURES, '*.log'))):
		out += [(os.path.basename(path), l) for l in om.oomfrag_lines(ol.read_console(path))]
	return out


class Logfmt(Tools):
	def assert_logfmt(self, where, lines):
		self.assertTrue(lines, where)
		for l in lines:
			self.assertEqual(om.logfmt_problems(l), [], '%s: %s' % (where, l))

	def test_console_fixture_lines(self):
		lines = console_lines()
		self.assertGreaterEqual(len(lines), 20)
		for name, l in lines:
			self.assertEqual(om.logfmt_problems(l), [], '%s: %s' % (name, l))

	def test_formatter_lines_every_key(self):
		# Summary lines with every optional key, zone lines, a query.
		lines = fixture('report-lines.txt').splitlines()
		self.assert_logfmt('report-lines.txt', lines)
		lf = self.need('logfmtkv')
		keys = set()
		for l in lines:
			keys |= set(lf.parse(l, strict=True, duplicates='error'))
		for k in ('missing', 'eval_order', 'eval_gfp', 'nodemask', 'mems_allowed',
			  'kill', 'reason', 'task', 'constraint', 'free_ineligible_kb',
			  'frag_idx', 'cause', 'ok_last'):
			self.assertIn(k, keys)
		first = lf.parse(lines[0], strict=True, duplicates='error')
		self.assertEqual(first['gfp'], '0x100cca(GFP_HIGHUSER_MOVABLE)')
		self.assertEqual(first['compute_ns'], '40000')

	def test_oomfrag_report_lines(self):
		# The offline analyzer on every kernel log the project keeps: its
		# lines are the module's plus its own keys (report=, assumed=,
		# source=, ...), and logfmt too.
		self.assertTrue(os.access(REPORT_TOOL, os.X_OK), REPORT_TOOL)
		logs = sorted(glob.glob(os.path.join(FIXTURES, 'reports', '*.log')) +
			      glob.glob(os.path.join(FIXTURES, '*.log')))
		p = subprocess.run([REPORT_TOOL] + logs, capture_output=True, text=True, timeout=900)
		self.assertEqual(p.returncode, 0, p.stderr[-2000:])
		lines = om.oomfrag_lines(p.stdout.splitlines())
		self.assertGreaterEqual(len(lines), 40)
		self.assert_logfmt('oomfrag-report', lines)
		lf = self.need('logfmtkv')
		keys = set()
		for l in lines:
			keys |= set(lf.parse(l, strict=True, duplicates='error'))
		for k in ('report', 'source', 'assumed', 'missing', 'verdict', 'cause'):
			self.assertIn(k, keys)

	def test_problems_are_found(self):
		self.assertIn('repeated keys: seq',
			      ' '.join(om.logfmt_problems('event=oom seq=1 seq=2')))
		self.assertTrue(om.logfmt_problems('event=oom comm=a=b'))
		self.assertTrue(om.logfmt_problems('event=oom comm="a b" pid=1'))
		self.assertTrue(om.logfmt_problems('event=oom flag'))


def guest_console(metrics, stats, zone_lines):
	"""A console as run-vm saves it: kernel lines with timestamps, the
	guest script's sections, a kernel line landing inside one."""
	out = ['[    1.000000] oomfrag: %s' % l for l in zone_lines]
	out.append('METRICS-BEGIN')
	m = metrics.splitlines()
	out += m[:5] + ['[    2.000000] random: crng init done'] + m[5:]
	out += ['METRICS-END', 'STATS-BEGIN'] + stats.splitlines() + ['STATS-END']
	return '\n'.join(out) + '\n'


class MetricsCheck(Tools):
	def run_check(self, text):
		with tempfile.NamedTemporaryFile('w', suffix='.log', delete=False) as f:
			f.write(text)
		try:
			p = subprocess.run([os.path.join(HERE, 'metrics-check'), f.name],
					   capture_output=True, text=True, timeout=120)
		finally:
			os.unlink(f.name)
		return p.returncode, p.stdout

	def test_guest_console_passes(self):
		rc, out = self.run_check(guest_console(
			fixture('metrics.prom'), fixture('stats.txt'),
			fixture('report-lines.txt').splitlines()))
		self.assertEqual(rc, 0, out)
		self.assertIn('METRICS-CHECK ok counter_verdict_cma', out)
		self.assertIn('METRICS-CHECK ok zone_1_Normal_samples', out)
		self.assertIn('METRICS-CHECK ok promtool_check_metrics', out)
		self.assertTrue(out.endswith(' passed, 0 failed\n'), out)

	def test_differing_counter_fails(self):
		stats = fixture('stats.txt').replace('verdict_memcg 1', 'verdict_memcg 2')
		rc, out = self.run_check(guest_console(
			fixture('metrics.prom'), stats, fixture('report-lines.txt').splitlines()))
		self.assertEqual(rc, 1, out)
		self.assertIn('METRICS-CHECK not ok counter_verdict_memcg', out)

	def test_missing_sections_and_bad_lines_fail(self):
		rc, out = self.run_check('[    1.000000] oomfrag: event=oom seq=1 seq=1\n')
		self.assertEqual(rc, 1, out)
		self.assertIn('not ok metrics_printed', out)
		rc, out = self.run_check(guest_console(
			fixture('metrics.prom'), fixture('stats.txt'),
			['event=oom seq=1 zones=1 comm=a=b', 'event=zone seq=1 node=0 zone=DMA']))
		self.assertEqual(rc, 1, out)
		self.assertIn('not ok logfmt_lines', out)
		self.assertIn('not ok zones_as_logged', out)


class MetricsTool(unittest.TestCase):
	"""tools/oomfrag-metrics, run by /bin/sh (dash on Debian: POSIX)."""
	TOOL = os.path.join(TOP, 'tools', 'oomfrag-metrics')

	def setUp(self):
		self.dir = tempfile.TemporaryDirectory()
		self.addCleanup(self.dir.cleanup)
		self.dbg = os.path.join(self.dir.name, 'debug')
		self.out = os.path.join(self.dir.name, 'textfile')
		os.makedirs(os.path.join(self.dbg, 'oomfrag'))
		os.makedirs(self.out)
		self.target = os.path.join(self.out, 'oomfrag.prom')

	def run_tool(self, *args):
		return subprocess.run(['sh', self.TOOL, '--debugfs', self.dbg, '-o', self.target] + list(args),
				      capture_output=True, text=True, timeout=60)

	def put(self, text):
		with open(os.path.join(self.dbg, 'oomfrag', 'metrics'), 'w') as f:
			f.write(text)

	def test_copies_and_replaces_atomically(self):
		with open(self.target, 'w') as f:
			f.write('old\n')
		self.put(fixture('metrics.prom'))
		p = self.run_tool()
		self.assertEqual((p.returncode, p.stderr), (0, ''))
		with open(self.target) as f:
			self.assertEqual(f.read(), fixture('metrics.prom'))
		self.assertEqual(os.listdir(self.out), ['oomfrag.prom'])
		self.assertEqual(os.stat(self.target).st_mode & 0o777, 0o644)

	def test_a_bad_read_keeps_the_old_file(self):
		with open(self.target, 'w') as f:
			f.write('old\n')
		self.put('not metrics\n')
		p = self.run_tool()
		self.assertEqual(p.returncode, 1)
		self.assertIn('does not start with', p.stderr)
		with open(self.target) as f:
			self.assertEqual(f.read(), 'old\n')
		self.assertEqual(os.listdir(self.out), ['oomfrag.prom'])

	def test_module_or_debugfs_missing_is_said(self):
		os.rmdir(os.path.join(self.dbg, 'oomfrag'))
		p = self.run_tool()
		self.assertEqual(p.returncode, 1)
		# A temporary directory is not a debugfs mount.
		self.assertIn('debugfs is not mounted at %s' % self.dbg, p.stderr)
		self.assertEqual(os.listdir(self.out), [])
		os.makedirs(os.path.join(self.dbg, 'oomfrag'))
		p = self.run_tool()
		self.assertEqual(p.returncode, 1)
		self.assertIn('predates the metrics file', p.stderr)

	def test_help_and_usage(self):
		p = subprocess.run(['sh', self.TOOL, '--help'], capture_output=True, text=True)
		self.assertEqual(p.returncode, 0)
		self.assertIn('textfile collector', p.stdout)
		self.assertIn('Exit status', p.stdout)
		p = subprocess.run(['sh', self.TOOL, '--bogus'], capture_output=True, text=True)
		self.assertEqual(p.returncode, 2)


if __name__ == '__main__':
	unittest.main()
