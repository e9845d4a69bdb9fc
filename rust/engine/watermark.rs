// SPDX-License-Identifier: GPL-2.0

//! The page allocator's watermark check, `__zone_watermark_ok()` and its
//! helpers (mm/page_alloc.c), and why a zone fails it.

use super::alloc_flags::AllocFlags;
use super::platform::Platform;
use super::zone::{
    MigrateType,
    Wmark,
    ZoneSnapshot, //
};
use core::cmp::min;

/// Which migrate types a request may take blocks from in the free-list scan
/// of `__zone_watermark_ok()`: the PCP types always, `MIGRATE_CMA` with
/// `ALLOC_CMA`, `MIGRATE_HIGHATOMIC` with `ALLOC_HIGHATOMIC | ALLOC_OOM`.
pub fn usable_mt_mask(caps: &AllocFlags) -> u8 {
    let mut m =
        MigrateType::Unmovable.bit() | MigrateType::Movable.bit() | MigrateType::Reclaimable.bit();
    if caps.cma {
        m |= MigrateType::Cma.bit();
    }
    if caps.highatomic || caps.oom {
        m |= MigrateType::HighAtomic.bit();
    }
    m
}

/// Whether `rmqueue()` could take a block of `order` or larger from the
/// zone's free lists for a request with `caps`: from its own migrate type
/// or, through `fallbacks[]`, another PCP type (`__rmqueue()`), from
/// `MIGRATE_CMA` with `ALLOC_CMA`, from `MIGRATE_HIGHATOMIC` with
/// `ALLOC_HIGHATOMIC`, `ALLOC_OOM` or `ALLOC_NON_BLOCK`
/// (`rmqueue_buddy()`).  `zone_watermark_fast()` asks this of the lists
/// only for order > 0; at order 0 a zone whose free counter passes its mark
/// while its lists are empty (the counter's per-CPU drift, a few pages, in
/// a zone whose marks are 0) passes the check, and `rmqueue()` then fails.
/// True when the lists were not read: nothing says they are empty.
pub fn lists_supply(z: &ZoneSnapshot, order: u8, caps: &AllocFlags) -> bool {
    let mut mask = usable_mt_mask(caps);
    if caps.non_block {
        mask |= MigrateType::HighAtomic.bit();
    }
    !z.lists_read || largest_order(z, mask).is_some_and(|o| o >= order)
}

named_enum! {
    /// Why a zone fails a request: the one restriction whose lifting alone
    /// would let the check pass (see [`watermark_check`]).
    #[derive(PartialOrd, Ord)]
    pub enum Cause {
        /// Passes.
        None => "none",
        /// Fails even with every restriction lifted: too few free pages.
        Exhaustion => "exhaustion",
        /// Passes if `lowmem_reserve[highest_zoneidx]` is not counted.
        LowmemReserve => "lowmem_reserve",
        /// Passes if the request could use CMA pages and blocks.
        Cma => "cma",
        /// `__alloc_pages_may_oom()`'s last-chance check passes if it could
        /// use CMA pages and blocks, which the request itself may use (its
        /// slow path counts them) but that attempt may not: its
        /// `ac->alloc_flags` hold no `ALLOC_CMA`
        /// ([`super::alloc_flags::last_chance_flags`]).  Named instead of
        /// `cma` for such a request; see
        /// [`super::verdict::seek_last_chance_causes`].
        LastChanceCma => "last_chance_cma",
        /// Passes if the request could use the high-atomic reserve.
        HighAtomic => "highatomic",
        /// Passes if the watermark were not boosted (`watermark_boost`).
        Boost => "boost",
        /// Passes only if several of the restrictions above are lifted
        /// together; no single one is the cause.
        Reserves => "reserves",
        /// Enough free pages with every restriction lifted, but no free block
        /// of the order on any list.
        Fragmentation => "fragmentation",
    }
}

