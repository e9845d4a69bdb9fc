// SPDX-License-Identifier: GPL-2.0

//! The page allocator's `ALLOC_*` flags (mm/page_alloc.h) that a request's
//! attempts before the OOM killer are made with, derived from its gfp mask
//! and task as mm/page_alloc.c derives them, and which requests make the
//! last attempt before the OOM killer.

use super::gfp::is_movable;
use super::gfp_types::{
    DIRECT_RECLAIM,
    HIGH,
    MEMALLOC,
    NOMEMALLOC,
    NORETRY, //
};
use super::platform::Platform;
use super::task::Task;
use super::zone::{
    Wmark,
    COSTLY_ORDER, //
};

/// The allocator's `ALLOC_*` capabilities (mm/page_alloc.h), as booleans.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AllocFlags {
    /// `alloc_flags & ALLOC_WMARK_MASK`: the watermark the attempt checks
    /// (`wmark_pages(zone, alloc_flags & ALLOC_WMARK_MASK)` in
    /// `get_page_from_freelist()`), which also decides whether
    /// `zone_watermark_fast()`'s boost exception applies.
    pub wmark: Wmark,
    /// `ALLOC_CMA`: may take `MIGRATE_CMA` pages.
    pub cma: bool,
    /// `ALLOC_MIN_RESERVE`: `__GFP_HIGH`, half the min reserve.
    pub min_reserve: bool,
    /// `ALLOC_NON_BLOCK`: cannot block, a further quarter.
    pub non_block: bool,
    /// `ALLOC_HIGHATOMIC`: may use `MIGRATE_HIGHATOMIC` blocks.
    pub highatomic: bool,
    /// `ALLOC_OOM`: an OOM victim's request.
    pub oom: bool,
    /// `ALLOC_NO_WATERMARKS`: no watermark check at all.
    pub no_watermarks: bool,
    /// `ALLOC_CPUSET`: only zones the task's cpuset allows.
    pub cpuset: bool,
    /// Whether `ac->nodemask` still applies: the slow path resets it to
    /// NULL without `ALLOC_CPUSET` or with reserve flags.
    pub nodemask: bool,
}

impl AllocFlags {
    /// `ALLOC_RESERVES`: any flag that allows going below min.
    pub fn reserves(&self) -> bool {
        self.non_block || self.min_reserve || self.highatomic || self.oom
    }
}

/// `__gfp_pfmemalloc_flags()` (mm/page_alloc.c) in task context
/// (`!in_interrupt()`; the OOM killer is only called from a task): the
/// reserve flags that replace the slow path's own.
fn gfp_pfmemalloc_flags(gfp: u32, task: &Task) -> Option<AllocFlags> {
    if gfp & NOMEMALLOC != 0 {
        return None;
    }
    if gfp & MEMALLOC != 0 || task.memalloc {
        return Some(AllocFlags {
            no_watermarks: true,
            ..AllocFlags::default()
        });
    }
    if task.oom_victim {
        return Some(AllocFlags {
            oom: true,
            ..AllocFlags::default()
        });
    }
    None
}

/// The flags of the slow path's last attempts before the OOM killer, in
/// `__alloc_pages_slowpath()` (mm/page_alloc.c): `alloc_flags_slowpath()`
/// (with `alloc_flags_nonblocking()`, the real-time rule and
/// `alloc_flags_cma()`), then, if `__gfp_pfmemalloc_flags()` gives reserve
/// flags, `alloc_flags_cma(gfp_mask) | reserve_flags`, which drops
/// `ALLOC_CPUSET` and resets the nodemask.  The request's base
/// `ac->alloc_flags` holds no flag that matters here.
pub fn slowpath_flags(p: &Platform, gfp: u32, order: u8, task: &Task) -> AllocFlags {
    let cma = p.cma && is_movable(p, gfp);
    if let Some(reserve) = gfp_pfmemalloc_flags(gfp, task) {
        // alloc_flags = alloc_flags_cma(gfp_mask) | reserve_flags | ...;
        // ac->nodemask = NULL (ALLOC_CPUSET is gone).
        // The watermark bits are ALLOC_DEFAULT's: WMARK_MIN.
        return AllocFlags { cma, ..reserve };
    }
    let mut c = AllocFlags {
        // ALLOC_WMARK_MIN | ALLOC_CPUSET
        wmark: Wmark::Min,
        cpuset: true,
        // if (gfp_mask & __GFP_HIGH) alloc_flags |= ALLOC_MIN_RESERVE;
        min_reserve: gfp & HIGH != 0,
        cma,
        ..AllocFlags::default()
    };
    // alloc_flags_nonblocking(): nothing for blocking or __GFP_NOMEMALLOC.
    if gfp & DIRECT_RECLAIM == 0 && gfp & NOMEMALLOC == 0 {
        c.non_block = true;
        if order > 0 && gfp & HIGH != 0 {
            c.highatomic = true;
        }
    }
    if gfp & DIRECT_RECLAIM == 0 {
        // Ignore cpuset mems for non-blocking __GFP_HIGH.
        if c.min_reserve {
            c.cpuset = false;
        }
    } else if task.rt {
        // rt_or_dl_task(current) && in_task()
        c.min_reserve = true;
    }
    // if (!(alloc_flags & ALLOC_CPUSET) || reserve_flags) ac->nodemask = NULL;
    c.nodemask = c.cpuset;
    c
}

