// SPDX-License-Identifier: GPL-2.0
//! Property tests: the engine against a deliberately naive reference model,
//! a line-by-line transliteration of kernel 7.3's C (`gfp_to_alloc_flags`
//! pieces, `__zone_watermark_unusable_free()`, `__zone_watermark_ok()`,
//! `gfp_zone()`'s table) with integer `ALLOC_*` flags, on random zones and
//! requests.

mod common;
use common::*;
use oomfrag_engine::frag::*;
use oomfrag_engine::gfp::{self, gfp_zone, slowpath_caps};
use oomfrag_engine::watermark::*;
use oomfrag_engine::zone::*;
use proptest::prelude::*;

// mm/page_alloc.h, kernel 7.3.
const ALLOC_OOM: u32 = 0x08;
const ALLOC_NON_BLOCK: u32 = 0x10;
const ALLOC_MIN_RESERVE: u32 = 0x20;
const ALLOC_CMA: u32 = 0x80;
const ALLOC_HIGHATOMIC: u32 = 0x200;
const ALLOC_RESERVES: u32 = ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM;
const MIGRATE_PCPTYPES: usize = 3;
const MIGRATE_HIGHATOMIC: usize = 3;
const MIGRATE_CMA: usize = 4;

fn ref_alloc_flags(gfp: u32, order: u32) -> u32 {
    let mut f = 0; // ALLOC_WMARK_MIN
    if gfp & GFP_HIGH != 0 {
        f |= ALLOC_MIN_RESERVE;
    }
    if gfp & GFP_DIRECT_RECLAIM == 0 && gfp & GFP_NOMEMALLOC == 0 {
        f |= ALLOC_NON_BLOCK;
        if order > 0 && gfp & GFP_HIGH != 0 {
            f |= ALLOC_HIGHATOMIC;
        }
    }
    if (gfp & (GFP_MOVABLE | GFP_RECLAIMABLE)) >> 3 == 1 {
        f |= ALLOC_CMA;
    }
    f
}

fn ref_zone_ok(z: &ZoneSnapshot, order: u32, mark: i64, hz: usize, flags: u32) -> bool {
    ref_zone_ok_part(z, order, mark, hz, flags, true)
}

/// `__zone_watermark_ok()`; without `scan`, only its order-0 part (the
/// `free_pages <= min + lowmem_reserve` test, with the order's own term).
fn ref_zone_ok_part(
    z: &ZoneSnapshot,
    order: u32,
    mark: i64,
    hz: usize,
    flags: u32,
    scan: bool,
) -> bool {
    let mut free_pages = z.free as i64;
    let mut min = mark;
    let mut unusable = (1i64 << order) - 1;
    if flags & ALLOC_RESERVES == 0 {
        unusable += z.free_highatomic as i64;
    }
    if flags & ALLOC_CMA == 0 {
        unusable += z.free_cma as i64;
    }
    free_pages -= unusable;
    if flags & ALLOC_RESERVES != 0 {
        if flags & ALLOC_MIN_RESERVE != 0 {
            min -= min / 2;
            if flags & ALLOC_NON_BLOCK != 0 {
                min -= min / 4;
            }
        }
        if flags & ALLOC_OOM != 0 {
            min -= min / 2;
        }
    }
    if free_pages <= min + z.lowmem_reserve[hz] as i64 {
        return false;
    }
    if order == 0 || !scan {
        return true;
    }
    for o in order as usize..11 {
        if z.nr_free[o] == 0 {
            continue;
        }
        for mt in 0..MIGRATE_PCPTYPES {
            if z.nonempty[o] & (1 << mt) != 0 {
                return true;
            }
        }
        if flags & ALLOC_CMA != 0 && z.nonempty[o] & (1 << MIGRATE_CMA) != 0 {
            return true;
        }
        if flags & (ALLOC_HIGHATOMIC | ALLOC_OOM) != 0
            && z.nonempty[o] & (1 << MIGRATE_HIGHATOMIC) != 0
        {
            return true;
        }
    }
    false
}

