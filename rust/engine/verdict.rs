// SPDX-License-Identifier: GPL-2.0

//! Verdicts: each zone's analysis for a request, the summary class over the
//! zones a request may use, and the one entry point from (platform, zone
//! snapshots, request) to an OOM event's verdict, [`Event::evaluate`].
//!
//! The module's OOM path and its debugfs `query`, the host tests and the
//! offline analyzer all decide through [`Event::evaluate`]; the text formats
//! in `report.rs` only print what it decided.

use super::frag::{
    contig_info,
    fragmentation_index,
    unusable_index,
    usable_blocks, //
};
use super::gfp::{
    gfp_zone,
    last_chance_caps,
    slowpath_caps,
    AllocCaps,
    HARDWALL, //
};
use super::oom::{
    constrained_alloc,
    nodes_with_memory,
    oom_kill,
    Constraint,
    Kill,
    NoKill,
    OomControl, //
};
use super::platform::Platform;
use super::task::Task;
use super::watermark::{
    largest_order,
    lists_supply,
    seek_cause,
    unusable_free,
    usable_mt_mask,
    watermark_check,
    watermark_check_uncaused,
    zone_watermark_fast,
    Cause,
    Check, //
};
use super::zone::{
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
use core::ops::DerefMut;

/// `PAGE_ALLOC_COSTLY_ORDER`: `__alloc_pages_may_oom()` never invokes the OOM
/// killer above it ("The OOM killer will not help higher order allocs").
pub const COSTLY_ORDER: u8 = 3;

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
    /// Whether the slow path considers the zone ([`zone_eligible`]).
    pub eligible: bool,
    /// Whether the last-chance attempt considers it (`__GFP_HARDWALL`).
    pub eligible_last: bool,
    /// The slow path's check, at min (`alloc_flags_slowpath()` sets
    /// `ALLOC_WMARK_MIN`), with its cause: the check that decides.
    pub min_check: Check,
    /// `zone_watermark_fast()`'s answer at low and at high (the report's
    /// `ok_low`, `ok_high`).  Only pass or fail: no cause is sought for
    /// them, which keeps the OOM path to the checks that decide.
    pub ok_low: bool,
    /// See [`ZoneVerdict::ok_low`].
    pub ok_high: bool,
    /// `__alloc_pages_may_oom()`'s last-chance check (see [`Stage`]).  Its
    /// cause is sought only when an event is decided there
    /// ([`seek_last_chance_causes`], from [`Event::evaluate`]); until then
    /// it is `Cause::None` even if the check fails.
    pub last_chance: Check,
    /// Whether the free lists hold a block the slow path's attempt could
    /// take ([`lists_supply`]): a zone passes for the summary only if its
    /// check passes and this holds.
    pub supplies: bool,
    /// The same for the last-chance attempt's flags.
    pub supplies_last: bool,
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
        eligible_last: false,
        min_check: Check::EMPTY,
        ok_low: false,
        ok_high: false,
        last_chance: Check::EMPTY,
        supplies: false,
        supplies_last: false,
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
        &self.min_check
    }

    /// The check of `stage`.
    pub fn at(&self, stage: Stage) -> &Check {
        match stage {
            Stage::SlowPath => self.decisive(),
            Stage::LastChance => &self.last_chance,
        }
    }

    /// Whether the zone could satisfy the request at `stage`: its check
    /// passes and its free lists hold a block the attempt may take (a
    /// passing check with empty lists fails in `rmqueue()`).
    pub fn passes_at(&self, stage: Stage) -> bool {
        self.at(stage).ok
            && match stage {
                Stage::SlowPath => self.supplies,
                Stage::LastChance => self.supplies_last,
            }
    }

    /// Whether `stage` considers the zone.
    pub fn eligible_at(&self, stage: Stage) -> bool {
        match stage {
            Stage::SlowPath => self.eligible,
            Stage::LastChance => self.eligible_last,
        }
    }
}

