// SPDX-License-Identifier: GPL-2.0

//! KUnit suites of `oomfrag_kunit.ko`, run when it is loaded in the test
//! guest (never part of `oomfrag.ko`).
//!
//! `oomfrag_engine`: the engine with the running kernel's own platform
//! (gfp values from the bindings) on the seeds' fixtures.
//! `oomfrag_live`: invariants of live snapshots.

use crate::engine::zone::ZoneSnapshot;

/// Free pages held in the buddy lists (`sum nr_free << order`).
fn buddy_free_pages(z: &ZoneSnapshot) -> u64 {
    (0..z.orders()).map(|o| z.nr_free[o] << o).sum()
}

#[kernel::macros::kunit_tests(oomfrag_engine)]
mod engine_tests {
    use super::buddy_free_pages;
    use crate::engine::alloc_flags::slowpath_flags;
    use crate::engine::gfp::gfp_zone;
    use crate::engine::gfp_types;
    use crate::engine::platform::Platform;
    use crate::engine::task::Task;
    use crate::engine::verdict::*;
    use crate::engine::watermark::Cause;
    use crate::engine::zone::*;
    use crate::live;

    /// One zone's verdict for a plain task's request without a nodemask.
    fn judge(p: &Platform, z: &ZoneSnapshot, order: u8, gfp: u32) -> ZoneVerdict {
        let ac = AllocContext::new(p, order, gfp, &Task::PLAIN);
        zone_verdict(p, z, &ac, &Task::PLAIN, &NodeMask::ALL)
    }

    /// The summary from the slow path's check.
    fn summarize(v: &[ZoneVerdict], order: u8, memcg: bool) -> Verdict {
        summarize_at(v, order, memcg, Stage::SlowPath)
    }

    fn zone(kind: ZoneType, idx: u8, counts: &[(u64, u8)]) -> ZoneSnapshot {
        let mut z = ZoneSnapshot::empty(0, idx, kind, 11);
        for (o, &(n, mask)) in counts.iter().enumerate() {
            z.nr_free[o] = n;
            z.nonempty[o] = if n > 0 { mask } else { 0 };
        }
        z.free = buddy_free_pages(&z);
        z
    }

    fn idx(p: &Platform, k: ZoneType) -> u8 {
        p.zone_idx[k as usize].unwrap_or(0)
    }

    /// Seed 002: 233 MB free, 231 MB of it CMA, non-movable order 0: cma.
    /// The seed's board groups pages by mobility; this kernel's zone
    /// indices.
    #[test]
    fn seed002_is_cma() {
        let live = live::platform();
        let p = Platform {
            mobility_disabled: false,
            ..live
        };
        let u = MigrateType::Unmovable.bit();
        let c = MigrateType::Cma.bit();
        let mut z = zone(
            ZoneType::Normal,
            idx(&p, ZoneType::Normal),
            &[
                (1165, u | c),
                (1122, u | c),
                (1119, u | c),
                (1118, c),
                (1068, u | c),
                (748, c),
                (0, 0),
                (0, 0),
                (0, 0),
                (1, u),
            ],
        );
        assert_eq!(z.free * 4, 233460);
        z.free_cma = 231116 / 4;
        z.wmark = [2488 / 4, 3108 / 4, 3732 / 4];
        let v = judge(&p, &z, 0, gfp_types::KERNEL);
        assert!(v.eligible);
        assert_eq!(v.decisive().cause, Cause::Cma);
        assert_eq!(summarize(&[v], 0, false), Verdict::Cma);
        let m = judge(&p, &z, 0, gfp_types::HIGHUSER_MOVABLE);
        assert!(m.decisive().ok);
        // Without grouping by mobility (this machine's, if it is small:
        // `gfp_migratetype()` is then unmovable) no request may use CMA.
        let off = Platform {
            mobility_disabled: true,
            ..live
        };
        let m = judge(&off, &z, 0, gfp_types::HIGHUSER_MOVABLE);
        assert_eq!(m.decisive().cause, Cause::Cma);
    }

    /// Seed 003: 6.5 MB free, largest block 128 kB: fragmentation above 5.
    #[test]
    fn seed003_is_fragmentation_above_order5() {
        let p = live::platform();
        let u = MigrateType::Unmovable.bit();
        let mut z = zone(
            ZoneType::Dma,
            idx(&p, ZoneType::Dma),
            &[(411, u), (252, u), (113, u), (27, u), (1, u), (1, u)],
        );
        z.wmark = [1200 / 4, 1500 / 4, 1800 / 4];
        for order in 0..11u8 {
            let v = judge(&p, &z, order, gfp_types::KERNEL);
            let want = if order <= 5 {
                Verdict::None
            } else {
                Verdict::Fragmentation
            };
            assert_eq!(summarize(&[v], order, false), want);
        }
    }