/// One watermark check of one zone, in detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Check {
    /// `zone_watermark_fast()`'s answer.
    pub ok: bool,
    /// Why not (`Cause::None` when ok).
    pub cause: Cause,
    /// The mark after the reserve reductions (`min` in the kernel).
    pub min: i64,
    /// `free_pages` after subtracting the unusable free pages.
    pub usable: i64,
}

impl Check {
    /// A placeholder for preallocated storage.
    pub const EMPTY: Check = Check {
        ok: false,
        cause: Cause::None,
        min: 0,
        usable: 0,
    };
}

/// `__zone_watermark_unusable_free()` (mm/page_alloc.c): the `(1 << order) - 1`
/// term, high-atomic free pages without `ALLOC_RESERVES`, CMA free pages
/// without `ALLOC_CMA`.
pub fn unusable_free(z: &ZoneSnapshot, order: u8, caps: &AllocFlags, cma_configured: bool) -> i64 {
    let mut u: i64 = (1i64 << min(order, 62)) - 1;
    if !caps.reserves() {
        u = u.saturating_add(z.free_highatomic as i64);
    }
    if cma_configured && !caps.cma {
        u = u.saturating_add(z.free_cma as i64);
    }
    u
}

/// The reserve reductions of `__zone_watermark_ok()`: `min -= min / 2` for
/// `ALLOC_MIN_RESERVE`, then `min -= min / 4` for `ALLOC_NON_BLOCK`, and
/// `min -= min / 2` for `ALLOC_OOM`.
pub fn adjusted_min(mark: u64, caps: &AllocFlags) -> i64 {
    let mut m = mark as i64;
    if caps.reserves() {
        if caps.min_reserve {
            m -= m / 2;
            if caps.non_block {
                m -= m / 4;
            }
        }
        if caps.oom {
            m -= m / 2;
        }
    }
    m
}

/// The free-list scan of `__zone_watermark_ok()`: is a block of `order` or
/// larger free on a list in `mask`?  Honours the `if (!area->nr_free)
/// continue;` short cut.
pub fn has_block(z: &ZoneSnapshot, order: u8, mask: u8) -> bool {
    (order as usize..z.orders()).any(|o| z.nr_free[o] != 0 && z.nonempty[o] & mask != 0)
}

/// Largest order with a free block on a list in `mask`, if any.
pub fn largest_order(z: &ZoneSnapshot, mask: u8) -> Option<u8> {
    (0..z.orders())
        .rev()
        .find(|&o| z.nr_free[o] != 0 && z.nonempty[o] & mask != 0)
        .map(|o| o as u8)
}

/// `__zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
/// free_pages)` (mm/page_alloc.c) with `free_pages =
/// zone_page_state(z, NR_FREE_PAGES)`, line for line: the unusable free
/// pages, the reserve reductions of `min`, the order-0 check against
/// `min + lowmem_reserve[highest_zoneidx]`, then the free-list scan.
pub fn zone_watermark_ok(
    p: &Platform,
    z: &ZoneSnapshot,
    order: u8,
    mark: u64,
    highest_zoneidx: u8,
    caps: &AllocFlags,
) -> bool {
    // free_pages -= __zone_watermark_unusable_free(z, order, alloc_flags);
    let free_pages = z.free as i64 - unusable_free(z, order, caps, p.cma);
    // if (unlikely(alloc_flags & ALLOC_RESERVES)) { ... }
    let m = adjusted_min(mark, caps);
    // if (free_pages <= min + z->lowmem_reserve[highest_zoneidx]) return false;
    if free_pages <= m.saturating_add(z.reserve_for(highest_zoneidx) as i64) {
        return false;
    }
    // if (!order) return true;
    if order == 0 {
        return true;
    }
    // for (o = order; o < NR_PAGE_ORDERS; o++) { ... }
    has_block(z, order, usable_mt_mask(caps))
}

