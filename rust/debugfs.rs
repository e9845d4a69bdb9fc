// SPDX-License-Identifier: GPL-2.0

//! The files under `/sys/kernel/debug/oomfrag/`: wiring and formatting only.
//! Zones are read by `live.rs`, verdicts decided by the engine, text written
//! by `report.rs`; every format is in Documentation/oomfrag.rst.
//!
//! The files are created by `debugfs_shim.c`, with the module as their
//! `file_operations` owner (the kernel's Rust debugfs abstraction sets
//! none, so an open file would not pin the module and its `close()` after
//! `rmmod` would oops); their contents come from here, through
//! [`oomfrag_debugfs_show`] and [`oomfrag_debugfs_write`].

use crate::engine::query::{
    parse_query,
    QueryError,
    QUERY_MAX, //
};
use crate::engine::report::{
    BuddyLine,
    EventText,
    Header,
    Metrics,
    WatermarkTable,
    ZoneSnapshotText, //
};
use crate::glue::live;
use crate::glue::user_input::read_all;
use crate::history::HISTORY;
use crate::state::Shared;
use kernel::{
    bindings,
    ffi,
    fmt::{
        Display,
        Formatter,
        Result as FmtResult, //
    },
    prelude::*,
    seq_file::SeqFile,
    seq_print,
    sync::{
        atomic::Relaxed,
        Arc, //
    },
    uaccess::{
        UserPtr,
        UserSlice,
        UserSliceReader, //
    }, //
};

/// The requests the `watermarks` file checks: one that may not use CMA
/// and one that may.
const WATERMARK_GFPS: [(&str, u32); 2] = [
    ("nocma", crate::engine::gfp::KERNEL),
    ("cma", crate::engine::gfp::HIGHUSER_MOVABLE),
];

fn show_zones(s: &Shared, f: &mut Formatter<'_>) -> FmtResult {
    writeln!(f, "{}", Header("zones"))?;
    let mut d = s.debug.lock();
    let n = live::snapshot(&mut d.zones, live::Mode::Counted);
    let shown = n.min(d.zones.len());
    for z in &d.zones[..shown] {
        write!(f, "{}", ZoneSnapshotText(&s.platform, z))?;
    }
    if n > shown {
        writeln!(f, "truncated zones={n} shown={shown}")?;
    }
    Ok(())
}

/// `buddy`: free blocks by order, lockless (no `zone->lock`, no list
/// walk), as cheap as `/proc/buddyinfo`.
fn show_buddy(s: &Shared, f: &mut Formatter<'_>) -> FmtResult {
    writeln!(f, "{}", Header("buddy"))?;
    let mut d = s.debug.lock();
    let n = live::snapshot(&mut d.zones, live::Mode::Lockless);
    let shown = n.min(d.zones.len());
    for z in &d.zones[..shown] {
        write!(f, "{}", BuddyLine(z))?;
    }
    Ok(())
}

fn show_watermarks(s: &Shared, f: &mut Formatter<'_>) -> FmtResult {
    writeln!(f, "{}", Header("watermarks"))?;
    let mut d = s.debug.lock();
    let n = live::snapshot(&mut d.zones, live::Mode::Lockless);
    let shown = n.min(d.zones.len());
    for z in &d.zones[..shown] {
        let t = WatermarkTable {
            p: &s.platform,
            z,
            gfps: &WATERMARK_GFPS,
        };
        write!(f, "{t}")?;
    }
    Ok(())
}

fn show_query(s: &Shared, f: &mut Formatter<'_>) -> FmtResult {
    writeln!(f, "{}", Header("query"))?;
    let req = s.query.lock().request();
    let mut guard = s.debug.lock();
    let d = &mut *guard;
    let n = live::snapshot(&mut d.zones, live::Mode::Counted).min(d.zones.len());
    d.event.evaluate(&s.platform, &d.zones[..n], req);
    write!(f, "{}", EventText(&s.platform, &d.event))
}

