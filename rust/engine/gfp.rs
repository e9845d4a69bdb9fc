// SPDX-License-Identifier: GPL-2.0

//! What a gfp mask asks of the zones (include/linux/gfp.h): the highest
//! zone it may use and whether it is movable.

use super::gfp_types::{
    DMA,
    DMA32,
    HIGHMEM,
    MOVABLE,
    RECLAIMABLE, //
};
use super::platform::Platform;
use super::zone::ZoneType;

/// `gfp_zone()` (include/linux/gfp.h): the highest zone index a request may
/// use, from `GFP_ZONE_TABLE`.  `None` for the combinations in
/// `GFP_ZONE_BAD`.
pub fn gfp_zone(p: &Platform, gfp: u32) -> Option<u8> {
    let dma = gfp & DMA != 0;
    let high = gfp & HIGHMEM != 0;
    let dma32 = gfp & DMA32 != 0;
    let mov = gfp & MOVABLE != 0;
    match (dma, high, dma32, mov) {
        (false, false, false, _) => p.idx(ZoneType::Normal),
        (true, false, false, _) => p.opt(ZoneType::Dma),
        (false, true, false, false) => p.opt(ZoneType::Highmem),
        (false, true, false, true) => p.idx(ZoneType::Movable),
        (false, false, true, _) => p.opt(ZoneType::Dma32),
        _ => None,
    }
}

/// `gfp_migratetype()` is `MIGRATE_MOVABLE` (include/linux/gfp.h).
pub fn is_movable(p: &Platform, gfp: u32) -> bool {
    !p.mobility_disabled && gfp & MOVABLE != 0 && gfp & RECLAIMABLE == 0
}