/// `zone_watermark_fast()` (mm/page_alloc.c) at mark `w` (boost included)
/// for an attempt with `caps`: `__zone_watermark_ok()`, then the exception
/// that ignores `watermark_boost` for order-0 `ALLOC_MIN_RESERVE` requests
/// whose flags check the min watermark: "`if (unlikely(!order &&
/// (alloc_flags & ALLOC_MIN_RESERVE) && z->watermark_boost &&
/// ((alloc_flags & ALLOC_WMARK_MASK) == WMARK_MIN)))`", which retries
/// against `z->_watermark[WMARK_MIN]`.  The exception is keyed on the flags'
/// watermark bits ([`AllocFlags::wmark`]), not on the mark handed in:
/// `get_page_from_freelist()` first hands the slow path's `WMARK_MIN`
/// flags `high_wmark_pages(zone)` (the `ZONE_BELOW_HIGH` test), then
/// `wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK)`.  (Its order-0
/// shortcut only ever passes where `__zone_watermark_ok()` passes too.)
/// `ALLOC_NO_WATERMARKS` skips the check in `get_page_from_freelist()`.
pub fn zone_watermark_fast(
    p: &Platform,
    z: &ZoneSnapshot,
    order: u8,
    w: Wmark,
    highest_zoneidx: u8,
    caps: &AllocFlags,
) -> bool {
    if caps.no_watermarks {
        return true;
    }
    if zone_watermark_ok(p, z, order, z.mark(w), highest_zoneidx, caps) {
        return true;
    }
    if order == 0 && caps.min_reserve && z.boost != 0 && caps.wmark == Wmark::Min {
        return zone_watermark_ok(
            p,
            z,
            order,
            z.wmark[Wmark::Min as usize],
            highest_zoneidx,
            caps,
        );
    }
    false
}

/// A restriction of the watermark check that a cause names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lift {
    /// `lowmem_reserve[highest_zoneidx]`: lifted by checking as if the
    /// request's highest zone were this zone (whose own entry is 0).
    LowmemReserve,
    /// CMA: lifted with `ALLOC_CMA`.
    Cma,
    /// The high-atomic reserve: lifted with `ALLOC_HIGHATOMIC`.
    HighAtomic,
    /// `watermark_boost`: lifted by checking against the unboosted mark.
    Boost,
}

impl Lift {
    /// Every restriction, in the order causes are named when lifting any
    /// one of several would do.
    pub const ALL: [Lift; 4] = [
        Lift::Cma,
        Lift::HighAtomic,
        Lift::LowmemReserve,
        Lift::Boost,
    ];

    const fn cause(self) -> Cause {
        match self {
            Lift::LowmemReserve => Cause::LowmemReserve,
            Lift::Cma => Cause::Cma,
            Lift::HighAtomic => Cause::HighAtomic,
            Lift::Boost => Cause::Boost,
        }
    }
}

/// [`zone_watermark_fast()`] with the restrictions in `lifts` lifted.
pub fn check_lifted(
    p: &Platform,
    z: &ZoneSnapshot,
    order: u8,
    w: Wmark,
    highest_zoneidx: u8,
    caps: &AllocFlags,
    lifts: &[Lift],
) -> bool {
    let mut c = *caps;
    let mut hz = highest_zoneidx;
    let mut mark = z.mark(w);
    for l in lifts {
        match l {
            Lift::LowmemReserve => hz = z.zone_idx,
            Lift::Cma => c.cma = true,
            Lift::HighAtomic => c.highatomic = true,
            Lift::Boost => mark = z.wmark[w as usize],
        }
    }
    if lifts.contains(&Lift::Boost) {
        c.no_watermarks || zone_watermark_ok(p, z, order, mark, hz, &c)
    } else {
        zone_watermark_fast(p, z, order, w, hz, &c)
    }
}