fn with(z: &ZoneSnapshot, f: impl FnOnce(&mut ZoneSnapshot)) -> ZoneSnapshot {
    let mut e = *z;
    f(&mut e);
    e
}

/// gfp_zone() with GFP_ZONE_TABLE for DMA=0 DMA32=1 NORMAL=2 MOVABLE=3.
fn ref_gfp_zone(gfp: u32) -> Option<u8> {
    let table: [Option<u8>; 16] = [
        Some(2),
        Some(0),
        Some(2),
        None,
        Some(1),
        None,
        None,
        None,
        Some(2),
        Some(0),
        Some(3),
        None,
        Some(1),
        None,
        None,
        None,
    ];
    table[(gfp & 0xf) as usize]
}

prop_compose! {
    /// Random zones whose free count lands near the watermarks, so every
    /// branch of the check is taken often.
    fn zone()(
        nr_free in prop::array::uniform11(0u64..40),
        high_orders in 0usize..=11,
        nonempty in prop::array::uniform11(0u8..64),
        min_frac in 0u64..1600, low_d in 0u64..100, high_d in 0u64..100,
        boost in prop_oneof![Just(0u64), 0u64..200],
        reserve in prop::array::uniform4(prop_oneof![Just(0u64), 0u64..400]),
        cma_share in 0u64..=100, ha_share in 0u64..=100,
        extra in 0u64..400,
        idx in 0u8..4,
    ) -> ZoneSnapshot {
        let mut z = ZoneSnapshot::empty(0, idx, ZoneKind::Normal, 11);
        for o in 0..11 {
            // Orders from `high_orders` up are empty: fragmentation happens.
            z.nr_free[o] = if o < high_orders { nr_free[o] >> (o / 2) } else { 0 };
            // A list is non-empty only if the order has blocks.
            z.nonempty[o] = if z.nr_free[o] == 0 { 0 } else { nonempty[o].max(1) };
        }
        z.free = z.buddy_free_pages() + extra;
        z.free_cma = z.free * cma_share / 200;
        z.free_highatomic = z.free * ha_share / 400;
        let min = z.free * min_frac / 1000;
        z.wmark = [min, min + low_d, min + low_d + high_d];
        z.boost = boost;
        z.lowmem_reserve[..4].copy_from_slice(&reserve);
        z
    }
}

