// SPDX-License-Identifier: GPL-2.0

//! Verdicts: each zone's analysis for a request, the summary class over the
//! zones a request may use, and the one entry point from (platform, zone
//! snapshots, request) to an OOM event's verdict, [`Event::evaluate`].
//!
//! The module's OOM path and its debugfs `query`, the host tests and the
//! offline analyzer all decide through [`Event::evaluate`]; the text formats
//! in `report.rs` only print what it decided.

use crate::frag::{
    contig_info,
    fragmentation_index,
    unusable_index,
    usable_blocks, //
};
use crate::gfp::{
    gfp_zone,
    last_chance_caps,
    slowpath_caps, //
};
use crate::platform::Platform;
use crate::watermark::{
    largest_order,
    unusable_free,
    usable_mt_mask,
    watermark_check,
    Cause,
    Check, //
};
use crate::zone::{
    NodeMask,
    Wmark,
    ZoneKind,
    ZoneSnapshot,
    MAX_ORDERS, //
};
use core::cmp::{
    max,
    min, //
};

/// `PAGE_ALLOC_COSTLY_ORDER`: `__alloc_pages_may_oom()` never invokes the OOM
/// killer above it ("The OOM killer will not help higher order allocs").
pub const COSTLY_ORDER: u8 = 3;

/// Zones kept per event.  Zones beyond it are counted but not kept.
pub const MAX_EVENT_ZONES: usize = 32;

/// `TASK_COMM_LEN`: bytes of a task name, NUL padding included.
pub const COMM_LEN: usize = 16;

/// Which of the allocator's checks before the OOM killer a verdict is read
/// from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The slow path's attempts at the min watermark with
    /// `alloc_flags_slowpath()`'s flags, after reclaim and compaction.
    SlowPath,
    /// `__alloc_pages_may_oom()`'s last attempt just before
    /// `out_of_memory()`: `get_page_from_freelist()` at `ALLOC_WMARK_HIGH`
    /// with the request's base `ac->alloc_flags` (no `ALLOC_CMA`, no
    /// reserves).  Used when the slow-path check passes again by the time of
    /// the snapshot: this failed check is the one that invoked the OOM killer.
    LastChance,
}

impl Stage {
    /// The `decided=` word.
    pub const fn name(self) -> &'static str {
        match self {
            Stage::SlowPath => "min",
            Stage::LastChance => "last_chance",
        }
    }
}

/// The analysis of one zone for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZoneVerdict {
    /// Node id.
    pub node: u16,
    /// Zone index.
    pub zone_idx: u8,
    /// Zone type.
    pub kind: ZoneKind,
    /// Whether the request may use this zone at all (`gfp_zone()`).
    pub eligible: bool,
    /// Pass/fail at min, low, high.
    pub checks: [Check; 3],
    /// `__alloc_pages_may_oom()`'s last-chance check (see [`Stage`]).
    pub last_chance: Check,
    /// `lowmem_reserve[highest_zoneidx]`.
    pub reserve: u64,
    /// Free pages, free CMA pages, free high-atomic pages (copied for the
    /// report).
    pub free: u64,
    /// See [`ZoneSnapshot::free_cma`].
    pub free_cma: u64,
    /// See [`ZoneSnapshot::free_highatomic`].
    pub free_highatomic: u64,
    /// Watermarks with boost.
    pub marks: [u64; 3],
    /// See [`ZoneSnapshot::boost`].
    pub boost: u64,
    /// Free pages the request may use: free minus unusable free (as at
    /// order 0: CMA and high-atomic pages it may not use).
    pub usable_free: u64,
    /// Largest order with a free block the request may use.
    pub largest_usable: Option<u8>,
    /// Largest order with any free block.
    pub largest_any: Option<u8>,
    /// `unusable_free_index()` and `__fragmentation_index()` for the order.
    pub unusable_index: i32,
    /// See [`fragmentation_index`].
    pub frag_index: i32,
    /// The same over only the blocks the request may use (exact counts only).
    pub unusable_index_usable: Option<i32>,
    /// See [`fragmentation_index`].
    pub frag_index_usable: Option<i32>,
}