/// The check of `__zone_watermark_ok()` at watermark `w` as
/// [`zone_watermark_fast()`] makes it and, when it fails, why.
///
/// Causes are counterfactual: the check is re-run with one restriction
/// lifted at a time ([`Lift`]); the first whose lifting alone lets it pass
/// is the cause.  If none does, but lifting all of them together does, the
/// cause is `reserves`.  If even that fails, the zone lacks free pages
/// (`exhaustion`, when the order-0 part fails with everything lifted) or a
/// free block of the order on any list (`fragmentation`).
pub fn watermark_check(
    p: &Platform,
    z: &ZoneSnapshot,
    order: u8,
    w: Wmark,
    highest_zoneidx: u8,
    caps: &AllocFlags,
) -> Check {
    let mut check = watermark_check_uncaused(p, z, order, w, highest_zoneidx, caps);
    seek_cause(p, z, order, w, highest_zoneidx, caps, &mut check);
    check
}

/// [`watermark_check`] without the search for a cause: `cause` stays
/// `Cause::None` even when the check fails, until [`seek_cause`] (with
/// the same arguments) fills it in.  For a check whose cause is read only
/// sometimes: the OOM path does no counterfactual work it does not print.
pub fn watermark_check_uncaused(
    p: &Platform,
    z: &ZoneSnapshot,
    order: u8,
    w: Wmark,
    highest_zoneidx: u8,
    caps: &AllocFlags,
) -> Check {
    Check {
        ok: zone_watermark_fast(p, z, order, w, highest_zoneidx, caps),
        cause: Cause::None,
        min: adjusted_min(z.mark(w), caps),
        usable: z.free as i64 - unusable_free(z, order, caps, p.cma),
    }
}

/// Names the cause of `check`, a [`watermark_check_uncaused`] of the same
/// arguments, if it failed (see [`watermark_check`]).
pub fn seek_cause(
    p: &Platform,
    z: &ZoneSnapshot,
    order: u8,
    w: Wmark,
    highest_zoneidx: u8,
    caps: &AllocFlags,
    check: &mut Check,
) {
    if check.ok {
        return;
    }
    let lifted = |lifts: &[Lift]| check_lifted(p, z, order, w, highest_zoneidx, caps, lifts);
    check.cause = if !lifted(&Lift::ALL) {
        // Every restriction lifted, the order-0 part alone: free pages
        // above the unboosted, reduced min?
        let all = z.free as i64 - ((1i64 << min(order, 62)) - 1);
        if all <= adjusted_min(z.wmark[w as usize], caps) {
            Cause::Exhaustion
        } else {
            Cause::Fragmentation
        }
    } else {
        Lift::ALL
            .iter()
            .find(|l| lifted(&[**l]))
            .map_or(Cause::Reserves, |l| l.cause())
    };
}

/// One row of the debugfs `watermarks` table: a request of `gfp` and
/// `order` against one zone, at each watermark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WatermarkRow {
    /// The request's order.
    pub order: u8,
    /// The request's gfp mask.
    pub gfp: u32,
    /// Whether the zone is at or below the request's `gfp_zone()`.
    pub eligible: bool,
    /// The checks at min, low and high with the slow path's capabilities.
    pub checks: [Check; 3],
    /// Largest order with a free block the request may use.
    pub largest_usable: Option<u8>,
}

/// The `watermarks` row of zone `z` for a request of `gfp` and `order`:
/// the request's own highest zone decides `lowmem_reserve`, as in the
/// allocator.
pub fn watermark_row(p: &Platform, z: &ZoneSnapshot, gfp: u32, order: u8) -> WatermarkRow {
    let hz = super::gfp::gfp_zone(p, gfp);
    let caps = super::alloc_flags::slowpath_flags(p, gfp, order, &super::task::Task::PLAIN);
    WatermarkRow {
        order,
        gfp,
        eligible: hz.is_some_and(|h| z.zone_idx <= h),
        checks: Wmark::ALL.map(|w| watermark_check(p, z, order, w, hz.unwrap_or(0), &caps)),
        largest_usable: largest_order(z, usable_mt_mask(&caps)),
    }
}