    /// The gfp table decodes the kernel's own masks as `%pGg` does.
    #[test]
    fn gfp_names_from_bindings() {
        let p = live::platform();
        assert_eq!(
            gfp_types::parse("GFP_KERNEL"),
            Some(kernel::bindings::GFP_KERNEL)
        );
        assert_eq!(
            gfp_types::parse("GFP_KERNEL|__GFP_NOWARN"),
            Some(kernel::bindings::GFP_KERNEL | kernel::bindings::__GFP_NOWARN)
        );
        assert_eq!(gfp_types::parse("0xcc0"), Some(0xcc0));
        assert_eq!(gfp_types::parse("GFP_BOGUS"), None);
        // gfp_zone(): GFP_KERNEL may use up to ZONE_NORMAL, a movable
        // highuser request up to ZONE_MOVABLE.
        assert_eq!(
            gfp_zone(&p, gfp_types::KERNEL),
            p.zone_idx[ZoneType::Normal as usize]
        );
        assert_eq!(
            gfp_zone(&p, gfp_types::HIGHUSER_MOVABLE),
            p.zone_idx[ZoneType::Movable as usize]
        );
        // A movable request may use CMA where there is CMA and pages are
        // grouped by mobility (gfp_to_alloc_flags_cma()).
        let caps = slowpath_flags(&p, gfp_types::HIGHUSER_MOVABLE, 0, &Task::PLAIN);
        assert_eq!(caps.cma, cfg!(CONFIG_CMA) && !p.mobility_disabled);
        assert!(!slowpath_flags(&p, gfp_types::KERNEL, 0, &Task::PLAIN).cma);
    }
}

#[kernel::macros::kunit_tests(oomfrag_live)]
mod live_tests {
    use super::buddy_free_pages;
    use crate::engine::zone::*;
    use crate::live;
    use kernel::prelude::*;

    /// A snapshot of every zone, in a buffer sized to the machine.
    fn zones(mode: live::Mode) -> Result<(KVec<ZoneSnapshot>, usize)> {
        let n = live::snapshot(&mut [], mode);
        let mut v = KVec::from_elem(ZoneSnapshot::EMPTY, n, GFP_KERNEL)?;
        // A node hot-added meanwhile is not in the buffer.
        let m = live::snapshot(&mut v, mode).min(n);
        Ok((v, m))
    }

    /// The walk finds populated zones, with sane watermarks, once each,
    /// and never more than the module's buffers hold.
    #[test]
    fn walk_finds_populated_zones() -> Result {
        let (z, n) = zones(live::Mode::Lockless)?;
        assert!(n > 0);
        assert!(n <= live::max_zones());
        for (i, a) in z[..n].iter().enumerate() {
            assert!(a.present > 0);
            assert!(a.managed <= a.present);
            assert!(a.wmark[0] <= a.wmark[1] && a.wmark[1] <= a.wmark[2]);
            for b in &z[i + 1..n] {
                assert!((a.node, a.zone_idx) < (b.node, b.zone_idx));
            }
        }
        Ok(())
    }

    /// How far `NR_FREE_PAGES` may be from the buddy lists' sum in one
    /// snapshot: the counter is updated apart from the lists (per-CPU
    /// counter deltas, pages in flight between the lists and the per-CPU
    /// lists while other CPUs allocate and free): 1/16 of the zone's free
    /// pages plus one 2 MB pageblock.  Not the harness's drift between two
    /// prints (tools/testing/oomfrag_log.py), which measures time.
    const FREE_SKEW_DIV: u64 = 16;
    const FREE_SKEW_PAGES: u64 = 512;

    /// Each order's per-migratetype counts add up to its nr_free when
    /// nothing allocates or frees meanwhile (live.rs counts one list per
    /// `zone->lock` hold, so a busy moment is retried; a capped zone's
    /// counts may fall short); and the buddy pages are within the
    /// concurrent drift of NR_FREE_PAGES.
    #[test]
    fn counts_match_free_counter() -> Result {
        let mut agreed = false;
        for _ in 0..20 {
            let (z, n) = zones(live::Mode::Counted)?;
            let mut all = true;
            for s in &z[..n] {
                assert!(s.blocks_exact);
                for o in 0..s.orders() {
                    let sum: u64 = s.blocks[o].iter().sum();
                    all &= sum == s.nr_free[o] || (s.blocks_capped && sum < s.nr_free[o]);
                }
                let buddy = buddy_free_pages(s);
                assert!(buddy.abs_diff(s.free) <= s.free / FREE_SKEW_DIV + FREE_SKEW_PAGES);
            }
            if all {
                agreed = true;
                break;
            }
        }
        assert!(agreed);
        Ok(())
    }

    /// A live zone passes an order-0 check for a request that may use
    /// every reserve (ALLOC_NO_WATERMARKS-like) and the verdict engine
    /// agrees with itself across modes.
    #[test]
    fn lockless_and_counted_agree_on_lists() -> Result {
        let (a, n) = zones(live::Mode::Lockless)?;
        let (b, m) = zones(live::Mode::Counted)?;
        assert_eq!(n, m);
        for (x, y) in a[..n].iter().zip(&b[..m]) {
            assert_eq!((x.node, x.zone_idx), (y.node, y.zone_idx));
            assert_eq!(x.wmark, y.wmark);
            assert_eq!(x.lowmem_reserve, y.lowmem_reserve);
        }
        Ok(())
    }
}
