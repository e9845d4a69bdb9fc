// SPDX-License-Identifier: GPL-2.0

//! The facts about a kernel that the verdict rules depend on: which zone
//! types it has, whether CMA is built in, its page size.
//!
//! The module builds one from the kernel's bindings (`glue/live.rs`); the host
//! tests and the offline analyzer build one for the kernel whose numbers
//! they read.

use super::zone::ZoneType;

/// A kernel, as the verdict rules see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Platform {
    /// Kernel zone index of each [`ZoneType`], `None` if not configured.
    pub zone_idx: [Option<u8>; ZoneType::COUNT],
    /// `CONFIG_CMA`.
    pub cma: bool,
    /// `page_group_by_mobility_disabled` (then every request is unmovable).
    pub mobility_disabled: bool,
    /// `PAGE_SHIFT`.
    pub page_shift: u8,
    /// `CONFIG_NUMA` (`constrained_alloc()` names no constraint without it).
    pub numa: bool,
}

impl Platform {
    /// The kernel's index of zone type `k`, if configured.
    pub fn idx(&self, k: ZoneType) -> Option<u8> {
        self.zone_idx[k as usize]
    }

    /// The kernel's `OPT_ZONE_*`: the zone if configured, else `ZONE_NORMAL`.
    pub fn opt(&self, k: ZoneType) -> Option<u8> {
        self.idx(k).or(self.idx(ZoneType::Normal))
    }

    /// Converts pages to kB, as the kernel's `K()` macro does
    /// (`x << (PAGE_SHIFT - 10)`).
    pub fn kb(&self, pages: u64) -> u64 {
        pages.saturating_mul(1 << self.page_shift.saturating_sub(10))
    }
}

/// Whether the kernel groups pages by mobility, as `build_all_zonelists()`
/// (`mm/page_alloc.c`) decides it:
///
/// ```c
/// vm_total_pages = nr_free_zone_pages(gfp_zone(GFP_HIGHUSER_MOVABLE));
/// if (vm_total_pages < (pageblock_nr_pages * MIGRATE_TYPES))
///         page_group_by_mobility_disabled = 1;
/// ```
///
/// `vm_total_pages` is the sum over the zonelist of each zone's managed
/// pages above its high mark (`nr_free_zone_pages()`); at boot
/// (`mm_core_init()`, before `memblock_free_all()`) the marks are still 0
/// and `free_area_init_core()` has set the managed pages to the present
/// pages, so it is the present pages of every populated zone.  `pageblock_order` is the kernel's
/// (`pageblock_nr_pages` is `1 << pageblock_order`), `migrate_types` its
/// `MIGRATE_TYPES` (4 plus one each for `CONFIG_CMA` and
/// `CONFIG_MEMORY_ISOLATION`).  About 12 MB with 4 KB pages, 192 MB with 16
/// KB and 3 GB with 64 KB, with both options.
pub fn mobility_grouping_disabled(
    vm_total_pages: u64,
    pageblock_order: u8,
    migrate_types: u8,
) -> bool {
    let pageblock_nr_pages = 1u64.checked_shl(pageblock_order.into()).unwrap_or(u64::MAX);
    vm_total_pages < pageblock_nr_pages.saturating_mul(migrate_types.into())
}
