// SPDX-License-Identifier: GPL-2.0

//! Verdicts: each zone's analysis for a request ([`zone_verdict`]) and the
//! summary class over the zones the request may use ([`summarize_at`]).

use super::alloc_flags::{
    last_chance_flags,
    slowpath_flags,
    AllocFlags, //
};
use super::frag::{
    contig_info,
    fragmentation_index,
    unusable_index,
    usable_blocks, //
};
use super::gfp::gfp_zone;
use super::gfp_types::HARDWALL;
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
    ZoneSnapshot,
    ZoneType, //
};
use core::cmp::{
    max,
    min, //
};

named_enum! {
    /// Which of the allocator's checks before the OOM killer a verdict is read
    /// from.
    pub enum Stage {
        /// The slow path's attempts at the min watermark with
        /// `alloc_flags_slowpath()`'s flags, after reclaim and compaction.
        SlowPath => "min",
        /// `__alloc_pages_may_oom()`'s last attempt just before
        /// `out_of_memory()`: `get_page_from_freelist()` at `ALLOC_WMARK_HIGH`
        /// with the request's base `ac->alloc_flags` (no `ALLOC_CMA`, no
        /// reserves; [`last_chance_flags`]).  Used, for a request that made
        /// that attempt, when the slow-path check passes again by the time of
        /// the snapshot: this failed check is the one that invoked the OOM
        /// killer (or, for a failure, the last one the allocator made).
        LastChance => "last_chance",
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
    pub kind: ZoneType,
    /// Whether the slow path considers the zone ([`zone_eligible`]).
    pub eligible: bool,
    /// Whether the last-chance attempt considers it (`__GFP_HARDWALL`).
    pub eligible_last: bool,
    /// The slow path's check, at min (`alloc_flags_slowpath()` sets
    /// `ALLOC_WMARK_MIN`), with its cause: the check that decides.
    pub min_check: Check,
    /// `zone_watermark_fast()`'s answer at low and at high with the slow
    /// path's flags (the report's `ok_low`, `ok_high`), whose watermark
    /// bits are `WMARK_MIN`: the boost exception applies to them as at min.
    /// Only pass or fail: no cause is sought for them, which keeps the OOM
    /// path to the checks that decide.
    pub ok_low: bool,
    /// See [`ZoneVerdict::ok_low`].
    pub ok_high: bool,
    /// `__alloc_pages_may_oom()`'s last-chance check (see [`Stage`]).  Its
    /// cause is sought only when an event is decided there
    /// ([`seek_last_chance_causes`], from [`Event::evaluate`]); until then
    /// it is `Cause::None` even if the check fails.
    ///
    /// [`Event::evaluate`]: super::event::Event::evaluate
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
        kind: ZoneType::Normal,
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
/// ac->nodemask)` over `ac->zonelist` and, with `ALLOC_CPUSET` and
/// `cpusets_enabled()`, `__cpuset_zone_allowed(zone, gfp_mask)` in
/// `get_page_from_freelist()` (mm/page_alloc.c).  `zonelist_node` is
/// [`AllocContext::zonelist_node`]: `Some(n)` when `ac->zonelist` is node
/// `n`'s `ZONELIST_NOFALLBACK`, which holds only that node's zones
/// (`build_thisnode_zonelists()`).  `nodemask` is `ac->nodemask`
/// ([`NodeMask::ALL`] for NULL); the slow path drops it in the cases
/// [`AllocFlags::nodemask`] says.
pub fn zone_eligible(
    z: &ZoneSnapshot,
    highest_zoneidx: Option<u8>,
    zonelist_node: Option<u16>,
    nodemask: &NodeMask,
    caps: &AllocFlags,
    task: &Task,
    gfp: u32,
) -> bool {
    let Some(highest) = highest_zoneidx else {
        return false;
    };
    if z.zone_idx > highest {
        return false;
    }
    if zonelist_node.is_some_and(|n| z.node != n) {
        return false;
    }
    if caps.nodemask && !nodemask.contains(z.node) {
        return false;
    }
    !(caps.cpuset && task.cpuset.enabled && !task.cpuset.node_allowed(z.node, gfp))
}

/// What judges every zone of one request, derived once per event: its
/// order and gfp mask, `ac->highest_zoneidx` (`gfp_zone()`), the zonelist's
/// node for `__GFP_THISNODE`, and the `ALLOC_*` flags of the slow path's
/// attempts and of the last-chance attempt (a few of the fields of the
/// allocator's `struct alloc_context`, mm/page_alloc.h, and of its
/// `alloc_flags`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllocContext {
    /// The order judged.
    pub order: u8,
    /// The gfp mask judged.
    pub gfp: u32,
    /// `ac->highest_zoneidx`, `None` for a mask in `GFP_ZONE_BAD`.
    pub highest_zoneidx: Option<u8>,
    /// `Some(n)` when `ac->zonelist` holds only node `n`'s zones: a
    /// `__GFP_THISNODE` request on a NUMA kernel walks
    /// `node_zonelist(preferred_nid, gfp_mask)`, the preferred node's
    /// `ZONELIST_NOFALLBACK` (`gfp_zonelist()`, include/linux/gfp.h).  `None`:
    /// every node's zones (the `ZONELIST_FALLBACK` of any node).
    /// [`AllocContext::new`] leaves it `None`; [`Event::evaluate`] sets it
    /// from the request ([`Request::zonelist_node`]).
    ///
    /// [`Event::evaluate`]: super::event::Event::evaluate
    /// [`Request::zonelist_node`]: super::request::Request::zonelist_node
    pub zonelist_node: Option<u16>,
    /// The slow path's flags ([`slowpath_flags`]).
    pub slow: AllocFlags,
    /// The last-chance attempt's flags ([`last_chance_flags`]).
    pub last: AllocFlags,
}

impl AllocContext {
    /// The context of a request of `order` with `gfp` from `task`.
    pub fn new(p: &Platform, order: u8, gfp: u32, task: &Task) -> Self {
        let slow = slowpath_flags(p, gfp, order, task);
        Self {
            order,
            gfp,
            highest_zoneidx: gfp_zone(p, gfp),
            zonelist_node: None,
            slow,
            last: last_chance_flags(p, gfp, &slow),
        }
    }
}

/// Analyses one zone for the request of `ac` from `task`, restricted to
/// `nodemask` (`ac->nodemask`).
pub fn zone_verdict(
    p: &Platform,
    z: &ZoneSnapshot,
    ac: &AllocContext,
    task: &Task,
    nodemask: &NodeMask,
) -> ZoneVerdict {
    let (order, gfp, hz, zl) = (ac.order, ac.gfp, ac.highest_zoneidx, ac.zonelist_node);
    let (caps, last_caps) = (&ac.slow, &ac.last);
    let highest = hz.unwrap_or(0);
    let min_check = watermark_check(p, z, order, Wmark::Min, highest, caps);
    let ok_at = |w| zone_watermark_fast(p, z, order, w, highest, caps);
    let last = watermark_check_uncaused(p, z, order, Wmark::High, highest, last_caps);
    let mask = usable_mt_mask(caps);
    let info = contig_info(&z.nr_free[..z.orders()], order);
    let usable = usable_blocks(z, mask).map(|b| contig_info(&b[..z.orders()], order));
    let usable0 = z.free as i64 - unusable_free(z, 0, caps, p.cma);
    ZoneVerdict {
        node: z.node,
        zone_idx: z.zone_idx,
        kind: z.kind,
        eligible: zone_eligible(z, hz, zl, nodemask, caps, task, gfp),
        // (gfp_mask | __GFP_HARDWALL) & ~__GFP_DIRECT_RECLAIM
        eligible_last: zone_eligible(z, hz, zl, nodemask, last_caps, task, gfp | HARDWALL),
        min_check,
        ok_low: ok_at(Wmark::Low),
        ok_high: ok_at(Wmark::High),
        last_chance: last,
        supplies: lists_supply(z, order, caps),
        supplies_last: lists_supply(z, order, last_caps),
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
/// [`zone_verdict`] for `zones` (in the same order) and the request of
/// `ac`, which leaves them unnamed: only an event decided at the last
/// chance reads them.
///
/// The last-chance attempt never has `ALLOC_CMA` ([`last_chance_flags`]).
/// For a request that may use CMA (`alloc_flags_cma()` gave its slow path
/// `ALLOC_CMA`), a zone that fails only for want of CMA is named
/// [`Cause::LastChanceCma`]: `cma` would say the request may not use it.
pub fn seek_last_chance_causes(
    p: &Platform,
    zones: &[ZoneSnapshot],
    verdicts: &mut [ZoneVerdict],
    ac: &AllocContext,
) {
    let highest = ac.highest_zoneidx.unwrap_or(0);
    for (v, z) in verdicts.iter_mut().zip(zones) {
        let c = &mut v.last_chance;
        seek_cause(p, z, ac.order, Wmark::High, highest, &ac.last, c);
        if ac.slow.cma && c.cause == Cause::Cma {
            c.cause = Cause::LastChanceCma;
        }
    }
}

named_enum! {
    /// The summary verdict classes.
    pub enum Verdict {
        /// Some eligible zone would satisfy the request now.
        None => "none",
        /// A memory cgroup hit its limit: not a zone shortage.
        Memcg => "memcg",
        /// Every eligible zone is below its mark.
        Exhaustion => "exhaustion",
        /// Free memory, but no usable block of the order.
        Fragmentation => "fragmentation",
        /// Free memory, but in CMA, which the request may not use.
        Cma => "cma",
        /// Free memory in CMA, which the request may use, but
        /// `__alloc_pages_may_oom()`'s last attempt, which decided, may not
        /// (its `ac->alloc_flags` hold no `ALLOC_CMA`).
        LastChanceCma => "last_chance_cma",
        /// Free memory, but in the high-atomic reserve.
        HighAtomic => "highatomic",
        /// Free memory, but protected by `lowmem_reserve[]`.
        LowmemReserve => "lowmem_reserve",
        /// Free memory, but under a boosted watermark.
        Boost => "boost",
        /// Free memory, held back by several reserves together.
        Reserves => "reserves",
        /// The request may use no zone at all (its cpuset, nodemask and zone
        /// modifiers leave none).
        NoEligibleZone => "no_eligible_zone",
        /// The data cannot decide (see [`Unknown`]).
        Unknown => "unknown",
    }
}

impl Verdict {
    fn of_cause(c: Cause) -> Verdict {
        match c {
            Cause::None => Verdict::None,
            Cause::Exhaustion => Verdict::Exhaustion,
            Cause::LowmemReserve => Verdict::LowmemReserve,
            Cause::Cma => Verdict::Cma,
            Cause::LastChanceCma => Verdict::LastChanceCma,
            Cause::HighAtomic => Verdict::HighAtomic,
            Cause::Boost => Verdict::Boost,
            Cause::Reserves => Verdict::Reserves,
            Cause::Fragmentation => Verdict::Fragmentation,
        }
    }
}

named_enum! {
    /// Why a verdict is `unknown`: what the data lacks.
    pub enum Unknown {
        /// The request's order was not captured.
        Order => "order",
        /// The request's gfp mask was not captured.
        Gfp => "gfp",
        /// No request to judge: a page fault's OOM, where no allocation
        /// failed ([`super::request::Trigger::PageFault`]), or a log that
        /// shows none ([`super::request::Request::shown`]).
        Request => "request",
        /// No zone was read (a log without its zone lines), or more zones
        /// than the event can hold.
        Zones => "zones",
        /// A zone the request may use has no free lists read (a log without
        /// its buddy line), and the order is above 0, where the lists decide.
        Buddy => "buddy",
        /// A `__GFP_THISNODE` request on a NUMA kernel walks only its
        /// preferred node's zones, and that node was not captured (nor is it
        /// the one node of its nodemask, or the one node with memory).
        PreferredNode => "preferred_node",
    }
}

/// What the data lacks: a set of [`Unknown`] reasons, empty when the data
/// can decide.  Printed as `missing=order,gfp`, in [`Unknown::ALL`]'s
/// order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Missing(u8);

const _: () = assert!(Unknown::COUNT <= u8::BITS as usize);

impl Missing {
    /// Nothing missing.
    pub const NONE: Missing = Missing(0);

    /// Adds `u`.
    pub fn insert(&mut self, u: Unknown) {
        self.0 |= 1 << u as u8;
    }

    /// Whether `u` is missing.
    pub fn contains(&self, u: Unknown) -> bool {
        self.0 & (1 << u as u8) != 0
    }

    /// Whether nothing is missing.
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// The reasons, in [`Unknown::ALL`]'s order.
    pub fn iter(self) -> impl Iterator<Item = Unknown> {
        Unknown::ALL.into_iter().filter(move |u| self.contains(*u))
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
        Cause::Cma | Cause::LastChanceCma => v.free_cma,
        Cause::HighAtomic => v.free_highatomic,
        Cause::Boost => v.boost,
        Cause::Fragmentation => above_min(c.usable),
    }
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
///    cause; the heaviest cause wins (ties: fragmentation, cma,
///    last_chance_cma, highatomic, lowmem_reserve, boost, reserves).  If some zone is exhausted, that
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
        Cause::LastChanceCma,
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
