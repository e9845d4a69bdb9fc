# SPDX-License-Identifier: GPL-2.0
#
# oomfrag: out-of-tree Rust kernel module that explains OOM-killer verdicts.
#
#   make              build oomfrag.ko (and samples) against KDIR
#   make demo         boot the test kernel, load the module, show debugfs
#                     and a live OOM verdict (the main job)
#   make check        all tests: host engine tests, clippy/rustfmt, and the
#                     KUnit suites and guest checks in QEMU
#   make toolchain    install the toolchain (Debian 12, root; idempotent)
#   make kernel       build or reuse the cached test kernel
#   make clippy       build with CLIPPY=1
#   make rustfmtcheck check formatting with the kernel's rustfmt settings
#   make clean
#
# KDIR defaults to the cached test kernel (~/.cache/oomfrag/...); any
# Rust-enabled kernel build tree works: make KDIR=/path/to/linux.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
TESTING := $(TOP)/tools/testing

export PATH := /usr/lib/llvm-19/bin:$(HOME)/.cargo/bin:$(PATH)
export LIBCLANG_PATH ?= /usr/lib/llvm-19/lib
RUSTC_VER := $(shell rustc --version 2>/dev/null | awk '{print $$2}')
export RUST_LIB_SRC ?= /usr/src/rustc-$(RUSTC_VER)/library

ifeq ($(origin KDIR),undefined)
KDIR := $(shell $(TESTING)/build-kernel --print-dir 2>/dev/null)
KDIR_DEP := kernel
endif

KMAKE = $(MAKE) -C $(KDIR) M=$(TOP) LLVM=1

.PHONY: all modules toolchain kernel check check-host check-style check-guest \
	demo clippy rustfmtcheck clean

all: modules

toolchain:
	@$(TESTING)/setup-toolchain

kernel: toolchain
	@$(TESTING)/build-kernel >/dev/null

modules: $(KDIR_DEP)
	@test -f $(KDIR)/Module.symvers || { echo "KDIR=$(KDIR) is not a built kernel tree (no Module.symvers)"; exit 1; }
	$(KMAKE) modules

clippy: $(KDIR_DEP)
	$(KMAKE) CLIPPY=1 modules

rustfmtcheck: $(KDIR_DEP)
	rustfmt --check --edition 2021 --config-path $(KDIR)/.rustfmt.toml \
		$(wildcard rust/*.rs samples/*.rs)

check-host:
	cd rust/host && cargo test
	python3 -m unittest discover -s tools/testing -p 'test_*.py'

check-style: clippy rustfmtcheck

check-guest: modules
	$(TESTING)/check-guest

# All tests; the last line reads "N passed, N failed".
check: toolchain
	@$(TESTING)/check

# The guest's console goes to .demo.log; the demo's own output is shown.
demo: modules
	@cat $(TESTING)/guest/lib.sh $(TESTING)/guest/demo.sh > $(TOP)/.demo.sh
	@$(TESTING)/run-vm --script $(TOP)/.demo.sh --mem 768M --append cma=256M \
		--log $(TOP)/.demo.log > /dev/null; rc=$$?; rm -f $(TOP)/.demo.sh; \
	sed -n '/^===== /,$$p' $(TOP)/.demo.log | grep -v '^OOMFRAG-VM-EXIT\|^run-vm:'; \
	echo "(full guest console: $(TOP)/.demo.log)"; exit $$rc

clean:
	-test -z "$(KDIR)" || $(KMAKE) clean
	rm -rf rust/host/target
