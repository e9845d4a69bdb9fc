# SPDX-License-Identifier: GPL-2.0
# Shared settings for oomfrag's build and test scripts.  Source, don't run.

OOMFRAG_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OOMFRAG_CACHE=${OOMFRAG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/oomfrag}
# Where Debian's linux-source-X.Y packages put their tarballs (a directory
# to search, overridable so the first-run test can make it appear late).
KSRC_DIR=${KSRC_DIR:-/usr/src}

export PATH=/usr/lib/llvm-19/bin:$HOME/.cargo/bin:$PATH
export LIBCLANG_PATH=${LIBCLANG_PATH:-/usr/lib/llvm-19/lib}
RUSTC_VER=$(rustc --version 2>/dev/null | awk '{print $2}')
export RUST_LIB_SRC=${RUST_LIB_SRC:-/usr/src/rustc-$RUSTC_VER/library}

# The architecture: ARCH as make and the kernel take it (x86, x86_64,
# arm64; default this machine's), its parameters from the harness's data
# (oomfrag_harness/arches.py) as OOMFRAG_ARCH_* variables.
oomfrag_set_arch() {
	local a=${1:-$(uname -m)} params
	[ "$a" != aarch64 ] || a=arm64
	params=$(PYTHONPATH=$OOMFRAG_TOP/tools/testing python3 -m oomfrag_harness arch "$a") || return 1
	eval "$params"
	# Exported: the scripts these start (build-kernel from run-vm) take
	# the same one.
	export ARCH=$OOMFRAG_ARCH_NAME
	OOMFRAG_ARCH=$OOMFRAG_ARCH_NAME
}
oomfrag_set_arch "${ARCH:-}" || exit 2
# The kernel version: KERNEL as make takes it (7.3, 7.2, 6.12; default
# 7.3), its Debian source package from the harness's data
# (oomfrag_harness/kernels.py) as OOMFRAG_KERNEL_* variables.  KSRC_TARBALL,
# when set, is the source instead (any supported version).
oomfrag_set_kernel() {
	local params
	params=$(PYTHONPATH=$OOMFRAG_TOP/tools/testing python3 -m oomfrag_harness kernel "${1:-}") || return 1
	eval "$params"
	export KERNEL=$OOMFRAG_KERNEL_VERSION
}
oomfrag_set_kernel "${KERNEL:-}" || exit 2
KSRC_TARBALL=${KSRC_TARBALL:-$(ls "$KSRC_DIR/$OOMFRAG_KERNEL_PACKAGE.tar.xz" 2>/dev/null || true)}
# The guest's static busybox: this machine's own (busybox-static) for its
# own architecture, else the one setup-toolchain fetched for that one.
oomfrag_busybox() {
	if [ "$OOMFRAG_ARCH_DEBIAN_ARCH" = "$(dpkg --print-architecture 2>/dev/null || echo amd64)" ]; then
		echo /bin/busybox
	else
		echo "$OOMFRAG_CACHE/tools/busybox-$OOMFRAG_ARCH_DEBIAN_ARCH"
	fi
}

# The test kernel tree is keyed by kernel version, architecture, config
# fragments and Rust compiler: a change to any of them gives a new tree;
# nothing else does (the fragments count by the options they set, in
# order, not by their comments).  With the argument "debug", the debug
# test kernel's: the fragments are kernel.config, the arch's, then
# kernel-debug.config (the later wins), with "-debug" in the name.
oomfrag_kernel_fragments() {
	echo "$OOMFRAG_TOP/tools/testing/kernel.config"
	echo "$OOMFRAG_TOP/tools/testing/$OOMFRAG_ARCH_CONFIG_FRAGMENT"
	[ "${1:-}" != debug ] || echo "$OOMFRAG_TOP/tools/testing/kernel-debug.config"
}
oomfrag_kernel_key() {
	local kver frag
	kver=$(basename "$KSRC_TARBALL" .tar.xz)
	frag=$(oomfrag_kernel_fragments "${1:-}" | xargs grep -h '^CONFIG_\|^# CONFIG_.* is not set$' |
		sha256sum | cut -c1-12)
	echo "$kver-$OOMFRAG_ARCH-rustc$RUSTC_VER${1:+-$1}-$frag"
}
oomfrag_kernel_dir() { echo "$OOMFRAG_CACHE/$(oomfrag_kernel_key "${1:-}")"; }

# oomfrag_test_modules KDIR OUT [MAKE-ARGS...]: build oomfrag.ko and the
# test modules (make test-modules; for the architecture of ARCH) against
# the kernel tree KDIR into OUT, leaving the
# work tree's own build alone.  kbuild's MO= wants a source tree without
# build output, which the work tree is not, so the sources are mirrored
# into OUT/src (rsync keeps their times: rebuilds stay incremental; build
# output there is kept, deleted sources are deleted) and built there with
# MO=OUT/build.  The .ko files land under OUT/build; prints that path.
oomfrag_test_modules() (
	kdir=$1 out=$2
	shift 2
	mkdir -p "$out/src" "$out/build" || exit 1
	# Guests started at once (make soak runs two) build here one at a time.
	exec 9>"$out/.lock"
	flock 9 || exit 1
	# The module's sources are Kbuild, samples/ and rust/ without the host
	# crate (rust/host/, built by cargo); kbuild's output is not copied.
	rsync -a --delete --prune-empty-dirs \
		--exclude='*.mod.c' --exclude='*.o' --exclude='*.ko' --exclude='.*' \
		--exclude=/rust/host/ \
		--include=/Kbuild --include=/rust/ --include=/samples/ \
		--include='/rust/**/' --include='/rust/**.rs' --include='/rust/**.c' \
		--include='/rust/**.h' --include=/samples/Kbuild \
		--include='/samples/*.rs' --include='/samples/*.c' \
		--include='/samples/*.h' \
		--exclude='*' "$OOMFRAG_TOP/" "$out/src/" || exit 1
	make -C "$kdir" M="$out/src" MO="$out/build" LLVM=1 ARCH="$OOMFRAG_ARCH_LINUX_ARCH" OOMFRAG_TEST=1 "$@" modules >&2 || exit 1
	echo "$out/build"
)
# Where oomfrag_test_modules puts the modules for the debug kernel.
oomfrag_debug_modules_dir() { echo "$(oomfrag_kernel_dir debug).modules"; }