/// Whether the allocator's zonelist walk considers zone `z`:
/// `for_next_zone_zonelist_nodemask(zone, z, ac->highest_zoneidx,
/// ac->nodemask)` and, with `ALLOC_CPUSET` and `cpusets_enabled()`,
/// `__cpuset_zone_allowed(zone, gfp_mask)` in `get_page_from_freelist()`
/// (mm/page_alloc.c).  `nodemask` is `ac->nodemask` ([`NodeMask::ALL`] for
/// NULL); the slow path drops it in the cases [`AllocCaps::nodemask`] says.
pub fn zone_eligible(
    z: &ZoneSnapshot,
    highest_zoneidx: Option<u8>,
    nodemask: &NodeMask,
    caps: &AllocCaps,
    task: &Task,
    gfp: u32,
) -> bool {
    let Some(highest) = highest_zoneidx else {
        return false;
    };
    if z.zone_idx > highest {
        return false;
    }
    if caps.nodemask && !nodemask.contains(z.node) {
        return false;
    }
    !(caps.cpuset && task.cpuset.enabled && !task.cpuset.node_allowed(z.node, gfp))
}

/// Analyses one zone for a request of `order` with `gfp` from `task`,
/// restricted to `nodemask` (`ac->nodemask`).
pub fn zone_verdict(
    p: &Platform,
    z: &ZoneSnapshot,
    order: u8,
    gfp: u32,
    task: &Task,
    nodemask: &NodeMask,
) -> ZoneVerdict {
    let caps = slowpath_caps(p, gfp, order, task);
    let last_caps = last_chance_caps(p, gfp, &caps);
    let hz = gfp_zone(p, gfp);
    let highest = hz.unwrap_or(0);
    let min_check = watermark_check(p, z, order, Wmark::Min, highest, &caps);
    let ok_at = |w| zone_watermark_fast(p, z, order, w, highest, &caps);
    let last = watermark_check_uncaused(p, z, order, Wmark::High, highest, &last_caps);
    let mask = usable_mt_mask(&caps);
    let info = contig_info(&z.nr_free[..z.orders()], order);
    let usable = usable_blocks(z, mask).map(|b| contig_info(&b[..z.orders()], order));
    let usable0 = z.free as i64 - unusable_free(z, 0, &caps, p.cma);
    ZoneVerdict {
        node: z.node,
        zone_idx: z.zone_idx,
        kind: z.kind,
        eligible: zone_eligible(z, hz, nodemask, &caps, task, gfp),
        // (gfp_mask | __GFP_HARDWALL) & ~__GFP_DIRECT_RECLAIM
        eligible_last: zone_eligible(z, hz, nodemask, &last_caps, task, gfp | HARDWALL),
        min_check,
        ok_low: ok_at(Wmark::Low),
        ok_high: ok_at(Wmark::High),
        last_chance: last,
        supplies: lists_supply(z, order, &caps),
        supplies_last: lists_supply(z, order, &last_caps),
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

/// Names the causes of the last-chance checks of `verdicts`, made by
/// [`zone_verdict`] for `zones` (in the same order) and the same request,
/// which leaves them unnamed: only an event decided at the last chance
/// reads them.
pub fn seek_last_chance_causes(
    p: &Platform,
    zones: &[ZoneSnapshot],
    verdicts: &mut [ZoneVerdict],
    order: u8,
    gfp: u32,
    task: &Task,
) {
    let caps = slowpath_caps(p, gfp, order, task);
    let last_caps = last_chance_caps(p, gfp, &caps);
    let highest = gfp_zone(p, gfp).unwrap_or(0);
    for (v, z) in verdicts.iter_mut().zip(zones) {
        seek_cause(
            p,
            z,
            order,
            Wmark::High,
            highest,
            &last_caps,
            &mut v.last_chance,
        );
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
    /// Free memory, but under a boosted watermark.
    Boost,
    /// Free memory, held back by several reserves together.
    Reserves,
    /// The request may use no zone at all (its cpuset, nodemask and zone
    /// modifiers leave none).
    NoEligibleZone,
    /// The data cannot decide (see [`Unknown`]).
    Unknown,
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
            Verdict::Boost => "boost",
            Verdict::Reserves => "reserves",
            Verdict::NoEligibleZone => "no_eligible_zone",
            Verdict::Unknown => "unknown",
        }
    }

    /// Every class, in the order `stats` lists them.
    pub const ALL: [Verdict; 11] = [
        Verdict::None,
        Verdict::Memcg,
        Verdict::Exhaustion,
        Verdict::Fragmentation,
        Verdict::Cma,
        Verdict::HighAtomic,
        Verdict::LowmemReserve,
        Verdict::Boost,
        Verdict::Reserves,
        Verdict::NoEligibleZone,
        Verdict::Unknown,
    ];

    fn of_cause(c: Cause) -> Verdict {
        match c {
            Cause::None => Verdict::None,
            Cause::Exhaustion => Verdict::Exhaustion,
            Cause::LowmemReserve => Verdict::LowmemReserve,
            Cause::Cma => Verdict::Cma,
            Cause::HighAtomic => Verdict::HighAtomic,
            Cause::Boost => Verdict::Boost,
            Cause::Reserves => Verdict::Reserves,
            Cause::Fragmentation => Verdict::Fragmentation,
        }
    }
}

/// Why a verdict is `unknown`: what the data lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknown {
    /// The request's order (and gfp mask) were not captured.
    Order,
    /// More zones than the event can hold.
    Zones,
}