impl ZoneVerdict {
    /// A placeholder for preallocated storage.
    pub const EMPTY: ZoneVerdict = ZoneVerdict {
        node: 0,
        zone_idx: 0,
        kind: ZoneKind::Normal,
        eligible: false,
        checks: [Check {
            ok: false,
            cause: Cause::None,
            min: 0,
            usable: 0,
        }; 3],
        last_chance: Check {
            ok: false,
            cause: Cause::None,
            min: 0,
            usable: 0,
        },
        reserve: 0,
        free: 0,
        free_cma: 0,
        free_highatomic: 0,
        marks: [0; 3],
        boost: 0,
        usable_free: 0,
        largest_usable: None,
        largest_any: None,
        unusable_index: 0,
        frag_index: 0,
        unusable_index_usable: None,
        frag_index_usable: None,
    };

    /// The check that decides the OOM: the slow path's attempts are made at
    /// the min watermark (`alloc_flags_slowpath()` sets `ALLOC_WMARK_MIN`).
    pub fn decisive(&self) -> &Check {
        &self.checks[Wmark::Min as usize]
    }

    /// The check of `stage`.
    pub fn at(&self, stage: Stage) -> &Check {
        match stage {
            Stage::SlowPath => self.decisive(),
            Stage::LastChance => &self.last_chance,
        }
    }
}

/// Analyses one zone for a request of `order` with `gfp`.
pub fn zone_verdict(p: &Platform, z: &ZoneSnapshot, order: u8, gfp: u32) -> ZoneVerdict {
    let caps = slowpath_caps(p, gfp, order);
    let hz = gfp_zone(p, gfp);
    let highest = hz.unwrap_or(0);
    let eligible = hz.is_some_and(|h| z.zone_idx <= h);
    let checks = Wmark::ALL.map(|w| watermark_check(p, z, order, w, highest, &caps));
    let last = watermark_check(p, z, order, Wmark::High, highest, &last_chance_caps());
    let mask = usable_mt_mask(&caps);
    let info = contig_info(&z.nr_free[..z.orders()], order);
    let usable = usable_blocks(z, mask).map(|b| contig_info(&b[..z.orders()], order));
    let usable0 = z.free as i64 - unusable_free(z, 0, &caps, p.cma);
    ZoneVerdict {
        node: z.node,
        zone_idx: z.zone_idx,
        kind: z.kind,
        eligible,
        checks,
        last_chance: last,
        reserve: z.reserve_for(highest),
        free: z.free,
        free_cma: z.free_cma,
        free_highatomic: z.free_highatomic,
        marks: Wmark::ALL.map(|w| z.mark(w)),
        boost: z.boost,
        usable_free: max(usable0, 0) as u64,
        largest_usable: largest_order(z, mask),
        largest_any: largest_order(z, 0xff),
        unusable_index: unusable_index(order, &info),
        frag_index: fragmentation_index(order, &info),
        unusable_index_usable: usable.map(|i| unusable_index(order, &i)),
        frag_index_usable: usable.map(|i| fragmentation_index(order, &i)),
    }
}

/// The summary verdict classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Some eligible zone would satisfy the request now.
    None,
    /// A memory cgroup hit its limit: not a zone shortage.
    Memcg,
    /// Every eligible zone is below its mark.
    Exhaustion,
    /// Free memory, but no usable block of the order.
    Fragmentation,
    /// Free memory, but in CMA, which the request may not use.
    Cma,
    /// Free memory, but in the high-atomic reserve.
    HighAtomic,
    /// Free memory, but protected by `lowmem_reserve[]`.
    LowmemReserve,
}

