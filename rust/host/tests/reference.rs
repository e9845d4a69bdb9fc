// SPDX-License-Identifier: GPL-2.0
//! Property tests: the engine against a deliberately naive reference model,
//! a line-by-line transliteration of kernel 7.3's C (`alloc_flags_slowpath()`
//! with the task rules and `__gfp_pfmemalloc_flags()`,
//! `__zone_watermark_unusable_free()`, `__zone_watermark_ok()`,
//! `zone_watermark_fast()` with its boost exception, `gfp_zone()`'s table)
//! with integer `ALLOC_*` flags, on random zones, requests and tasks.  Each
//! cause the engine names is checked by re-running the reference with that
//! one restriction lifted.

mod common;
use common::*;
use oomfrag_engine::frag::*;
use oomfrag_engine::gfp::{self, gfp_zone, slowpath_caps};
use oomfrag_engine::task::Task;
use oomfrag_engine::verdict::{zone_verdict, Stage};
use oomfrag_engine::watermark::*;
use oomfrag_engine::zone::*;
use proptest::prelude::*;

// mm/page_alloc.h, kernel 7.3.
const ALLOC_NO_WATERMARKS: u32 = 0x04;
const ALLOC_OOM: u32 = 0x08;
const ALLOC_NON_BLOCK: u32 = 0x10;
const ALLOC_MIN_RESERVE: u32 = 0x20;
const ALLOC_CPUSET: u32 = 0x40;
const ALLOC_CMA: u32 = 0x80;
const ALLOC_HIGHATOMIC: u32 = 0x200;
const ALLOC_RESERVES: u32 = ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM;
const MIGRATE_PCPTYPES: usize = 3;
const MIGRATE_HIGHATOMIC: usize = 3;
const MIGRATE_CMA: usize = 4;

/// `alloc_flags_slowpath()`, then the `reserve_flags` replacement of
/// `__alloc_pages_slowpath()` (`__gfp_pfmemalloc_flags()` in task context).
fn ref_alloc_flags(gfp: u32, order: u32, rt: bool, memalloc: bool, victim: bool) -> u32 {
    let mut f = ALLOC_CPUSET; // | ALLOC_WMARK_MIN (0)
    if gfp & GFP_HIGH != 0 {
        f |= ALLOC_MIN_RESERVE;
    }
    if gfp & GFP_DIRECT_RECLAIM == 0 && gfp & GFP_NOMEMALLOC == 0 {
        f |= ALLOC_NON_BLOCK;
        if order > 0 && gfp & GFP_HIGH != 0 {
            f |= ALLOC_HIGHATOMIC;
        }
    }
    if gfp & GFP_DIRECT_RECLAIM == 0 {
        if f & ALLOC_MIN_RESERVE != 0 {
            f &= !ALLOC_CPUSET;
        }
    } else if rt {
        f |= ALLOC_MIN_RESERVE;
    }
    let cma = if (gfp & (GFP_MOVABLE | GFP_RECLAIMABLE)) >> 3 == 1 {
        ALLOC_CMA
    } else {
        0
    };
    f |= cma;
    let reserve = if gfp & GFP_NOMEMALLOC != 0 {
        0
    } else if gfp & GFP_MEMALLOC != 0 || memalloc {
        ALLOC_NO_WATERMARKS
    } else if victim {
        ALLOC_OOM
    } else {
        0
    };
    if reserve != 0 {
        f = cma | reserve;
    }
    f
}

