// SPDX-License-Identifier: GPL-2.0

//! oomfrag_bench: measures oomfrag's cost beside the kernel's own work, for
//! `make bench` (tools/testing/bench).  Test use only: built by `make
//! test-modules`, never part of oomfrag.ko.  Load it after oomfrag.
//!
//! Under `/sys/kernel/debug/oomfrag_bench/`:
//!
//! - `oom`: one line per `out_of_memory()` call since the last `reset`
//!   (write `reset`): `event kprobe_ns=A notifier_ns=B report_ns=C`, where
//!   A is oomfrag's kprobe handler at `out_of_memory()` entry (for a
//!   memory-cgroup OOM, its whole OOM path), B oomfrag's OOM notifier call,
//!   printing included, and C the kernel's own report, from `dump_header()`
//!   to `__oom_kill_process()` (0: not reported, e.g. rate-limited); how
//!   each is taken is in `bench_shim.c`;
//! - `lock`: write `on` to time every `zone->lock` hold of tasks named
//!   `readloop` (resetting the figures), `off` to stop; read
//!   `holds=N max_ns=M sum_ns=S`.

use kernel::{
    debugfs::{
        Dir,
        File, //
    },
    ffi,
    prelude::*,
    sync::Arc,
    uaccess::UserSliceReader, //
};

module! {
    type: Bench,
    name: "oomfrag_bench",
    authors: ["The oomfrag developers"],
    description: "Times oomfrag's OOM path and readers beside the kernel's (test use only)",
    license: "GPL",
}

#[path = "../rust/glue/oom_notifier.rs"]
mod oom_notifier;
#[path = "../rust/glue/user_input.rs"]
mod user_input;

use oom_notifier::{
    OomHandler,
    OomNotifier, //
};
use user_input::read_all;

unsafe extern "C" {
    fn oomfrag_bench_register() -> ffi::c_int;
    fn oomfrag_bench_unregister();
    fn oomfrag_bench_notifier(after: bool);
    fn oomfrag_bench_nr_events() -> ffi::c_uint;
    fn oomfrag_bench_event(i: ffi::c_uint, out: *mut u64);
    fn oomfrag_bench_reset();
    fn oomfrag_bench_lock_arm(on: bool) -> ffi::c_int;
    fn oomfrag_bench_lock_unregister();
    fn oomfrag_bench_lock_stats(out: *mut u64);
}

/// The notifier just before oomfrag's (`after == false`) or just after.
struct Edge {
    after: bool,
}

impl OomHandler for Edge {
    fn on_oom(&self, _freed: &mut ffi::c_ulong) {
        // SAFETY: called on the OOM notifier chain, under `oom_lock`, the
        // only caller of the shim's event state besides its kprobes (which
        // run under the same lock).
        unsafe { oomfrag_bench_notifier(self.after) };
    }
}

fn show_oom(_: &(), f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
    writeln!(f, "# oomfrag_bench oom v1")?;
    // SAFETY: no precondition; a racy count is fine for a reader.
    let n = unsafe { oomfrag_bench_nr_events() };
    for i in 0..n {
        let mut e = [0u64; 3];
        // SAFETY: `i` is below the count the shim gave; `e` has room for 3.
        unsafe { oomfrag_bench_event(i, e.as_mut_ptr()) };
        writeln!(
            f,
            "event kprobe_ns={} notifier_ns={} report_ns={}",
            e[0], e[1], e[2]
        )?;
    }
    Ok(())
}

fn write_oom(_: &(), r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 16];
    if read_all(r, &mut buf)?.trim_ascii() != b"reset" {
        return Err(EINVAL);
    }
    // SAFETY: no precondition (a reset racing an OOM loses that record).
    unsafe { oomfrag_bench_reset() };
    Ok(())
}

fn show_lock(_: &(), f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
    let mut s = [0u64; 3];
    // SAFETY: `s` has room for 3.
    unsafe { oomfrag_bench_lock_stats(s.as_mut_ptr()) };
    writeln!(f, "holds={} max_ns={} sum_ns={}", s[0], s[1], s[2])
}

fn write_lock(_: &(), r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 16];
    let on = match read_all(r, &mut buf)?.trim_ascii() {
        b"on" => true,
        b"off" => false,
        _ => return Err(EINVAL),
    };
    // SAFETY: debugfs writes of one file are not serialised by debugfs,
    // but arming twice at once only registers once (kprobe registration
    // takes its own mutex and refuses a second registration).
    let ret = unsafe { oomfrag_bench_lock_arm(on) };
    if ret != 0 {
        return Err(Error::from_errno(ret));
    }
    Ok(())
}

#[pin_data]
struct Files {
    #[pin]
    oom: File<()>,
    #[pin]
    lock: File<()>,
    _dir: Dir,
}

struct Bench {
    // Dropped in order: the notifiers first, then the files.
    _before: OomNotifier<Edge>,
    _after: OomNotifier<Edge>,
    _files: Pin<KBox<Files>>,
}

impl kernel::Module for Bench {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let dir = Dir::new(c"oomfrag_bench");
        let files = KBox::pin_init(
            try_pin_init!(Files {
                oom <- dir.read_write_callback_file(c"oom", (), &show_oom, &write_oom),
                lock <- dir.read_write_callback_file(c"lock", (), &show_lock, &write_lock),
                _dir: dir,
            }),
            GFP_KERNEL,
        )?;
        // oomfrag's notifier has priority INT_MIN; an equal priority goes
        // after the ones already registered.
        let before =
            OomNotifier::register(Arc::new(Edge { after: false }, GFP_KERNEL)?, i32::MIN + 1)?;
        let after = OomNotifier::register(Arc::new(Edge { after: true }, GFP_KERNEL)?, i32::MIN)?;
        // SAFETY: registers the shim's static kprobes once; undone in drop.
        let ret = unsafe { oomfrag_bench_register() };
        if ret != 0 {
            pr_err!(
                "kprobes on out_of_memory/dump_header/__oom_kill_process: error {}\n",
                ret
            );
            return Err(Error::from_errno(ret));
        }
        pr_info!("loaded (test use only)\n");
        Ok(Bench {
            _before: before,
            _after: after,
            _files: files,
        })
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        // SAFETY: the kprobes were registered in init; unregistering waits
        // for running handlers.
        unsafe {
            oomfrag_bench_unregister();
            oomfrag_bench_lock_unregister();
        }
    }
}