impl Verdict {
    /// The `verdict=` word.
    pub const fn name(self) -> &'static str {
        match self {
            Verdict::None => "none",
            Verdict::Memcg => "memcg",
            Verdict::Exhaustion => "exhaustion",
            Verdict::Fragmentation => "fragmentation",
            Verdict::Cma => "cma",
            Verdict::HighAtomic => "highatomic",
            Verdict::LowmemReserve => "lowmem_reserve",
        }
    }

    /// Every class, in the order `stats` lists them.
    pub const ALL: [Verdict; 7] = [
        Verdict::None,
        Verdict::Memcg,
        Verdict::Exhaustion,
        Verdict::Fragmentation,
        Verdict::Cma,
        Verdict::HighAtomic,
        Verdict::LowmemReserve,
    ];

    fn of_cause(c: Cause) -> Verdict {
        match c {
            Cause::None => Verdict::None,
            Cause::Exhaustion => Verdict::Exhaustion,
            Cause::LowmemReserve => Verdict::LowmemReserve,
            Cause::Cma => Verdict::Cma,
            Cause::HighAtomic => Verdict::HighAtomic,
            Cause::Fragmentation => Verdict::Fragmentation,
        }
    }
}

/// Free pages a zone held that the request could not use because of its
/// cause at `stage` (the weight of that cause in the summary).
pub fn blocked_pages(v: &ZoneVerdict, order: u8, stage: Stage) -> u64 {
    let c = v.at(stage);
    let above_min = |x: i64| max(x - c.min, 0) as u64;
    match c.cause {
        Cause::None | Cause::Exhaustion => 0,
        Cause::LowmemReserve => above_min(v.free as i64 - ((1i64 << min(order, 62)) - 1)),
        Cause::Cma => v.free_cma,
        Cause::HighAtomic => v.free_highatomic,
        Cause::Fragmentation => above_min(c.usable),
    }
}

/// The summary over the zones a request may use, read from the slow path's
/// min-watermark check; see [`summarize_at`].
pub fn summarize(verdicts: &[ZoneVerdict], order: u8, memcg: bool) -> Verdict {
    summarize_at(verdicts, order, memcg, Stage::SlowPath)
}

/// The summary over the zones a request may use, from the checks of
/// `stage`.
///
/// Precedence (documented in Documentation/oomfrag.rst):
///
/// 1. `memcg` for a memory-cgroup OOM (zones are not the limit);
/// 2. `none` if an eligible zone passes its check now;
/// 3. otherwise each failing zone's cause is weighed by the free pages it
///    held that the request could not use ([`blocked_pages`]), summed per
///    cause; the heaviest cause wins (ties: fragmentation, cma, highatomic,
///    lowmem_reserve).  If some zone is exhausted, that cause must also
///    outweigh the high watermarks of the eligible zones together: memory
///    that would not even have lifted the zones to their high watermark did
///    not prevent the OOM, so the verdict is `exhaustion`.
pub fn summarize_at(verdicts: &[ZoneVerdict], order: u8, memcg: bool, stage: Stage) -> Verdict {
    if memcg {
        return Verdict::Memcg;
    }
    let eligible = || verdicts.iter().filter(|v| v.eligible);
    if eligible().any(|v| v.at(stage).ok) {
        return Verdict::None;
    }
    let order_of = [
        Cause::Fragmentation,
        Cause::Cma,
        Cause::HighAtomic,
        Cause::LowmemReserve,
    ];
    let mut best: Option<(Cause, u64)> = None;
    for cause in order_of {
        let sum: u64 = eligible()
            .filter(|v| v.at(stage).cause == cause)
            .map(|v| blocked_pages(v, order, stage))
            .sum();
        let any = eligible().any(|v| v.at(stage).cause == cause);
        if any && best.is_none_or(|(_, b)| sum > b) {
            best = Some((cause, sum));
        }
    }
    let exhausted = eligible().any(|v| v.at(stage).cause == Cause::Exhaustion);
    let high: u64 = eligible().map(|v| v.marks[Wmark::High as usize]).sum();
    match best {
        Some((cause, sum)) if !exhausted || sum > high => Verdict::of_cause(cause),
        _ => Verdict::Exhaustion,
    }
}

/// What made the kernel call `out_of_memory()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// A page allocation that failed after reclaim and compaction.
    Alloc,
    /// `echo f > /proc/sysrq-trigger` (order -1).
    Sysrq,
    /// A memory cgroup at its limit.
    Memcg,
    /// The request was not captured (no kprobe).
    Unknown,
    /// A request written to the debugfs `query` file.
    Query,
}

