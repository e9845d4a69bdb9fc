// SPDX-License-Identifier: GPL-2.0

//! Fragmentation indices, kept pure as mm/vmstat.c keeps them:
//! `fill_contig_page_info()`, `__fragmentation_index()` and
//! `unusable_free_index()` over per-order free block counts.

use super::zone::{
    MigrateType,
    ZoneSnapshot,
    MAX_ORDERS, //
};
use core::cmp::min;

/// `struct contig_page_info` of mm/vmstat.c.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContigInfo {
    /// Free base pages.
    pub free_pages: u64,
    /// Free blocks of any order.
    pub free_blocks_total: u64,
    /// Free blocks of the suitable order (larger ones counted as several).
    pub free_blocks_suitable: u64,
}

/// `fill_contig_page_info()` (mm/vmstat.c) over per-order block counts.
pub fn contig_info(blocks: &[u64], suitable_order: u8) -> ContigInfo {
    let mut info = ContigInfo::default();
    for (o, &b) in blocks.iter().enumerate() {
        info.free_blocks_total = info.free_blocks_total.saturating_add(b);
        info.free_pages = info.free_pages.saturating_add(b << o);
        if o >= suitable_order as usize {
            info.free_blocks_suitable = info
                .free_blocks_suitable
                .saturating_add(b << (o - suitable_order as usize));
        }
    }
    info
}

/// `__fragmentation_index()` (mm/vmstat.c), in thousandths: -1000 when a
/// suitable block exists, 0 with no free blocks; towards 0 the failure is
/// from lack of memory, towards 1000 from fragmentation.
pub fn fragmentation_index(order: u8, info: &ContigInfo) -> i32 {
    let requested = 1u64 << min(order, 62);
    if info.free_blocks_total == 0 {
        return 0;
    }
    if info.free_blocks_suitable != 0 {
        return -1000;
    }
    let x = (1000 + info.free_pages.saturating_mul(1000) / requested) / info.free_blocks_total;
    1000 - x as i32
}

/// `unusable_free_index()` (mm/vmstat.c), in thousandths: the share of free
/// memory in blocks too small for the order.
pub fn unusable_index(order: u8, info: &ContigInfo) -> i32 {
    if info.free_pages == 0 {
        return 1000;
    }
    let suitable_pages = info.free_blocks_suitable << order;
    (info
        .free_pages
        .saturating_sub(suitable_pages)
        .saturating_mul(1000)
        / info.free_pages) as i32
}

/// Per-order block counts restricted to the lists a request may use, when
/// the snapshot has exact per-migratetype counts.
pub fn usable_blocks(z: &ZoneSnapshot, mask: u8) -> Option<[u64; MAX_ORDERS]> {
    if !z.blocks_exact {
        return None;
    }
    let mut out = [0u64; MAX_ORDERS];
    for (o, slot) in out.iter_mut().enumerate().take(z.orders()) {
        *slot = MigrateType::ALL
            .iter()
            .filter(|mt| mask & mt.bit() != 0)
            .map(|mt| z.blocks[o][*mt as usize])
            .sum();
    }
    Some(out)
}
