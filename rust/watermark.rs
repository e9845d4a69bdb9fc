// SPDX-License-Identifier: GPL-2.0

//! The page allocator's watermark check, `__zone_watermark_ok()` and its
//! helpers (mm/page_alloc.c), and why a zone fails it.

use crate::gfp::AllocCaps;
use crate::platform::Platform;
use crate::zone::{
    Mt,
    Wmark,
    ZoneSnapshot, //
};
use core::cmp::min;

/// Which migrate types a request may take blocks from in the free-list scan
/// of `__zone_watermark_ok()`: the PCP types always, `MIGRATE_CMA` with
/// `ALLOC_CMA`, `MIGRATE_HIGHATOMIC` with `ALLOC_HIGHATOMIC | ALLOC_OOM`.
pub fn usable_mt_mask(caps: &AllocCaps) -> u8 {
    let mut m = Mt::Unmovable.bit() | Mt::Movable.bit() | Mt::Reclaimable.bit();
    if caps.cma {
        m |= Mt::Cma.bit();
    }
    if caps.highatomic || caps.oom {
        m |= Mt::HighAtomic.bit();
    }
    m
}

/// Why a zone fails a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cause {
    /// Passes.
    None,
    /// Below the mark even counting every free page.
    Exhaustion,
    /// Passes only if `lowmem_reserve[highest_zoneidx]` is not counted.
    LowmemReserve,
    /// Would pass if the request could use CMA pages or blocks.
    Cma,
    /// Would pass if the request could use the high-atomic reserve.
    HighAtomic,
    /// The order-0 check passes, but no usable block of the order is free.
    Fragmentation,
}

impl Cause {
    /// The `cause=` word.
    pub const fn name(self) -> &'static str {
        match self {
            Cause::None => "none",
            Cause::Exhaustion => "exhaustion",
            Cause::LowmemReserve => "lowmem_reserve",
            Cause::Cma => "cma",
            Cause::HighAtomic => "highatomic",
            Cause::Fragmentation => "fragmentation",
        }
    }
}

/// One watermark check of one zone, in detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Check {
    /// `__zone_watermark_ok()`'s answer.
    pub ok: bool,
    /// Why not (`Cause::None` when ok).
    pub cause: Cause,
    /// The mark after the reserve reductions (`min` in the kernel).
    pub min: i64,
    /// `free_pages` after subtracting the unusable free pages.
    pub usable: i64,
}

/// `__zone_watermark_unusable_free()` (mm/page_alloc.c): the `(1 << order) - 1`
/// term, high-atomic free pages without `ALLOC_RESERVES`, CMA free pages
/// without `ALLOC_CMA`.
pub fn unusable_free(z: &ZoneSnapshot, order: u8, caps: &AllocCaps, cma_configured: bool) -> i64 {
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
pub fn adjusted_min(mark: u64, caps: &AllocCaps) -> i64 {
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
/// free_pages)` with `free_pages = zone_page_state(z, NR_FREE_PAGES)`, as
/// `zone_watermark_ok()` calls it, and, when it fails, why.
///
/// The cause is found by relaxing one restriction at a time, in the order
/// the kernel applies them: the order-0 check with every free page counted
/// and no reserve (`exhaustion`), then with `lowmem_reserve`
/// (`lowmem_reserve`), then without the CMA or high-atomic pages the request
/// may not use (`cma`, `highatomic`, when lifting that restriction makes the
/// whole check pass); if the order-0 check passes, the free-list scan (`cma`
/// or `highatomic` if only such blocks are free, else `fragmentation`).
pub fn watermark_check(
    p: &Platform,
    z: &ZoneSnapshot,
    order: u8,
    w: Wmark,
    highest_zoneidx: u8,
    caps: &AllocCaps,
) -> Check {
    let mark = z.mark(w);
    let m = adjusted_min(mark, caps);
    let reserve = z.reserve_for(highest_zoneidx) as i64;
    let free = z.free as i64;
    let usable = free - unusable_free(z, order, caps, p.cma);
    let thr = m.saturating_add(reserve);
    let mut check = Check {
        ok: false,
        cause: Cause::None,
        min: m,
        usable,
    };
    if caps.no_watermarks {
        // ALLOC_NO_WATERMARKS: get_page_from_freelist() skips the check.
        check.ok = true;
        return check;
    }
    if usable <= thr {
        let all = free - ((1i64 << min(order, 62)) - 1);
        let ha = if caps.reserves() {
            0
        } else {
            z.free_highatomic as i64
        };
        let cma = if p.cma && !caps.cma {
            z.free_cma as i64
        } else {
            0
        };
        check.cause = if all <= m {
            Cause::Exhaustion
        } else if all <= thr {
            Cause::LowmemReserve
        } else if usable + cma > thr && (usable + ha <= thr || cma >= ha) {
            Cause::Cma
        } else if usable + ha > thr {
            Cause::HighAtomic
        } else if cma >= ha {
            Cause::Cma
        } else {
            Cause::HighAtomic
        };
        // A reserve is only the cause if lifting it would be enough: with
        // no free block of the order even on the CMA and high-atomic lists,
        // the request fails for want of a block whatever it may use.
        let any = usable_mt_mask(caps) | Mt::Cma.bit() | Mt::HighAtomic.bit();
        if matches!(check.cause, Cause::Cma | Cause::HighAtomic)
            && order > 0
            && !has_block(z, order, any)
        {
            check.cause = Cause::Fragmentation;
        }
        return check;
    }
    if order == 0 {
        check.ok = true;
        return check;
    }
    if has_block(z, order, usable_mt_mask(caps)) {
        check.ok = true;
        return check;
    }
    check.cause = if p.cma && !caps.cma && has_block(z, order, Mt::Cma.bit()) {
        Cause::Cma
    } else if !(caps.highatomic || caps.oom) && has_block(z, order, Mt::HighAtomic.bit()) {
        Cause::HighAtomic
    } else {
        Cause::Fragmentation
    };
    check
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
    let hz = crate::gfp::gfp_zone(p, gfp);
    let caps = crate::gfp::slowpath_caps(p, gfp, order);
    WatermarkRow {
        order,
        gfp,
        eligible: hz.is_some_and(|h| z.zone_idx <= h),
        checks: Wmark::ALL.map(|w| watermark_check(p, z, order, w, hz.unwrap_or(0), &caps)),
        largest_usable: largest_order(z, usable_mt_mask(&caps)),
    }
}
