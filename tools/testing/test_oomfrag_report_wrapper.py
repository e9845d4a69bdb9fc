# SPDX-License-Identifier: GPL-2.0
"""Tests of tools/oomfrag-report/oomfrag-report, the wrapper that builds the
offline analyzer when a source is newer than its last build: every source
counts (src/, the package's Cargo.toml and Cargo.lock, rust/host's
Cargo.toml and lib.rs, anything under rust/engine/ at any depth), and a run
without a change builds nothing.

The tree is copied (without target/) to a temporary directory, so touching
files here never rebuilds the real one, and `cargo` is a logging shim in
front of the real one: a build is a line in its log.  One release build
(a few seconds of the engine and the analyzer), then small rebuilds.

Run: python3 -m unittest discover -s tools/testing -p 'test_*.py'
"""

import os
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, '..', '..'))
FIXTURE = os.path.join(HERE, 'fixtures', 'reports', 'arm-3.14-cma-seed002.log')

# The parts of the tree the analyzer is built from.
SOURCES = [
	os.path.join('tools', 'oomfrag-report'),
	os.path.join('rust', 'host'),
	os.path.join('rust', 'engine'),
]

# A file two folders deep in the engine, made in the copy: the wrapper
# must see it whether or not the engine has such folders today.
NESTED = os.path.join('rust', 'engine', 'wrapper_test', 'deeper', 'probe.rs')

SHIM = '''#!/bin/sh
echo "cargo $*" >>"$OOMFRAG_CARGO_LOG"
exec "$OOMFRAG_REAL_CARGO" "$@"
'''


class Wrapper(unittest.TestCase):
	@classmethod
	def setUpClass(cls):
		real = shutil.which('cargo')
		if real is None:
			raise unittest.SkipTest('cargo is not installed')
		cls.tmp = tempfile.TemporaryDirectory(prefix='test_oomfrag_report_wrapper.')
		cls.top = os.path.join(cls.tmp.name, 'tree')
		for d in SOURCES:
			shutil.copytree(os.path.join(TOP, d), os.path.join(cls.top, d),
					ignore=shutil.ignore_patterns('target'))
		nested = cls.path(NESTED)
		os.makedirs(os.path.dirname(nested))
		with open(nested, 'w') as f:
			f.write('// Not compiled: only its time counts.\n')
		shim_dir = os.path.join(cls.tmp.name, 'bin')
		os.mkdir(shim_dir)
		shim = os.path.join(shim_dir, 'cargo')
		with open(shim, 'w') as f:
			f.write(SHIM)
		os.chmod(shim, 0o755)
		cls.log = os.path.join(cls.tmp.name, 'cargo.log')
		cls.env = dict(os.environ, PATH=shim_dir + os.pathsep + os.environ['PATH'],
			       OOMFRAG_CARGO_LOG=cls.log, OOMFRAG_REAL_CARGO=real)
		cls.wrapper = cls.path(os.path.join('tools', 'oomfrag-report', 'oomfrag-report'))
		cls.bin = cls.path(os.path.join('tools', 'oomfrag-report', 'target', 'release',
						'oomfrag-report'))
		# The first run: the copy has no target/ yet.
		open(cls.log, 'w').close()
		with open(FIXTURE) as f:
			cls.first = subprocess.run([cls.wrapper, '--explain'], stdin=f, env=cls.env,
						   capture_output=True, text=True, timeout=900)
		with open(cls.log) as f:
			cls.first_cargo = f.read().splitlines()

	@classmethod
	def tearDownClass(cls):
		cls.tmp.cleanup()

	@classmethod
	def path(cls, rel):
		return os.path.join(cls.top, rel)

	def run_wrapper(self, *args, stdin=None):
		"""Runs the wrapper; returns (stdout, the cargo commands it ran)."""
		open(self.log, 'w').close()
		p = subprocess.run([self.wrapper, *args], stdin=stdin, env=self.env,
				   capture_output=True, text=True, timeout=900)
		self.assertEqual(p.returncode, 0, p.stderr[-3000:])
		with open(self.log) as f:
			return p.stdout, f.read().splitlines()

	def built(self):
		"""The wrapper is run until it has nothing to build."""
		self.run_wrapper('--help')
		out, cargo = self.run_wrapper('--help')
		self.assertEqual(cargo, [], 'a run right after a build built again')
		self.assertIn('usage: oomfrag-report', out)

	def mtime(self):
		return os.stat(self.bin).st_mtime_ns

	def assert_rebuilds(self, rel, relinks=True):
		"""Touching REL makes the next run build (and, if RELINKS, write a
		new binary), and the run after it build nothing."""
		self.built()
		before = self.mtime()
		os.utime(self.path(rel))
		_, cargo = self.run_wrapper('--help')
		self.assertEqual(len(cargo), 1, f'{rel} touched: {cargo}')
		self.assertIn('build --release', cargo[0])
		if relinks:
			self.assertNotEqual(self.mtime(), before, f'{rel} touched: the binary is the old one')
		_, cargo = self.run_wrapper('--help')
		self.assertEqual(cargo, [], f'{rel} touched: built twice')

	def test_first_run_builds_and_runs(self):
		self.assertEqual(self.first.returncode, 0, self.first.stderr[-3000:])
		self.assertEqual(len(self.first_cargo), 1, self.first_cargo)
		self.assertIn('build --release', self.first_cargo[0])
		self.assertTrue(os.access(self.bin, os.X_OK))
		self.assertIn(' verdict=cma ', self.first.stdout)

	def test_unchanged_tree_builds_nothing(self):
		self.built()
		before = self.mtime()
		for _ in range(2):
			_, cargo = self.run_wrapper('--help')
			self.assertEqual(cargo, [])
		self.assertEqual(self.mtime(), before)

	def test_analyzer_source(self):
		self.assert_rebuilds(os.path.join('tools', 'oomfrag-report', 'src', 'main.rs'))

	def test_nested_engine_folder(self):
		self.assert_rebuilds(NESTED, relinks=False)

	def test_engine_source_in_a_subfolder(self):
		# A file the engine compiles, in one of its subfolders (report/, ...).
		engine = self.path(os.path.join('rust', 'engine'))
		ours = self.path(os.path.dirname(os.path.dirname(NESTED)))
		found = sorted(os.path.relpath(os.path.join(d, n), self.top)
			       for d, _, names in os.walk(engine)
			       if d != engine and not d.startswith(ours)
			       for n in names if n.endswith('.rs'))
		if not found:
			self.skipTest('rust/engine has no subfolder with sources')
		self.assert_rebuilds(found[0])

	def test_engine_top_file(self):
		self.assert_rebuilds(os.path.join('rust', 'engine', 'mod.rs'))

	def test_host_crate(self):
		self.assert_rebuilds(os.path.join('rust', 'host', 'lib.rs'))
		self.assert_rebuilds(os.path.join('rust', 'host', 'Cargo.toml'), relinks=False)

	def test_manifests(self):
		for name in ('Cargo.toml', 'Cargo.lock'):
			self.assert_rebuilds(os.path.join('tools', 'oomfrag-report', name),
					     relinks=False)

	def test_engine_file_removed(self):
		# A removed source changes its folder, not any file's time.
		self.built()
		gone = self.path(os.path.join(os.path.dirname(NESTED), 'gone.rs'))
		with open(gone, 'w') as f:
			f.write('// Removed below.\n')
		self.built()
		os.remove(gone)
		_, cargo = self.run_wrapper('--help')
		self.assertEqual(len(cargo), 1, cargo)


if __name__ == '__main__':
	unittest.main()