impl Unknown {
    /// The `missing=` word.
    pub const fn name(self) -> &'static str {
        match self {
            Unknown::Order => "order",
            Unknown::Zones => "zones",
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
        Cause::LowmemReserve | Cause::Reserves => {
            above_min(v.free as i64 - ((1i64 << min(order, 62)) - 1))
        }
        Cause::Cma => v.free_cma,
        Cause::HighAtomic => v.free_highatomic,
        Cause::Boost => v.boost,
        Cause::Fragmentation => above_min(c.usable),
    }
}

/// The summary over the zones a request may use, read from the slow path's
/// min-watermark check; see [`summarize_at`].
pub fn summarize(verdicts: &[ZoneVerdict], order: u8, memcg: bool) -> Verdict {
    summarize_at(verdicts, order, memcg, Stage::SlowPath)
}

/// The summary over the zones a request may use at `stage`, from their
/// checks of `stage`.
///
/// Precedence (documented in Documentation/oomfrag.rst):
///
/// 1. `memcg` for a memory-cgroup OOM (zones are not the limit);
/// 2. `no_eligible_zone` if the request may use no zone;
/// 3. `none` if an eligible zone passes its check now and its free lists
///    hold a block the request may take ([`ZoneVerdict::passes_at`]);
/// 4. otherwise each failing zone's cause is weighed by the free pages it
///    held that the request could not use ([`blocked_pages`]), summed per
///    cause; the heaviest cause wins (ties: fragmentation, cma, highatomic,
///    lowmem_reserve, boost, reserves).  If some zone is exhausted, that
///    cause must also outweigh the high watermarks of the eligible zones
///    together: memory that would not even have lifted the zones to their
///    high watermark did not prevent the OOM, so the verdict is
///    `exhaustion`.
pub fn summarize_at(verdicts: &[ZoneVerdict], order: u8, memcg: bool, stage: Stage) -> Verdict {
    if memcg {
        return Verdict::Memcg;
    }
    let eligible = || verdicts.iter().filter(|v| v.eligible_at(stage));
    if eligible().next().is_none() {
        return Verdict::NoEligibleZone;
    }
    if eligible().any(|v| v.passes_at(stage)) {
        return Verdict::None;
    }
    let order_of = [
        Cause::Fragmentation,
        Cause::Cma,
        Cause::HighAtomic,
        Cause::LowmemReserve,
        Cause::Boost,
        Cause::Reserves,
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
    // A zone whose check passes with nothing on its lists has no page the
    // request can take: exhausted too.
    let exhausted = eligible()
        .any(|v| v.at(stage).cause == Cause::Exhaustion || (v.at(stage).ok && !v.passes_at(stage)));
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
    /// A page allocation that failed without invoking the OOM killer
    /// (`warn_alloc()`'s "page allocation failure" report, read from a
    /// log: a `GFP_ATOMIC` or `__GFP_NORETRY` request, an order above
    /// `PAGE_ALLOC_COSTLY_ORDER`, ...).
    AllocFailure,
    /// `echo f > /proc/sysrq-trigger` (order -1).
    Sysrq,
    /// MGLRU's `lru_gen_age_node()` from kswapd: no allocation failed.
    Kswapd,
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
            Trigger::AllocFailure => "alloc_failure",
            Trigger::Sysrq => "sysrq",
            Trigger::Kswapd => "kswapd",
            Trigger::Memcg => "memcg",
            Trigger::Unknown => "unknown",
            Trigger::Query => "query",
        }
    }

    /// Every trigger, in the order `stats` lists them.
    pub const ALL: [Trigger; 7] = [
        Trigger::Alloc,
        Trigger::AllocFailure,
        Trigger::Sysrq,
        Trigger::Kswapd,
        Trigger::Memcg,
        Trigger::Unknown,
        Trigger::Query,
    ];
}

