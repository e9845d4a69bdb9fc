# SPDX-License-Identifier: GPL-2.0
# Shared settings for oomfrag's build and test scripts.  Source, don't run.

OOMFRAG_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OOMFRAG_CACHE=${OOMFRAG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/oomfrag}
# Where Debian's linux-source-7.3 puts the tarball (a directory to search,
# overridable so the first-run test can make it appear late).
KSRC_DIR=${KSRC_DIR:-/usr/src}
KSRC_TARBALL=${KSRC_TARBALL:-$(ls "$KSRC_DIR"/linux-source-7.3.tar.xz 2>/dev/null || true)}

export PATH=/usr/lib/llvm-19/bin:$HOME/.cargo/bin:$PATH
export LIBCLANG_PATH=${LIBCLANG_PATH:-/usr/lib/llvm-19/lib}
RUSTC_VER=$(rustc --version 2>/dev/null | awk '{print $2}')
export RUST_LIB_SRC=${RUST_LIB_SRC:-/usr/src/rustc-$RUSTC_VER/library}

# The test kernel tree is keyed by kernel version, config fragment and Rust
# compiler: a change to any of them gives a new tree; nothing else does.
oomfrag_kernel_key() {
	local kver frag
	kver=$(basename "$KSRC_TARBALL" .tar.xz)
	frag=$(sha256sum "$OOMFRAG_TOP/tools/testing/kernel.config" | cut -c1-12)
	echo "$kver-rustc$RUSTC_VER-$frag"
}
oomfrag_kernel_dir() { echo "$OOMFRAG_CACHE/$(oomfrag_kernel_key)"; }