/// `zone_watermark_fast()` at the min watermark as
/// `get_page_from_freelist()` calls it (`ALLOC_NO_WATERMARKS` skips it).
fn ref_fast(z: &ZoneSnapshot, order: u32, w: usize, hz: usize, flags: u32) -> bool {
    if flags & ALLOC_NO_WATERMARKS != 0 {
        return true;
    }
    let mark = (z.wmark[w] + z.boost) as i64;
    let free_pages = z.free as i64;
    if order == 0 {
        let mut usable_free = free_pages;
        let mut reserved = 0;
        if flags & ALLOC_RESERVES == 0 {
            reserved += z.free_highatomic as i64;
        }
        if flags & ALLOC_CMA == 0 {
            reserved += z.free_cma as i64;
        }
        usable_free -= usable_free.min(reserved);
        if usable_free > mark + z.lowmem_reserve[hz] as i64 {
            return true;
        }
    }
    if ref_zone_ok(z, order, mark, hz, flags) {
        return true;
    }
    if order == 0 && flags & ALLOC_MIN_RESERVE != 0 && z.boost != 0 && w == 0 {
        return ref_zone_ok(z, order, z.wmark[0] as i64, hz, flags);
    }
    false
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
        lists_read in prop::bool::weighted(0.8),
    ) -> ZoneSnapshot {
        let mut z = ZoneSnapshot::empty(0, idx, ZoneKind::Normal, 11);
        z.lists_read = lists_read;
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
        // A zone's reserve against its own index is 0
        // (setup_per_zone_lowmem_reserve()).
        z.lowmem_reserve[idx as usize] = 0;
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
            Just(GFP_DIRECT_RECLAIM),
            Just(GFP_KSWAPD_RECLAIM),
            Just(GFP_NOWARN),
            Just(GFP_NOMEMALLOC),
            Just(GFP_MEMALLOC),
            Just(GFP_HARDWALL),
            Just(GFP_NORETRY)
        ],
        0..6,
    );
    (zone, flags).prop_map(|(z, f)| f.into_iter().fold(z, |a, b| a | b))
}

/// Tasks: mostly plain, sometimes real-time, `PF_MEMALLOC` or an OOM victim.
fn task() -> impl Strategy<Value = Task> {
    (0u8..8).prop_map(|k| Task {
        rt: k == 5 || k == 7,
        memalloc: k == 6,
        oom_victim: k == 7,
        ..Task::PLAIN
    })
}

/// Whether `rmqueue()` finds a block of `order` or larger (mm/page_alloc.c,
/// 7.3): `__rmqueue_smallest()` on the request's own type, `__rmqueue()`'s
/// fallbacks[] (every other PCP type: `fallbacks[UNMOVABLE] = {RECLAIMABLE,
/// MOVABLE}`, and so on), `__rmqueue_cma_fallback()` with `ALLOC_CMA`, and
/// `rmqueue_buddy()`'s `MIGRATE_HIGHATOMIC` with `ALLOC_HIGHATOMIC`, or
/// with `ALLOC_OOM | ALLOC_NON_BLOCK` once the rest failed.  A zone whose
/// lists were not read is taken to have a block.
fn ref_rmqueue_finds(z: &ZoneSnapshot, order: u32, flags: u32) -> bool {
    if !z.lists_read {
        return true;
    }
    let own_and_fallbacks = (1 << 0) | (1 << 1) | (1 << 2);
    let mut types = own_and_fallbacks;
    if flags & ALLOC_CMA != 0 {
        types |= 1 << MIGRATE_CMA;
    }
    if flags & (ALLOC_HIGHATOMIC | ALLOC_OOM | ALLOC_NON_BLOCK) != 0 {
        types |= 1 << MIGRATE_HIGHATOMIC;
    }
    (order as usize..11).any(|o| z.nr_free[o] != 0 && z.nonempty[o] & types != 0)
}

/// The reference flags of `task`'s request.
fn flags_of(gfp: u32, order: u8, t: &Task) -> u32 {
    ref_alloc_flags(gfp, order as u32, t.rt, t.memalloc, t.oom_victim)
}