/// Whether `trigger` names a call of `out_of_memory()`.
pub fn called_oom(trigger: Trigger) -> bool {
    !matches!(trigger, Trigger::Query | Trigger::AllocFailure)
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
    /// The mask evaluated when `gfp` is missing: the kernel's `GFP_KERNEL`.
    pub fallback_gfp: u32,
    /// The allocation's nodemask (`oom_control->nodemask`);
    /// [`NodeMask::ALL`] when NULL.
    pub nodes: NodeMask,
    /// `oom_control->zonelist != NULL`: false for sysrq and kswapd.
    pub zonelist: bool,
    /// The calling task's flags and cpuset.
    pub task: Task,
    /// Pages the OOM notifiers before oomfrag freed (`freed`).
    pub freed: u64,
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
            zonelist: true,
            task: Task::PLAIN,
            freed: 0,
            comm: [0; COMM_LEN],
            pid: 0,
        }
    }

    /// The `struct oom_control` of this request, as far as it is known.
    pub fn oom_control(&self) -> OomControl {
        OomControl {
            memcg: self.trigger == Trigger::Memcg,
            zonelist: self.zonelist,
            gfp: self.gfp.unwrap_or(self.fallback_gfp),
            nodemask: if self.nodes.is_all() {
                None
            } else {
                Some(self.nodes)
            },
        }
    }
}

/// One OOM event's verdict, as logged and kept in the history; its zone
/// verdicts live in caller-provided storage `S` (a slice-like buffer sized
/// at init in the module, a `Vec` on the host), so the engine allocates
/// nothing and drops no zone.
#[derive(Clone, Debug)]
pub struct Event<S> {
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
    /// What the data lacks when the verdict is `unknown`.
    pub unknown: Option<Unknown>,
    /// The allocator check the verdict was read from.
    pub stage: Stage,
    /// `constrained_alloc()`'s class for this call.
    pub constraint: Constraint,
    /// Whether `out_of_memory()` goes on to kill.
    pub kill: Kill,
    /// Free pages of the zones the request may not use (at `stage`).
    pub free_ineligible: u64,
    /// Whether the task's cpuset leaves out a node with memory.
    pub cpuset_limited: bool,
    /// Zones seen.
    pub nr_zones: usize,
    /// Zones kept: `zones[..kept]` are valid.
    pub kept: usize,
    /// Per-zone verdicts (storage; see [`Event::zones`]).
    pub storage: S,
    /// Time to snapshot and evaluate, in ns.
    pub compute_ns: u64,
}

impl<S: DerefMut<Target = [ZoneVerdict]>> Event<S> {
    /// An empty event keeping its zone verdicts in `storage`.
    pub fn new(storage: S) -> Self {
        Self {
            seq: 0,
            req: Request::unknown(0),
            eval_order: 0,
            eval_gfp: 0,
            verdict: Verdict::None,
            unknown: None,
            stage: Stage::SlowPath,
            constraint: Constraint::None,
            kill: Kill::Yes,
            free_ineligible: 0,
            cpuset_limited: false,
            nr_zones: 0,
            kept: 0,
            storage,
            compute_ns: 0,
        }
    }

