// SPDX-License-Identifier: GPL-2.0

//! The files under `/sys/kernel/debug/oomfrag/`: wiring and formatting only.
//! Zones are read by `glue/live.rs`, verdicts decided by the engine, text written
//! by `engine/report/`; every format is in Documentation/oomfrag.rst.
//!
//! The files themselves (owned by the module) are made by the glue
//! (`glue/debugfs.rs`); their contents come from here.

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
use crate::glue::atomic::Relaxed;
use crate::glue::debugfs::{
    File,
    Files, //
};
use crate::glue::live;
use crate::glue::user_input::read_all;
use crate::history::HISTORY;
use crate::state::Shared;
use core::fmt::{
    Formatter,
    Result as FmtResult, //
};
use kernel::{
    prelude::*,
    sync::Arc,
    uaccess::UserSliceReader, //
};

/// The requests the `watermarks` file checks: one that may not use CMA
/// and one that may.
const WATERMARK_GFPS: [(&str, u32); 2] = [
    ("nocma", crate::engine::gfp_types::KERNEL),
    ("cma", crate::engine::gfp_types::HIGHUSER_MOVABLE),
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
            crate::engine::gfp_types::KERNEL,
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

/// Every file.
static FILES: [File<Shared>; 7] = [
    File {
        name: c"zones",
        show: show_zones,
        write: None,
    },
    File {
        name: c"watermarks",
        show: show_watermarks,
        write: None,
    },
    File {
        name: c"query",
        show: show_query,
        write: Some(write_query),
    },
    File {
        name: c"last",
        show: show_last,
        write: None,
    },
    File {
        name: c"stats",
        show: show_stats,
        write: None,
    },
    File {
        name: c"metrics",
        show: show_metrics,
        write: None,
    },
    File {
        name: c"buddy",
        show: show_buddy,
        write: None,
    },
];

/// Creates `/sys/kernel/debug/oomfrag/` and its files over `s`.
pub(crate) fn create(s: Arc<Shared>) -> Result<Files<Shared>> {
    Files::new(c"oomfrag", &FILES, s)
}