fn write_query(s: &Shared, r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; QUERY_MAX];
    let spec = match read_all(r, &mut buf) {
        Ok(input) => parse_query(
            &s.platform,
            input,
            live::NR_ORDERS_U8,
            crate::engine::gfp::KERNEL,
            live::node_id_online,
        ),
        Err(e) if e == EINVAL => Err(QueryError::TooLong),
        Err(e) => return Err(e),
    };
    match spec {
        Ok(q) => {
            *s.query.lock() = q;
            Ok(())
        }
        Err(e) => {
            if s.rejects.lock().allow() {
                pr_warn!("query rejected: {}\n", e.message());
            }
            Err(EINVAL)
        }
    }
}

fn show_last(s: &Shared, f: &mut Formatter<'_>) -> FmtResult {
    writeln!(f, "{}", Header("last"))?;
    // Copy out under the spinlock, format without it (seq_file allocates).
    let mut d = s.debug.lock();
    let count = s.history.lock().copy_to(&mut d.history);
    for e in &d.history[..count.min(HISTORY)] {
        write!(f, "{}", EventText(&s.platform, e))?;
    }
    Ok(())
}

fn show_stats(s: &Shared, f: &mut Formatter<'_>) -> FmtResult {
    let mut st = s.history.lock().stats;
    st.kprobe = s.kprobe.load(Relaxed);
    write!(f, "{st}")?;
    writeln!(f, "max_lock_ns {}", live::max_lock_ns())
}

fn show_metrics(s: &Shared, f: &mut Formatter<'_>) -> FmtResult {
    let mut d = s.debug.lock();
    let n = live::snapshot(&mut d.zones, live::Mode::Counted);
    let shown = n.min(d.zones.len());
    let mut stats = s.history.lock().stats;
    stats.kprobe = s.kprobe.load(Relaxed);
    let m = Metrics {
        p: &s.platform,
        stats: &stats,
        zones: &d.zones[..shown],
        max_lock_ns: live::max_lock_ns(),
    };
    write!(f, "{m}")
}

/// The files, by the id the shim passes back.
#[derive(Clone, Copy)]
enum FileId {
    Zones,
    Watermarks,
    Query,
    Last,
    Stats,
    Metrics,
    Buddy,
}

/// Every file: id, name, writable.
const FILES: [(FileId, &CStr, bool); 7] = [
    (FileId::Zones, c"zones", false),
    (FileId::Watermarks, c"watermarks", false),
    (FileId::Query, c"query", true),
    (FileId::Last, c"last", false),
    (FileId::Stats, c"stats", false),
    (FileId::Metrics, c"metrics", false),
    (FileId::Buddy, c"buddy", false),
];

/// `OOMFRAG_MAX_FILES` of shim.h: the shim's table of files.
const MAX_FILES: usize = 16;
const _: () = assert!(FILES.len() <= MAX_FILES);

/// A show function as a [`Display`], so that `seq_print!` formats it
/// straight into the `seq_file`.
struct Show<'a>(&'a Shared, fn(&Shared, &mut Formatter<'_>) -> FmtResult);

impl Display for Show<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> FmtResult {
        (self.1)(self.0, f)
    }
}

/// The show callback of every file (`single_open()`'s), from the shim.
///
/// # Safety
///
/// `state` is the pointer [`Files::new`] gave the shim, alive while the
/// file exists (see [`Files`]), `id` one of [`FILES`]' ids, and `m` the
/// `seq_file` being filled.
#[no_mangle]
unsafe extern "C" fn oomfrag_debugfs_show(
    state: *const ffi::c_void,
    id: ffi::c_int,
    m: *mut bindings::seq_file,
) -> ffi::c_int {
    // SAFETY: per the contract, `state` points to a live `Shared`.
    let s = unsafe { &*state.cast::<Shared>() };
    // SAFETY: per the contract, `m` is the `seq_file` of this show call.
    let seq = unsafe { SeqFile::from_raw(m) };
    let show: fn(&Shared, &mut Formatter<'_>) -> FmtResult = match id {
        x if x == FileId::Zones as i32 => show_zones,
        x if x == FileId::Watermarks as i32 => show_watermarks,
        x if x == FileId::Query as i32 => show_query,
        x if x == FileId::Last as i32 => show_last,
        x if x == FileId::Stats as i32 => show_stats,
        x if x == FileId::Metrics as i32 => show_metrics,
        x if x == FileId::Buddy as i32 => show_buddy,
        _ => return EINVAL.to_errno(),
    };
    seq_print!(seq, "{}", Show(s, show));
    0
}