    /// The kept zone verdicts.
    pub fn zones(&self) -> &[ZoneVerdict] {
        &self.storage[..self.kept]
    }

    /// Copies `other` into this event (no allocation); if this storage is
    /// smaller, the copy keeps fewer zones and says the verdict's zones are
    /// incomplete.
    pub fn copy_from<T: DerefMut<Target = [ZoneVerdict]>>(&mut self, other: &Event<T>) {
        let kept = other.kept.min(self.storage.len());
        self.storage[..kept].copy_from_slice(&other.storage[..kept]);
        self.seq = other.seq;
        self.req = other.req;
        self.eval_order = other.eval_order;
        self.eval_gfp = other.eval_gfp;
        self.verdict = other.verdict;
        self.unknown = other.unknown;
        self.stage = other.stage;
        self.constraint = other.constraint;
        self.kill = other.kill;
        self.free_ineligible = other.free_ineligible;
        self.cpuset_limited = other.cpuset_limited;
        self.nr_zones = other.nr_zones;
        self.kept = kept;
        self.compute_ns = other.compute_ns;
        if kept < other.kept {
            self.verdict = Verdict::Unknown;
            self.unknown = Some(Unknown::Zones);
        }
    }

    /// Evaluates `zones` for `req` and fills this event (no allocation).
    ///
    /// An allocation's zones are judged at its order and gfp mask.  A sysrq
    /// OOM (order -1, `GFP_KERNEL`) and a kswapd call (order 0) have no
    /// failed allocation: their zones are judged at order 0 with their gfp
    /// mask, from the slow path's check.  Without a captured order the
    /// zones are shown at order 0 with `fallback_gfp` and the verdict is
    /// `unknown` (`missing=order`); with more zones than the storage holds,
    /// `unknown` (`missing=zones`).  A failed allocation whose slow-path
    /// check passes again by now is judged by the last-chance check that
    /// invoked the OOM killer ([`Stage`]).
    pub fn evaluate(&mut self, p: &Platform, zones: &[ZoneSnapshot], req: Request) {
        self.req = req;
        self.nr_zones = zones.len();
        self.unknown = None;
        self.stage = Stage::SlowPath;
        let gfp = req.gfp.unwrap_or(req.fallback_gfp);
        self.eval_gfp = gfp;
        let order = match (req.trigger, req.order) {
            (Trigger::Sysrq, _) => Some(0),
            (_, Some(o)) if (0..MAX_ORDERS as i32).contains(&o) => Some(o as u8),
            _ => None,
        };
        self.eval_order = order.unwrap_or(0);
        if order.is_none() {
            self.unknown = Some(Unknown::Order);
        }
        self.fill(p, zones);
        let oc = req.oom_control();
        let n_memory = nodes_with_memory(zones);
        let cs = &req.task.cpuset;
        self.cpuset_limited = cs.enabled && !n_memory.is_subset(&cs.mems_allowed);
        self.constraint = constrained_alloc(p, &oc, &req.task, zones, &n_memory);
        self.kill = oom_kill(&oc, req.trigger == Trigger::Sysrq, req.freed, &req.task);
        let memcg = req.trigger == Trigger::Memcg;
        self.verdict = summarize_at(self.zones(), self.eval_order, memcg, Stage::SlowPath);
        if req.trigger == Trigger::Alloc && self.verdict == Verdict::None {
            // Only an allocation that reached __alloc_pages_may_oom() made
            // the last-chance attempt.
            let kept = self.kept;
            seek_last_chance_causes(
                p,
                zones,
                &mut self.storage[..kept],
                self.eval_order,
                gfp,
                &req.task,
            );
            let v = summarize_at(self.zones(), self.eval_order, memcg, Stage::LastChance);
            if v != Verdict::None {
                self.verdict = v;
                self.stage = Stage::LastChance;
            }
        }
        if !memcg && self.unknown.is_some() {
            self.verdict = Verdict::Unknown;
        }
        let stage = self.stage;
        self.free_ineligible = self
            .zones()
            .iter()
            .filter(|z| !z.eligible_at(stage))
            .map(|z| z.free)
            .sum();
    }