/// The flags of `__alloc_pages_may_oom()`'s last attempt:
/// `get_page_from_freelist((gfp_mask | __GFP_HARDWALL) &
/// ~__GFP_DIRECT_RECLAIM, order, ac->alloc_flags | ALLOC_WMARK_HIGH |
/// ALLOC_CPUSET, ac)`, with the nodemask the slow path left (`slow`).
///
/// `ac->alloc_flags` is the caller's `alloc_flags` of
/// `__alloc_frozen_pages_noprof()` (`ALLOC_NOLOCK`, `ALLOC_NO_CODETAG`,
/// neither of which matters here): `prepare_alloc_pages()` adds
/// `alloc_flags_cma()` to the fast path's `fastpath_alloc_flags` only, and
/// `__alloc_pages_slowpath()` to its local `alloc_flags` only.  So the
/// attempt counts no CMA page and takes no CMA block, even for a movable
/// request; a zone that fails it only for that is named by
/// [`super::watermark::Cause::LastChanceCma`], not `cma` (which says the
/// request itself may not use CMA).  `_p` and `_gfp` are kept for callers:
/// the kernel's flags depend on neither.
pub fn last_chance_flags(_p: &Platform, _gfp: u32, slow: &AllocFlags) -> AllocFlags {
    AllocFlags {
        wmark: Wmark::High,
        cpuset: true,
        nodemask: slow.nodemask,
        ..AllocFlags::default()
    }
}

/// Whether a request of `gfp` and `order` from `task` that failed reached
/// `__alloc_pages_may_oom()`, and so made its last attempt at the high
/// watermark, by `__alloc_pages_slowpath()` (mm/page_alloc.c): it returns
/// before it (`goto nopage`) for "`if (!can_direct_reclaim)`", "`if
/// (current->flags & PF_MEMALLOC)`", "`if (gfp_mask & __GFP_NORETRY)`"
/// (which also covers the compact-first return for `__GFP_NORETRY |
/// __GFP_THISNODE`), and "`if (costly_order && (!can_compact || !(gfp_mask &
/// __GFP_RETRY_MAYFAIL)))`".  A costly `__GFP_RETRY_MAYFAIL` request goes on
/// only if `gfp_compaction_allowed()` (`CONFIG_COMPACTION` and `__GFP_IO`,
/// include/linux/gfp.h), and [`Platform`] does not record
/// `CONFIG_COMPACTION`: costly orders are taken as not shown to reach it.
///
/// What `__alloc_pages_may_oom()` does after the attempt (its returns for
/// `PF_DUMPCORE`, a costly order, `__GFP_RETRY_MAYFAIL` or `__GFP_THISNODE`,
/// a highest zone below `ZONE_NORMAL`, suspended storage, each then failing
/// in `warn_alloc()`) does not matter here: the attempt was made.
pub fn reaches_may_oom(gfp: u32, order: u32, task: &Task) -> bool {
    gfp & DIRECT_RECLAIM != 0
        && !task.memalloc
        && gfp & NORETRY == 0
        && order <= u32::from(COSTLY_ORDER)
}
