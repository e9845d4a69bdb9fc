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
