// SPDX-License-Identifier: GPL-2.0

//! The files under `/sys/kernel/debug/oomfrag/`: wiring and formatting only.
//! Zones are read by `live.rs`, verdicts decided by the engine, text written
//! by `report.rs`; every format is in Documentation/oomfrag.rst.

use crate::history::HISTORY;
use crate::live;
use crate::query::{
    parse_query,
    QueryError,
    QUERY_MAX, //
};
use crate::report::{
    BuddyLine,
    EventText,
    Header,
    Metrics,
    WatermarkTable,
    ZoneSnapshotText, //
};
use crate::state::Shared;
use crate::user_input::read_all;
use kernel::{
    debugfs::{
        Dir,
        File, //
    },
    fmt::{
        Formatter,
        Result as FmtResult, //
    },
    prelude::*,
    sync::{
        atomic::Relaxed,
        Arc, //
    },
    uaccess::UserSliceReader, //
};

/// The requests the `watermarks` file checks: one that may not use CMA
/// and one that may.
const WATERMARK_GFPS: [(&str, u32); 2] = [
    ("nocma", crate::gfp::KERNEL),
    ("cma", crate::gfp::HIGHUSER_MOVABLE),
];

fn show_zones(s: &Arc<Shared>, f: &mut Formatter<'_>) -> FmtResult {
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
fn show_buddy(s: &Arc<Shared>, f: &mut Formatter<'_>) -> FmtResult {
    writeln!(f, "{}", Header("buddy"))?;
    let mut d = s.debug.lock();
    let n = live::snapshot(&mut d.zones, live::Mode::Lockless);
    let shown = n.min(d.zones.len());
    for z in &d.zones[..shown] {
        write!(f, "{}", BuddyLine(z))?;
    }
    Ok(())
}

fn show_watermarks(s: &Arc<Shared>, f: &mut Formatter<'_>) -> FmtResult {
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

fn show_query(s: &Arc<Shared>, f: &mut Formatter<'_>) -> FmtResult {
    writeln!(f, "{}", Header("query"))?;
    let req = s.query.lock().request();
    let mut guard = s.debug.lock();
    let d = &mut *guard;
    let n = live::snapshot(&mut d.zones, live::Mode::Counted).min(d.zones.len());
    d.event.evaluate(&s.platform, &d.zones[..n], req);
    write!(f, "{}", EventText(&s.platform, &d.event))
}

fn write_query(s: &Arc<Shared>, r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; QUERY_MAX];
    let spec = match read_all(r, &mut buf) {
        Ok(input) => parse_query(
            &s.platform,
            input,
            live::NR_ORDERS_U8,
            crate::gfp::KERNEL,
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
            pr_warn!("query rejected: {}\n", e.message());
            Err(EINVAL)
        }
    }
}

fn show_last(s: &Arc<Shared>, f: &mut Formatter<'_>) -> FmtResult {
    writeln!(f, "{}", Header("last"))?;
    // Copy out under the spinlock, format without it (seq_file allocates).
    let mut d = s.debug.lock();
    let count = s.history.lock().copy_to(&mut d.history);
    for e in &d.history[..count.min(HISTORY)] {
        write!(f, "{}", EventText(&s.platform, e))?;
    }
    Ok(())
}

fn show_stats(s: &Arc<Shared>, f: &mut Formatter<'_>) -> FmtResult {
    let mut st = s.history.lock().stats;
    st.kprobe = s.kprobe.load(Relaxed);
    write!(f, "{st}")?;
    writeln!(f, "max_lock_ns {}", live::max_lock_ns())
}

fn show_metrics(s: &Arc<Shared>, f: &mut Formatter<'_>) -> FmtResult {
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

/// The debugfs directory and its files, removed on drop.
#[pin_data]
pub struct Files {
    #[pin]
    zones: File<Arc<Shared>>,
    #[pin]
    watermarks: File<Arc<Shared>>,
    #[pin]
    query: File<Arc<Shared>>,
    #[pin]
    last: File<Arc<Shared>>,
    #[pin]
    stats: File<Arc<Shared>>,
    #[pin]
    metrics: File<Arc<Shared>>,
    #[pin]
    buddy: File<Arc<Shared>>,
    _dir: Dir,
}

impl Files {
    /// Creates `oomfrag/` and its files, reading `s`.
    pub fn new(s: Arc<Shared>) -> impl PinInit<Self, Error> {
        let dir = Dir::new(c"oomfrag");
        try_pin_init!(Self {
            zones <- dir.read_callback_file(c"zones", s.clone(), &show_zones),
            watermarks <- dir.read_callback_file(c"watermarks", s.clone(), &show_watermarks),
            query <- dir.read_write_callback_file(c"query", s.clone(), &show_query, &write_query),
            last <- dir.read_callback_file(c"last", s.clone(), &show_last),
            stats <- dir.read_callback_file(c"stats", s.clone(), &show_stats),
            metrics <- dir.read_callback_file(c"metrics", s.clone(), &show_metrics),
            buddy <- dir.read_callback_file(c"buddy", s, &show_buddy),
            _dir: dir,
        })
    }
}
