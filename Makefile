# SPDX-License-Identifier: GPL-2.0
#
# oomfrag: out-of-tree Rust kernel module that explains OOM-killer verdicts.
#
#   make              build oomfrag.ko against KDIR
#   make demo         boot the test kernel, load the module, show debugfs
#                     and a live OOM verdict (the main job; ARCH=arm64 too)
#   make check        all tests: host engine tests, clippy/rustfmt, and the
#                     KUnit suites and guest checks in QEMU
#   make test-modules oomfrag.ko plus the test-only modules: the KUnit suites
#                     (oomfrag_kunit.ko, rust/kunit/) and the samples
#   make toolchain    install the toolchain (Debian 12, root; idempotent)
#   make web          the page that runs the offline analyzer in a browser:
#                     tools/oomfrag-report/web/dist/index.html (WebAssembly;
#                     open it from disk or serve it; loads nothing)
#   make kernel       build or reuse the cached test kernel
#   make debug-kernel build or reuse the cached debug test kernel (KASAN,
#                     kmemleak, lockdep, ...: tools/testing/kernel-debug.config)
#   make bench        oomfrag's cost beside the kernel's own, in TCG guests:
#                     one table of ratios (not in make check; ~5-10 min)
#   make soak         hours of OOMs, load/unload and hostile input on the
#                     debug kernel, with a table of counts (not in make check)
#   make clippy       build with CLIPPY=1
#   make rustfmtcheck check formatting with the kernel's rustfmt settings
#   make clean
#
# ARCH picks the architecture (x86_64, arm64, arm64-16k; default this
# machine's) as kbuild takes it, KERNEL the version (7.3, 7.2, 6.12;
# default 7.3): `make demo ARCH=arm64` or `make demo KERNEL=7.2` builds and
# boots that test kernel; make check runs its whole matrix whatever they
# say (tools/testing/oomfrag_harness/: arches.py, kernels.py).
# KDIR defaults to that architecture's cached test kernel
# (~/.cache/oomfrag/...), resolved when a recipe runs, after the toolchain
# step; any Rust-enabled kernel build tree works: make KDIR=/path/to/linux
# (with its ARCH).  The toolchain environment (PATH, LIBCLANG_PATH,
# RUST_LIB_SRC) is set in tools/testing/lib.sh only.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
TESTING := $(TOP)/tools/testing
SETUP_TOOLCHAIN ?= $(TESTING)/setup-toolchain
KMAKE := $(TESTING)/kmake

# With a kernel of your own, nothing is installed; with the cached test
# kernel, the toolchain comes first.
ifeq ($(origin KDIR),undefined)
KDIR_DEP := toolchain
else
export KDIR
endif

.PHONY: all modules test-modules toolchain kernel debug-kernel check demo \
	soak bench clippy rustfmtcheck clean

all: modules

toolchain:
	@$(SETUP_TOOLCHAIN)

kernel: toolchain
	@$(TESTING)/build-kernel >/dev/null

debug-kernel: toolchain
	@$(TESTING)/build-kernel --debug >/dev/null

modules: $(KDIR_DEP)
	$(KMAKE) modules

test-modules: $(KDIR_DEP)
	$(KMAKE) OOMFRAG_TEST=1 modules

clippy: $(KDIR_DEP)
	$(KMAKE) OOMFRAG_TEST=1 CLIPPY=1 modules

rustfmtcheck: $(KDIR_DEP)
	rustfmt --check --edition 2021 \
		--config-path $$($(KMAKE) --print-kdir)/.rustfmt.toml \
		$$(find rust samples -path rust/host -prune -o -name '*.rs' -print)

# All tests; the last line reads "N passed, N failed".
check: toolchain
	@$(TESTING)/check

# On the debug kernel; the last line reads "soak: PASS" or "soak: FAIL".
# SOAK_ARGS="--divide 10" runs a tenth of it.
soak: toolchain
	@$(TESTING)/soak $(SOAK_ARGS)

# Builds what it needs; the table, raw figures and plot go to
# $(OOMFRAG_CACHE)/bench/ (default ~/.cache/oomfrag/bench/).
# BENCH_ARGS=--quick is a short run.
bench: toolchain
	@$(TESTING)/bench $(BENCH_ARGS)

# The guest's console goes to .demo.log; the demo's own output is shown.
demo: test-modules
	@cat $(TESTING)/guest/lib.sh $(TESTING)/guest/demo.sh > $(TOP)/.demo.sh
	@$(TESTING)/run-vm --script $(TOP)/.demo.sh --mem 768M --append cma=256M \
		--log $(TOP)/.demo.log > /dev/null; rc=$$?; rm -f $(TOP)/.demo.sh; \
	sed -n '/^===== /,$$p' $(TOP)/.demo.log | grep -v '^OOMFRAG-VM-EXIT\|^run-vm:'; \
	echo "(full guest console: $(TOP)/.demo.log)"; exit $$rc

# One file, dist/index.html; tools/testing/web-check tests it in Chromium.
.PHONY: web
web: toolchain
	@$(TOP)/tools/oomfrag-report/web/build

# Cleans in the kernel tree only if one is built: never builds one to clean.
clean:
	-@kdir=$${KDIR:-$$($(TESTING)/build-kernel --print-dir 2>/dev/null)}; \
	if [ -f "$$kdir/Module.symvers" ]; then KDIR=$$kdir $(KMAKE) OOMFRAG_TEST=1 clean; fi
	rm -rf rust/host/target tools/oomfrag-report/target \
		tools/oomfrag-report/web/dist
