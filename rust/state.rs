// SPDX-License-Identifier: GPL-2.0

//! The module's state, preallocated at load, and the OOM path: snapshot the
//! zones, let the engine decide (`Event::evaluate`), keep, print.

use crate::engine::platform::Platform;
use crate::engine::query::QuerySpec;
use crate::engine::report::{
    SummaryLine,
    ZoneLine, //
};
use crate::engine::request::Request;
use crate::engine::verdict::{
    Unknown,
    Verdict,
    ZoneVerdict, //
};
use crate::engine::zone::ZoneSnapshot;
use crate::glue::atomic::{
    Atomic,
    Relaxed, //
};
use crate::glue::capture::{
    self,
    MemcgOomHandler,
    Pending, //
};
use crate::glue::clock::Instant;
use crate::glue::live;
use crate::glue::oom_notifier::OomHandler;
use crate::glue::sync::SpinLockIrq;
use crate::history::{
    new_event,
    History,
    KEvent,
    RateLimit,
    HISTORY, //
};
use crate::line::Line;
use kernel::{
    ffi,
    new_mutex,
    new_spinlock,
    prelude::*,
    sync::{
        Mutex,
        SpinLock, //
    }, //
};

/// Bytes preallocated at load per zone slot: one [`ZoneSnapshot`] each
/// for the OOM path and the readers, one [`ZoneVerdict`] each for the OOM
/// path's event, the `query` event, the history ring and its copy for
/// `last`.  The module has [`live::max_zones()`] slots
/// (`nr_node_ids * MAX_NR_ZONES`).
pub(crate) const fn prealloc_bytes_per_zone() -> usize {
    2 * core::mem::size_of::<ZoneSnapshot>()
        + (2 + 2 * HISTORY) * core::mem::size_of::<ZoneVerdict>()
}

/// Preallocated memory of the OOM path.
pub(crate) struct Scratch {
    zones: KVec<ZoneSnapshot>,
    event: KEvent,
    /// The last request taken from the kprobe's capture.
    consumed: u64,
    /// The request being evaluated, filled in place.
    req: Request,
    /// Each printed line, formatted once (see `line.rs`).
    line: Line,
}

/// Preallocated memory of the debugfs readers, so that reading a file does
/// not itself change the free lists it reports.
pub(crate) struct DebugScratch {
    /// Zone snapshots.
    pub(crate) zones: KVec<ZoneSnapshot>,
    /// The `query` file's event.
    pub(crate) event: KEvent,
    /// A copy of the history, formatted without the spinlock.
    pub(crate) history: KVec<KEvent>,
}

/// Everything the module shares between the OOM path, the kprobe and the
/// debugfs files.
#[pin_data]
pub(crate) struct Shared {
    /// The running kernel, as the engine needs it.
    pub(crate) platform: Platform,
    /// Zones every buffer has room for ([`live::max_zones()`]).
    pub(crate) max_zones: usize,
    /// Events, counters, rate limit.
    #[pin]
    pub(crate) history: SpinLockIrq<History>,
    #[pin]
    scratch: Mutex<Scratch>,
    /// The request the `query` file answers for.
    #[pin]
    pub(crate) query: Mutex<QuerySpec>,
    /// The debugfs readers' memory.
    #[pin]
    pub(crate) debug: Mutex<DebugScratch>,
    /// The rate limit of the "query rejected" warnings.
    #[pin]
    pub(crate) rejects: Mutex<RateLimit>,
    /// The memory-cgroup OOM path's line (atomic context: a spinlock, taken
    /// only there, never contended since `oom_lock` serialises OOMs).
    #[pin]
    memcg_line: SpinLock<Line>,
    seq: Atomic<u64>,
    /// Whether the request-capturing kprobe is registered.
    pub(crate) kprobe: Atomic<bool>,
}