    fn fill(&mut self, p: &Platform, zones: &[ZoneSnapshot]) {
        let (order, gfp, req) = (self.eval_order, self.eval_gfp, self.req);
        self.kept = zones.len().min(self.storage.len());
        if self.kept < zones.len() {
            self.unknown = Some(Unknown::Zones);
        }
        for (slot, z) in self.storage.iter_mut().zip(zones) {
            *slot = zone_verdict(p, z, order, gfp, &req.task, &req.nodes);
        }
    }

    /// Whether the snapshot contradicts the failure: the allocator failed,
    /// yet an eligible zone passes even the last-chance check now (memory
    /// came back between the failure and the snapshot).
    pub fn drifted(&self) -> bool {
        matches!(self.req.trigger, Trigger::Alloc | Trigger::AllocFailure)
            && self.verdict == Verdict::None
    }

    /// Whether `out_of_memory()` ran for this event (so `kill` means
    /// something): not for a query or an allocation failure.
    pub fn called_oom(&self) -> bool {
        called_oom(self.req.trigger)
    }

    /// The summary of this event.
    pub fn summary(&self) -> Summary {
        let stage = self.stage;
        Summary {
            seq: self.seq,
            req: self.req,
            verdict: self.verdict,
            unknown: self.unknown,
            stage,
            constraint: self.constraint,
            kill: self.kill,
            free_ineligible: self.free_ineligible,
            cpuset_limited: self.cpuset_limited,
            eval_order: self.eval_order,
            eval_gfp: self.eval_gfp,
            nr_zones: self.nr_zones,
            eligible: self.zones().iter().filter(|z| z.eligible_at(stage)).count(),
            drift: self.drifted(),
            compute_ns: self.compute_ns,
        }
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
    /// See [`Event::unknown`].
    pub unknown: Option<Unknown>,
    /// See [`Event::stage`].
    pub stage: Stage,
    /// See [`Event::constraint`].
    pub constraint: Constraint,
    /// See [`Event::kill`].
    pub kill: Kill,
    /// See [`Event::free_ineligible`].
    pub free_ineligible: u64,
    /// See [`Event::cpuset_limited`].
    pub cpuset_limited: bool,
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

/// Counters for the `stats` file.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// OOM events seen (calls of `out_of_memory()`, killing or not).
    pub events: u64,
    /// Events by verdict, in `Verdict::ALL` order.
    pub by_verdict: [u64; Verdict::ALL.len()],
    /// Events by trigger, in `Trigger::ALL` order.
    pub by_trigger: [u64; Trigger::ALL.len()],
    /// Events by constraint, in `Constraint::ALL` order.
    pub by_constraint: [u64; Constraint::ALL.len()],
    /// Events where `out_of_memory()` goes on to kill.
    pub kill: u64,
    /// Events where it returns without killing, by reason (`NoKill::ALL`).
    pub no_kill: [u64; NoKill::ALL.len()],
    /// Events where the module cannot tell.
    pub kill_unknown: u64,
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
    pub fn record(&mut self, e: &Summary) {
        fn bump<T: PartialEq>(all: &[T], counts: &mut [u64], x: &T) {
            if let Some(i) = all.iter().position(|v| v == x) {
                counts[i] += 1;
            }
        }
        self.events += 1;
        bump(&Verdict::ALL, &mut self.by_verdict, &e.verdict);
        bump(&Trigger::ALL, &mut self.by_trigger, &e.req.trigger);
        bump(&Constraint::ALL, &mut self.by_constraint, &e.constraint);
        match e.kill {
            _ if !called_oom(e.req.trigger) => {}
            Kill::Yes => self.kill += 1,
            Kill::No(r) => bump(&NoKill::ALL, &mut self.no_kill, &r),
            Kill::Unknown => self.kill_unknown += 1,
        }
        self.last_ns = e.compute_ns;
        self.max_ns = self.max_ns.max(e.compute_ns);
    }
}
