# SPDX-License-Identifier: GPL-2.0
"""Lint of the harness's bash scripts: no early-exit reader in a pipe under
pipefail.

Under `set -o pipefail`, `producer | grep -q PATTERN` fails at random: grep
exits on its first match, the producer's next write gets SIGPIPE, and the
pipeline's status is 141 although the pattern was there.  It made
`make check` fail once in CI (module-without-kunit, 3 in 500 runs when
measured).  Read the producer's output whole first, then match it.

Run: python3 -m unittest discover -s tools/testing -p 'test_*.py'
"""

import os
import re
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, '..', '..'))

# A pipe into a grep that stops at its first match(es): -q or -m.  Other
# early readers (head, a quitting sed or awk) are left out: the harness
# uses them only where the pipeline's status is thrown away.
EARLY_EXIT = re.compile(r'\|\s*grep\s+(-[A-Za-z]*[qm]|--quiet|--max-count)')


def pipefail_scripts():
	"""The bash scripts of the harness and CI that set pipefail."""
	dirs = [os.path.join(TOP, 'tools', 'testing'), os.path.join(TOP, '.ci')]
	for d in dirs:
		for name in sorted(os.listdir(d)):
			path = os.path.join(d, name)
			if not os.path.isfile(path) or name.endswith(('.py', '.config')):
				continue
			with open(path, encoding='utf-8', errors='replace') as f:
				text = f.read()
			if text.startswith('#!') and 'bash' in text.splitlines()[0] \
			   and 'pipefail' in text:
				yield path, text


def offending_lines(text):
	"""(line number, line) of each pipe into grep -q/-m outside comments."""
	out = []
	for n, line in enumerate(text.splitlines(), 1):
		if line.lstrip().startswith('#'):
			continue
		if EARLY_EXIT.search(line):
			out.append((n, line.strip()))
	return out


class ShellPipes(unittest.TestCase):
	def test_lint_catches_the_pattern(self):
		bad = 'set -o pipefail\nif readelf -S x.ko | grep -q kunit; then :; fi\n'
		self.assertEqual([n for n, _ in offending_lines(bad)], [2])
		self.assertEqual(offending_lines('a | grep -qv x\nb | grep -m1 y\n'),
				 [(1, 'a | grep -qv x'), (2, 'b | grep -m1 y')])
		good = 't=$(readelf -SW x.ko) && grep -q kunit <<<"$t"\n' \
		       '# readelf | grep -q is what we avoid\n'
		self.assertEqual(offending_lines(good), [])

	def test_scripts_found(self):
		names = [os.path.basename(p) for p, _ in pipefail_scripts()]
		self.assertIn('check', names)
		self.assertIn('setup-toolchain', names)

	def test_no_early_exit_reader_under_pipefail(self):
		for path, text in pipefail_scripts():
			with self.subTest(script=os.path.relpath(path, TOP)):
				self.assertEqual(offending_lines(text), [])


if __name__ == '__main__':
	unittest.main()