impl Shared {
    /// Allocates everything the OOM path and the readers will use.
    /// Buffers are sized for every zone the machine can ever have
    /// (`nr_node_ids * MAX_NR_ZONES`, hot-pluggable nodes included).
    pub(crate) fn new() -> Result<impl PinInit<Self>> {
        let max_zones = live::max_zones();
        let history = History::new(max_zones)?;
        let scratch = Scratch {
            zones: KVec::from_elem(ZoneSnapshot::EMPTY, max_zones, GFP_KERNEL)?,
            event: new_event(max_zones)?,
            consumed: 0,
            req: Request::unknown(crate::engine::gfp_types::KERNEL),
            line: Line::new(),
        };
        let mut copies = KVec::with_capacity(HISTORY, GFP_KERNEL)?;
        for _ in 0..HISTORY {
            copies.push(new_event(max_zones)?, GFP_KERNEL)?;
        }
        let debug = DebugScratch {
            zones: KVec::from_elem(ZoneSnapshot::EMPTY, max_zones, GFP_KERNEL)?,
            event: new_event(max_zones)?,
            history: copies,
        };
        Ok(pin_init!(Self {
            platform: live::platform(),
            max_zones,
            history <- SpinLockIrq::new(history),
            scratch <- new_mutex!(scratch),
            query <- new_mutex!(QuerySpec {
                order: 0,
                gfp: crate::engine::gfp_types::KERNEL,
                node: None,
            }),
            debug <- new_mutex!(debug),
            rejects <- new_mutex!(RateLimit::new()),
            memcg_line <- new_spinlock!(Line::new()),
            seq: Atomic::new(0),
            kprobe: Atomic::new(false),
        }))
    }

    /// Numbers the event, keeps its compute time.
    fn seal(&self, e: &mut KEvent, start: Instant) {
        e.summary.seq = self.seq.fetch_add(1, Relaxed) + 1;
        e.summary.compute_ns = start.elapsed_nanos().max(0) as u64;
    }
}

impl MemcgOomHandler for Shared {
    /// The OOM path for a memory-cgroup OOM, from the irq_work the kprobe
    /// queues (hard interrupt context; the notifier chain is not called for
    /// these).  No zones are read: the event is filled in its history slot,
    /// and one line printed.  The history lock disables interrupts
    /// everywhere, so taking it here is consistent.
    fn on_memcg_oom(&self, req: Request) {
        let start = Instant::now();
        let (summary, print) = {
            let mut h = self.history.lock();
            let e = h.next_slot();
            e.evaluate(&self.platform, &[], req);
            self.seal(e, start);
            let summary = e.summary;
            (summary, h.count_newest())
        };
        if print {
            let mut line = self.memcg_line.lock();
            pr_info!("{}\n", line.format(SummaryLine(&self.platform, &summary)));
        }
    }
}

impl OomHandler for Shared {
    /// The OOM path for zone shortages, from the notifier: snapshot,
    /// evaluate, keep, print.  Runs under `oom_lock`, in process context,
    /// last on the chain (so `freed` holds what every other notifier freed).
    /// Allocates nothing; `scratch` is taken only here (never by code that
    /// allocates, and never contended: `oom_lock` serialises OOMs), the
    /// history spinlock only for a copy; loops are bounded by the number of
    /// zones.  Printing happens with preemption enabled.  Frees nothing.
    fn on_oom(&self, freed: &mut ffi::c_ulong) {
        let start = Instant::now();
        let mut guard = self.scratch.lock();
        let s = &mut *guard;
        s.req = Request::unknown(crate::engine::gfp_types::KERNEL);
        capture::fill_current_request(&mut s.req, *freed as u64);
        Pending::take(&mut s.consumed, &mut s.req);
        let req = s.req;
        let n = live::snapshot(&mut s.zones, live::Mode::Lockless);
        let e = &mut s.event;
        // More zones than at load cannot happen (the buffers hold every
        // possible node's zones); if it did, the engine says `unknown`.
        let seen = n.min(s.zones.len());
        e.evaluate(&self.platform, &s.zones[..seen], req);
        if n > seen {
            e.summary.nr_zones = n;
            e.summary.verdict = Verdict::Unknown;
            e.summary.missing.insert(Unknown::Zones);
        }
        self.seal(e, start);
        let print = {
            let mut h = self.history.lock();
            h.next_slot().copy_from(e);
            h.count_newest()
        };
        if print {
            let p = &self.platform;
            let line = &mut s.line;
            pr_info!("{}\n", line.format(SummaryLine(p, &e.summary)));
            for z in e.zones() {
                pr_info!("{}\n", line.format(ZoneLine(p, &e.summary, z)));
            }
        }
    }
}