/// The write callback of the writable files, from the shim.
///
/// # Safety
///
/// As [`oomfrag_debugfs_show`], and `buf` is a user pointer to `len`
/// bytes (checked when read).
#[no_mangle]
unsafe extern "C" fn oomfrag_debugfs_write(
    state: *const ffi::c_void,
    id: ffi::c_int,
    buf: *const u8,
    len: usize,
) -> isize {
    // SAFETY: per the contract, `state` points to a live `Shared`.
    let s = unsafe { &*state.cast::<Shared>() };
    if id != FileId::Query as i32 {
        return EINVAL.to_errno() as isize;
    }
    let mut r = UserSlice::new(UserPtr::from_ptr(buf.cast_mut().cast()), len).reader();
    match write_query(s, &mut r) {
        Ok(()) => len as isize,
        Err(e) => e.to_errno() as isize,
    }
}

unsafe extern "C" {
    fn oomfrag_debugfs_dir(name: *const ffi::c_char) -> *mut ffi::c_void;
    fn oomfrag_debugfs_file(
        dir: *mut ffi::c_void,
        name: *const ffi::c_char,
        id: ffi::c_int,
        writable: bool,
        state: *const ffi::c_void,
    ) -> ffi::c_int;
    fn oomfrag_debugfs_remove(dir: *mut ffi::c_void);
}

/// The debugfs directory `oomfrag/` and its files, removed on drop.
///
/// # Invariants
///
/// `dir` is the directory `oomfrag_debugfs_dir()` created (or an error
/// pointer, which `debugfs_remove()` ignores), and `state` a pointer from
/// `Arc::into_raw`, one reference owned by this value: the files' callbacks
/// read it, and they run only while the files exist, which ends in
/// [`Drop`] before the reference is given back (`debugfs_remove()` waits
/// for callbacks in progress; an open file pins the module, so no callback
/// comes after).
pub struct Files {
    dir: *mut ffi::c_void,
    state: *const Shared,
}

// SAFETY: the pointers are only handed to debugfs (which may be called from
// any thread) and to `Arc::from_raw` once, in drop.
unsafe impl Send for Files {}
// SAFETY: `&Files` gives access to nothing.
unsafe impl Sync for Files {}

impl Files {
    /// Creates `oomfrag/` and its files, reading `s`.
    pub fn new(s: Arc<Shared>) -> Result<Self> {
        let state = Arc::into_raw(s);
        // SAFETY: `c"oomfrag"` is a NUL-terminated string.
        let dir = unsafe { oomfrag_debugfs_dir(c"oomfrag".as_char_ptr()) };
        // From here on, drop removes the directory and releases `state`.
        let files = Files { dir, state };
        for (id, name, writable) in FILES {
            // SAFETY: `dir` is the directory above; `name` is NUL-terminated;
            // `state` stays alive until the files are removed (invariant).
            let ret = unsafe {
                oomfrag_debugfs_file(
                    dir,
                    name.as_char_ptr(),
                    id as ffi::c_int,
                    writable,
                    state.cast(),
                )
            };
            if ret != 0 {
                return Err(Error::from_errno(ret));
            }
        }
        Ok(files)
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        // SAFETY: `dir` came from `oomfrag_debugfs_dir()` (invariant);
        // removing it waits for the files' callbacks in progress.
        unsafe { oomfrag_debugfs_remove(self.dir) };
        // SAFETY: `state` came from `Arc::into_raw` (invariant); no callback
        // can run any more.
        drop(unsafe { Arc::from_raw(self.state) });
    }
}
