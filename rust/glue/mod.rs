// SPDX-License-Identifier: GPL-2.0

//! The kernel side: the only `unsafe` of the module and its C shims.
//! Reading live zones (`live.rs`), capturing the OOM (`capture.rs`, the
//! kprobe; `oom_notifier.rs`, the notifier chain), the debugfs files'
//! plumbing and reading user input.  Differences between kernel versions
//! belong here too, and only here: where the C API is the same on every
//! supported kernel, in a C shim (`*_shim.c`: the module's author and
//! parameter, the irq-safe lock, `seq_file` output, `MMF_OOM_SKIP`); where
//! the kernel crate differs, behind a `--cfg` switch that Kbuild sets from
//! what the tree's `rust/kernel/` has (`atomic.rs`, `clock.rs`, the
//! `UserPtr` of `debugfs.rs`).
//!
//! C calls back into Rust in one way: a registration object owns the
//! state (`Arc<T>`) and is generic over what handles the callback
//! ([`oom_notifier::OomHandler`], [`capture::MemcgOomHandler`], the
//! functions of a [`debugfs::File`]); the C side gets back to the state
//! from the pointer the registration handed it (`container_of!` on the
//! embedded `notifier_block`, the kprobe shim's `data`, a debugfs file's
//! `i_private`), and dropping the registration unregisters first, waiting
//! for callbacks in progress, before the state is released.

pub(crate) mod atomic;
pub(crate) mod capture;
pub(crate) mod clock;
pub(crate) mod debugfs;
pub(crate) mod live;
pub(crate) mod oom_notifier;
pub(crate) mod sync;
pub(crate) mod user_input;