impl Trigger {
    /// The `trigger=` word.
    pub const fn name(self) -> &'static str {
        match self {
            Trigger::Alloc => "alloc",
            Trigger::Sysrq => "sysrq",
            Trigger::Memcg => "memcg",
            Trigger::Unknown => "unknown",
            Trigger::Query => "query",
        }
    }
}

/// The request as the OOM killer saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    /// What called the OOM killer.
    pub trigger: Trigger,
    /// `oom_control->order` (-1 for sysrq), `None` when not captured.
    pub order: Option<i32>,
    /// `oom_control->gfp_mask`, `None` when not captured.
    pub gfp: Option<u32>,
    /// The mask evaluated when `gfp` is missing or is no allocation's
    /// (sysrq): the kernel's `GFP_KERNEL`.
    pub fallback_gfp: u32,
    /// The allocation's nodemask (`oom_control->nodemask`);
    /// [`NodeMask::ALL`] when unrestricted.
    pub nodes: NodeMask,
    /// Task that called the OOM killer (NUL-padded).
    pub comm: [u8; COMM_LEN],
    /// Its pid.
    pub pid: i32,
}

impl Request {
    /// A request with nothing captured.
    pub const fn unknown(fallback_gfp: u32) -> Self {
        Self {
            trigger: Trigger::Unknown,
            order: None,
            gfp: None,
            fallback_gfp,
            nodes: NodeMask::ALL,
            comm: [0; COMM_LEN],
            pid: 0,
        }
    }
}

/// One OOM event's verdict, as logged and kept in the history.
#[derive(Clone, Copy, Debug)]
pub struct Event {
    /// Event number since load (1-based; 0 for a query).
    pub seq: u64,
    /// The request.
    pub req: Request,
    /// The order the zones were evaluated for.
    pub eval_order: u8,
    /// The gfp mask the zones were evaluated for.
    pub eval_gfp: u32,
    /// Summary verdict.
    pub verdict: Verdict,
    /// The allocator check the verdict was read from.
    pub stage: Stage,
    /// Zones seen (may exceed [`MAX_EVENT_ZONES`]).
    pub nr_zones: usize,
    /// Zones kept: `zones[..kept]` are valid.
    pub kept: usize,
    /// Per-zone verdicts.
    pub zones: [ZoneVerdict; MAX_EVENT_ZONES],
    /// Time to snapshot and evaluate, in ns.
    pub compute_ns: u64,
}

impl Event {
    /// An empty event (for preallocated storage).
    pub const EMPTY: Event = Event {
        seq: 0,
        req: Request::unknown(0),
        eval_order: 0,
        eval_gfp: 0,
        verdict: Verdict::None,
        stage: Stage::SlowPath,
        nr_zones: 0,
        kept: 0,
        zones: [ZoneVerdict::EMPTY; MAX_EVENT_ZONES],
        compute_ns: 0,
    };

    /// The kept zone verdicts.
    pub fn zones(&self) -> &[ZoneVerdict] {
        &self.zones[..self.kept]
    }