/// The reference check with some restrictions lifted.
fn ref_lifted(
    z: &ZoneSnapshot,
    order: u8,
    w: usize,
    hz: usize,
    flags: u32,
    lifts: &[Lift],
) -> bool {
    let mut z = *z;
    let mut hz = hz;
    let mut flags = flags;
    for l in lifts {
        match l {
            // lowmem_reserve[] of the zone itself is 0.
            Lift::LowmemReserve => hz = z.zone_idx as usize,
            Lift::Cma => flags |= ALLOC_CMA,
            Lift::HighAtomic => flags |= ALLOC_HIGHATOMIC,
            Lift::Boost => z.boost = 0,
        }
    }
    ref_fast(&z, order as u32, w, hz, flags)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn watermark_ok_matches_reference(
        z in zone(), gfp in gfp(), order in 0u8..11, w in 0usize..3, t in task()
    ) {
        let p = x86();
        let caps = slowpath_caps(&p, gfp, order, &t);
        let flags = flags_of(gfp, order, &t);
        prop_assert_eq!(caps.cma, flags & ALLOC_CMA != 0);
        prop_assert_eq!(caps.min_reserve, flags & ALLOC_MIN_RESERVE != 0);
        prop_assert_eq!(caps.non_block, flags & ALLOC_NON_BLOCK != 0);
        prop_assert_eq!(caps.highatomic, flags & ALLOC_HIGHATOMIC != 0);
        prop_assert_eq!(caps.oom, flags & ALLOC_OOM != 0);
        prop_assert_eq!(caps.no_watermarks, flags & ALLOC_NO_WATERMARKS != 0);
        prop_assert_eq!(caps.cpuset, flags & ALLOC_CPUSET != 0);
        let hz = ref_gfp_zone(gfp);
        prop_assert_eq!(gfp_zone(&p, gfp), hz);
        let hz = hz.unwrap() as usize;
        let c = watermark_check(&p, &z, order, Wmark::ALL[w], hz as u8, &caps);
        prop_assert_eq!(c.ok, ref_fast(&z, order as u32, w, hz, flags));
        prop_assert_eq!(c.ok, c.cause == Cause::None);
    }

    /// Each cause is counterfactual: the reference passes with the named
    /// restriction lifted alone (and with no earlier-named one), `reserves`
    /// only when no single lift suffices but all together do, `exhaustion`
    /// and `fragmentation` only when even all together fail.
    #[test]
    fn causes_are_counterfactual(
        z in zone(), gfp in gfp(), order in 0u8..11, w in 0usize..3, t in task()
    ) {
        let p = x86();
        let caps = slowpath_caps(&p, gfp, order, &t);
        let flags = flags_of(gfp, order, &t);
        let hz = ref_gfp_zone(gfp).unwrap() as usize;
        let c = watermark_check(&p, &z, order, Wmark::ALL[w], hz as u8, &caps);
        let lifted = |l: &[Lift]| ref_lifted(&z, order, w, hz, flags, l);
        let single = |cause: Cause| match cause {
            Cause::Cma => Some(Lift::Cma),
            Cause::HighAtomic => Some(Lift::HighAtomic),
            Cause::LowmemReserve => Some(Lift::LowmemReserve),
            Cause::Boost => Some(Lift::Boost),
            _ => None,
        };
        match c.cause {
            Cause::None => prop_assert!(c.ok),
            Cause::Exhaustion | Cause::Fragmentation => {
                prop_assert!(!lifted(&Lift::ALL));
                // The order-0 part with everything lifted (CMA and
                // high-atomic counted, the zone's own reserve of 0, the
                // unboosted mark) decides which.
                let part = ref_zone_ok_part(
                    &z,
                    order as u32,
                    z.wmark[w] as i64,
                    z.zone_idx as usize,
                    flags | ALLOC_CMA | ALLOC_HIGHATOMIC,
                    false,
                );
                prop_assert_eq!(c.cause == Cause::Exhaustion, !part);
                if c.cause == Cause::Fragmentation {
                    prop_assert!(order > 0);
                }
            }
            Cause::Reserves => {
                prop_assert!(lifted(&Lift::ALL));
                for l in Lift::ALL {
                    prop_assert!(!lifted(&[l]));
                }
            }
            cause => {
                let l = single(cause).unwrap();
                prop_assert!(lifted(&[l]), "{:?} named but lifting it fails", cause);
                for earlier in Lift::ALL.iter().take_while(|e| **e != l) {
                    prop_assert!(!lifted(&[*earlier]));
                }
            }
        }
    }

    /// A zone's verdict carries the reference's answers: at min (with the
    /// cause `watermark_check` names), and pass or fail at low and high.
    #[test]
    fn zone_verdict_checks_match_reference(
        z in zone(), gfp in gfp(), order in 0u8..11, t in task()
    ) {
        let p = x86();
        let flags = flags_of(gfp, order, &t);
        let hz = ref_gfp_zone(gfp).unwrap() as usize;
        let v = zone_verdict(&p, &z, order, gfp, &t, &NodeMask::ALL);
        prop_assert_eq!(v.decisive().ok, ref_fast(&z, order as u32, 0, hz, flags));
        prop_assert_eq!(v.ok_low, ref_fast(&z, order as u32, 1, hz, flags));
        prop_assert_eq!(v.ok_high, ref_fast(&z, order as u32, 2, hz, flags));
        let caps = slowpath_caps(&p, gfp, order, &t);
        prop_assert_eq!(*v.decisive(), watermark_check(&p, &z, order, Wmark::Min, hz as u8, &caps));
        // The zone satisfies the request only if the check passes and
        // rmqueue() finds a block.
        prop_assert_eq!(
            v.passes_at(Stage::SlowPath),
            ref_fast(&z, order as u32, 0, hz, flags) && ref_rmqueue_finds(&z, order as u32, flags)
        );
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