fn gfp() -> impl Strategy<Value = u32> {
    // Valid zone modifiers only, plus any of the flags that matter.
    let zone = prop_oneof![
        Just(0u32),
        Just(GFP_DMA),
        Just(GFP_DMA32),
        Just(GFP_MOVABLE),
        Just(GFP_MOVABLE | GFP_HIGHMEM),
        Just(GFP_HIGHMEM)
    ];
    let flags = prop::collection::vec(
        prop_oneof![
            Just(GFP_RECLAIMABLE),
            Just(GFP_HIGH),
            Just(GFP_IO),
            Just(GFP_FS),
            Just(GFP_DIRECT_RECLAIM),
            Just(GFP_KSWAPD_RECLAIM),
            Just(GFP_NOWARN),
            Just(GFP_NOMEMALLOC),
            Just(GFP_NORETRY)
        ],
        0..6,
    );
    (zone, flags).prop_map(|(z, f)| f.into_iter().fold(z, |a, b| a | b))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn watermark_ok_matches_reference(z in zone(), gfp in gfp(), order in 0u8..11, w in 0usize..3) {
        let p = x86();
        let caps = slowpath_caps(&p, gfp, order);
        let flags = ref_alloc_flags(gfp, order as u32);
        prop_assert_eq!(caps.cma, flags & ALLOC_CMA != 0);
        prop_assert_eq!(caps.min_reserve, flags & ALLOC_MIN_RESERVE != 0);
        prop_assert_eq!(caps.non_block, flags & ALLOC_NON_BLOCK != 0);
        prop_assert_eq!(caps.highatomic, flags & ALLOC_HIGHATOMIC != 0);
        let hz = ref_gfp_zone(gfp);
        prop_assert_eq!(gfp_zone(&p, gfp), hz);
        let hz = hz.unwrap() as usize;
        let mark = (z.wmark[w] + z.boost) as i64;
        let c = watermark_check(&p, &z, order, Wmark::ALL[w], hz as u8, &caps);
        prop_assert_eq!(c.ok, ref_zone_ok(&z, order as u32, mark, hz, flags));
        prop_assert_eq!(c.ok, c.cause == Cause::None);
    }

    /// Each cause names the restriction that, lifted, makes the kernel's
    /// check pass (reserve causes), or says no usable block is free
    /// (fragmentation), or that nothing helps short of more memory.
    #[test]
    fn causes_are_explanations(z in zone(), gfp in gfp(), order in 0u8..11) {
        let p = x86();
        let caps = slowpath_caps(&p, gfp, order);
        let flags = ref_alloc_flags(gfp, order as u32);
        let hz = ref_gfp_zone(gfp).unwrap() as usize;
        let mark = (z.wmark[0] + z.boost) as i64;
        let o = order as u32;
        let c = watermark_check(&p, &z, order, Wmark::Min, hz as u8, &caps);
        let no_reserve = with(&z, |e| e.lowmem_reserve = [0; MAX_ZONES]);
        // Every free page counted: no CMA or high-atomic deduction.
        let counted = with(&z, |e| { e.free_cma = 0; e.free_highatomic = 0; });
        match c.cause {
            Cause::None => prop_assert!(c.ok),
            Cause::Exhaustion => {
                let all = with(&counted, |e| e.lowmem_reserve = [0; MAX_ZONES]);
                prop_assert!(!ref_zone_ok_part(&all, o, mark, hz, flags, false));
            }
            Cause::LowmemReserve => {
                prop_assert!(!ref_zone_ok_part(&counted, o, mark, hz, flags, false));
                let all = with(&counted, |e| e.lowmem_reserve = [0; MAX_ZONES]);
                prop_assert!(ref_zone_ok_part(&all, o, mark, hz, flags, false));
            }
            Cause::Cma | Cause::HighAtomic => {
                prop_assert!(ref_zone_ok_part(&counted, o, mark, hz, flags, false));
                let lifted = ref_zone_ok(&counted, o, mark, hz, flags | ALLOC_CMA | ALLOC_HIGHATOMIC);
                prop_assert!(lifted);
                let _ = no_reserve;
            }
            Cause::Fragmentation => {
                prop_assert!(order > 0);
                prop_assert!(ref_zone_ok_part(&counted, o, mark, hz, flags, false));
                prop_assert!(!has_block(&z, order, usable_mt_mask(&caps)));
                prop_assert!(!has_block(&z, order, Mt::Cma.bit()) || caps.cma);
            }
        }
    }

    #[test]
    fn indices_match_vmstat(blocks in prop::array::uniform11(0u64..1000), order in 0u8..11) {
        let info = contig_info(&blocks, order);
        let pages: u64 = blocks.iter().enumerate().map(|(o, b)| b << o).sum();
        prop_assert_eq!(info.free_pages, pages);
        let u = unusable_index(order, &info);
        prop_assert!((0..=1000).contains(&u));
        let f = fragmentation_index(order, &info);
        prop_assert!(f == -1000 || (0..=1000).contains(&f));
        // A suitable block exists exactly when the fragmentation index says so.
        let suitable = blocks[order as usize..].iter().any(|&b| b > 0);
        prop_assert_eq!(f == -1000, suitable);
    }

    #[test]
    fn gfp_names_round_trip(gfp in gfp()) {
        let mut s = String::new();
        gfp::decode(gfp, &mut s).unwrap();
        let back = if s == "none" { Some(0) } else { gfp::parse(&s) };
        prop_assert_eq!(back, Some(gfp), "{}", s);
    }
}