    /// Evaluates `zones` for `req` and fills this event (no allocation).
    ///
    /// A known order is judged as is.  A sysrq OOM or an uncaptured order is
    /// judged for the first order from 0 to `PAGE_ALLOC_COSTLY_ORDER` for
    /// which no zone passes (0 if every order passes somewhere), with
    /// `fallback_gfp` when no allocation's mask was captured.  A failed
    /// allocation whose slow-path check passes again by now is judged by the
    /// last-chance check that invoked the OOM killer ([`Stage`]).
    pub fn evaluate(&mut self, p: &Platform, zones: &[ZoneSnapshot], req: Request) {
        self.req = req;
        self.nr_zones = zones.len();
        let memcg = req.trigger == Trigger::Memcg;
        let gfp = match (req.trigger, req.gfp) {
            (Trigger::Sysrq, _) | (_, None) => req.fallback_gfp,
            (_, Some(g)) => g,
        };
        self.eval_gfp = gfp;
        let known = match req.order {
            Some(o) if req.trigger != Trigger::Sysrq && (0..MAX_ORDERS as i32).contains(&o) => {
                Some(o as u8)
            }
            _ => None,
        };
        let (first, last) = match known {
            Some(o) => (o, o),
            None => (0, COSTLY_ORDER),
        };
        self.stage = Stage::SlowPath;
        for order in first..=last {
            self.fill(p, zones, order, gfp);
            self.verdict = summarize_at(self.zones(), order, memcg, Stage::SlowPath);
            if self.verdict != Verdict::None {
                return;
            }
        }
        if last != first {
            self.fill(p, zones, first, gfp);
            self.verdict = summarize_at(self.zones(), first, memcg, Stage::SlowPath);
        }
        if req.trigger == Trigger::Alloc {
            let v = summarize_at(self.zones(), self.eval_order, memcg, Stage::LastChance);
            if v != Verdict::None {
                self.verdict = v;
                self.stage = Stage::LastChance;
            }
        }
    }

    fn fill(&mut self, p: &Platform, zones: &[ZoneSnapshot], order: u8, gfp: u32) {
        self.eval_order = order;
        self.kept = zones.len().min(MAX_EVENT_ZONES);
        let nodes = self.req.nodes;
        for (slot, z) in self.zones.iter_mut().zip(zones) {
            *slot = zone_verdict(p, z, order, gfp);
            // A nodemask (mempolicy) limits the zones the request may use,
            // as for_each_zone_zonelist_nodemask() does.
            slot.eligible &= z.on_nodes(&nodes);
        }
    }

    /// Whether the snapshot contradicts the failure: the allocator failed,
    /// yet an eligible zone passes even the last-chance check now (memory
    /// came back between the failure and the snapshot).
    pub fn drifted(&self) -> bool {
        self.req.trigger == Trigger::Alloc && self.verdict == Verdict::None
    }
}

/// An event's summary, small enough to build anywhere (the memcg path runs
/// in a kprobe handler and keeps no zones).
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    /// See [`Event::seq`].
    pub seq: u64,
    /// See [`Event::req`].
    pub req: Request,
    /// See [`Event::verdict`].
    pub verdict: Verdict,
    /// See [`Event::stage`].
    pub stage: Stage,
    /// See [`Event::eval_order`].
    pub eval_order: u8,
    /// See [`Event::eval_gfp`].
    pub eval_gfp: u32,
    /// See [`Event::nr_zones`].
    pub nr_zones: usize,
    /// Kept zones the request may use.
    pub eligible: usize,
    /// See [`Event::drifted`].
    pub drift: bool,
    /// See [`Event::compute_ns`].
    pub compute_ns: u64,
}

impl Event {
    /// The summary of this event.
    pub fn summary(&self) -> Summary {
        Summary {
            seq: self.seq,
            req: self.req,
            verdict: self.verdict,
            stage: self.stage,
            eval_order: self.eval_order,
            eval_gfp: self.eval_gfp,
            nr_zones: self.nr_zones,
            eligible: self.zones().iter().filter(|z| z.eligible).count(),
            drift: self.drifted(),
            compute_ns: self.compute_ns,
        }
    }
}

/// Counters for the `stats` file.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// OOM events seen.
    pub events: u64,
    /// Events by verdict, in `Verdict::ALL` order.
    pub by_verdict: [u64; 7],
    /// Lines not printed because of rate limiting.
    pub suppressed: u64,
    /// Compute time of the last event, ns.
    pub last_ns: u64,
    /// Largest compute time seen, ns.
    pub max_ns: u64,
    /// Whether the request-capturing kprobe is active.
    pub kprobe: bool,
}

impl Stats {
    /// Counts an event.
    pub fn record(&mut self, e: &Event) {
        self.events += 1;
        if let Some(i) = Verdict::ALL.iter().position(|v| *v == e.verdict) {
            self.by_verdict[i] += 1;
        }
        self.last_ns = e.compute_ns;
        self.max_ns = self.max_ns.max(e.compute_ns);
    }
}
