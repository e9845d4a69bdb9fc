# SPDX-License-Identifier: GPL-2.0
"""oomfrag's output read by the parsers a fleet's tools use.

  parse_exposition(text)     the debugfs `metrics` file, by prometheus_client's
                             text_string_to_metric_families (the Prometheus
                             text exposition format), as {family: samples}
  promtool_check(text)       `promtool check metrics` (Debian's prometheus
                             package): its complaints, [] if clean
  parse_stats(text)          the debugfs `stats` file as {key: int}
  compare_counters(m, s)     every counter of `metrics` against `stats`
  logfmt_problems(line)      an oomfrag line read by a logfmt library
                             (logfmtkv, strict): lost or changed keys and
                             values, repeated keys
  section(lines, name)       the lines between "NAME-BEGIN" and "NAME-END"
                             in a guest console

The libraries are installed by tools/testing/setup-toolchain: pip packages
prometheus-client and logfmtkv for python3, promtool from Debian's
prometheus package, extracted into $OOMFRAG_CACHE/tools/ (the package
itself, a server, is not installed).  Without them, need() raises
MissingTool, whose message says so: the callers fail, never skip.
"""

import os
import re
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.environ.get('OOMFRAG_CACHE') or os.path.join(
	os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'), 'oomfrag')
PROMTOOL = os.path.join(CACHE, 'tools', 'promtool')
INSTALL_HINT = 'run tools/testing/setup-toolchain (or make toolchain) as root'


class MissingTool(Exception):
	pass


def need(what):
	"""The module or tool WHAT ('prometheus_client', 'logfmtkv',
	'promtool'), or MissingTool."""
	if what == 'promtool':
		for p in (PROMTOOL, shutil.which('promtool')):
			if p and os.access(p, os.X_OK):
				return p
		raise MissingTool('promtool not found at %s nor on PATH: %s'
				  % (PROMTOOL, INSTALL_HINT))
	try:
		return __import__(what)
	except ImportError as e:
		raise MissingTool('python module %s is missing (%s): %s'
				  % (what, e, INSTALL_HINT)) from e


def parse_exposition(text):
	"""{family name: [(sample name, labels, value)]} as prometheus_client
	reads TEXT.  Counters' family names lose their "_total", as the
	library names them; sample names keep it."""
	need('prometheus_client')
	from prometheus_client.parser import text_string_to_metric_families
	out = {}
	for fam in text_string_to_metric_families(text):
		if fam.name in out:
			raise ValueError('family %s twice' % fam.name)
		out[fam.name] = {'type': fam.type, 'help': fam.documentation,
				 'samples': [(s.name, dict(s.labels), s.value)
					     for s in fam.samples]}
	return out


def promtool_check(text):
	"""promtool's complaints about TEXT (its lint), [] if none."""
	p = subprocess.run([need('promtool'), 'check', 'metrics'], input=text,
			   capture_output=True, text=True, timeout=60)
	msgs = [l for l in (p.stdout + p.stderr).splitlines() if l.strip()]
	if p.returncode != 0 and not msgs:
		msgs = ['promtool exited %d' % p.returncode]
	return msgs if p.returncode != 0 or msgs else []


def parse_stats(text):
	"""The `stats` file ("# oomfrag stats vN", then "key N" lines)."""
	out = {}
	for l in text.splitlines():
		if not l or l.startswith('#'):
			continue
		k, v = l.split()
		out[k] = int(v)
	return out


# The stats file's key of each counter sample: (sample name, label) ->
# key prefix; unlabelled samples map to one key.
LABELLED = {
	'oomfrag_oom_events_total': ('verdict', 'verdict_'),
	'oomfrag_oom_events_by_trigger_total': ('trigger', 'trigger_'),
	'oomfrag_oom_events_by_constraint_total': ('constraint', 'constraint_'),
	'oomfrag_oom_no_kill_total': ('reason', 'nokill_'),
}
PLAIN = {
	'oomfrag_oom_kills_total': 'kill',
	'oomfrag_oom_kill_unknown_total': 'kill_unknown',
	'oomfrag_log_suppressed_events_total': 'suppressed_lines',
	'oomfrag_kprobe_active': 'kprobe',
}
SECONDS = {
	'oomfrag_last_compute_seconds': 'compute_ns_last',
	'oomfrag_max_compute_seconds': 'compute_ns_max',
}


def compare_counters(families, stats):
	"""[(name, problem or None)] for every counter of `stats`, read from
	the parsed exposition FAMILIES: equal values, and every stats key
	covered.  The events total is the sum over verdicts."""
	results = []
	seen = set()
	samples = [s for f in families.values() for s in f['samples']]
	for name, labels, value in samples:
		if name in LABELLED:
			label, prefix = LABELLED[name]
			key = prefix + labels.get(label, '?')
		elif name in PLAIN:
			key = PLAIN[name]
		elif name in SECONDS:
			key = SECONDS[name]
			value = round(value * 1e9)
		else:
			continue
		seen.add(key)
		want = stats.get(key)
		results.append((key, None if want == value else
				'metrics %s%s = %s, stats %s = %s'
				% (name, labels or '', value, key, want)))
	events = sum(v for n, _, v in samples if n == 'oomfrag_oom_events_total')
	results.append(('events', None if events == stats.get('events') else
			'sum of oomfrag_oom_events_total %s, stats events %s'
			% (events, stats.get('events'))))
	seen.add('events')
	# max_lock_ns grows with every counted read: not compared.
	for key in sorted(set(stats) - seen - {'max_lock_ns'}):
		results.append((key, 'stats key %s has no metric' % key))
	return results


def naive_pairs(line):
	"""KEY=VALUE words of LINE as oomfrag writes them (split at blanks,
	then at the first '=')."""
	return [tuple(w.split('=', 1)) if '=' in w else (w, None)
		for w in line.split()]


def logfmt_problems(line):
	"""What a logfmt library loses or changes of oomfrag line LINE (without
	the "oomfrag: " prefix), and keys it repeats: [] if nothing."""
	lf = need('logfmtkv')
	try:
		pairs = [(p.key, p.value) for p in lf.parse_pairs(line, strict=True)]
	except Exception as e:	# the library's syntax error
		return ['logfmt error: %s' % e]
	probs = []
	want = naive_pairs(line)
	if pairs != want:
		probs.append('logfmt read %s, the line has %s' % (pairs, want))
	keys = [k for k, _ in pairs]
	dup = sorted({k for k in keys if keys.count(k) > 1})
	if dup:
		probs.append('repeated keys: %s' % ' '.join(dup))
	if any(v is None or v is True or v == '' for _, v in pairs):
		probs.append('a key without a value')
	return probs


OOMFRAG_LINE = re.compile(r'oomfrag: (event=.*)$')


def oomfrag_lines(msgs):
	"""The `event=...` part of every oomfrag log line among MSGS."""
	return [m.group(1) for m in map(OOMFRAG_LINE.search, msgs) if m]


KERNEL_LINE = re.compile(r'^\[\s*\d+\.\d+\]')


def section(lines, name):
	"""The lines between "NAME-BEGIN" and "NAME-END" (the last such
	section), without kernel messages that landed between them; None if
	there is no complete section."""
	out = None
	cur = None
	for l in lines:
		l = l.rstrip('\r\n').replace('\r', '')
		if l == name + '-BEGIN':
			cur = []
		elif l == name + '-END' and cur is not None:
			out, cur = cur, None
		elif cur is not None and not KERNEL_LINE.match(l):
			cur.append(l)
	return None if out is None else '\n'.join(out) + '\n'
