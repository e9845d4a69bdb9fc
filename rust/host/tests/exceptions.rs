// SPDX-License-Identifier: GPL-2.0
//! The allocator's exceptions to its plain watermark rule, each a case
//! where the plain rule would give the wrong verdict: the boost exception
//! of `zone_watermark_fast()`, the task flags of `alloc_flags_slowpath()`
//! and `__gfp_pfmemalloc_flags()`, the last-chance attempt of a movable
//! request, and counterfactual causes (mm/page_alloc.c, 7.3).

mod common;
use common::*;
use oomfrag_engine::gfp::slowpath_caps;
use oomfrag_engine::task::Task;
use oomfrag_engine::verdict::*;
use oomfrag_engine::watermark::*;
use oomfrag_engine::zone::*;

/// A Normal zone with `free` pages in order-0 unmovable blocks.
fn zone(free: u64, min: u64) -> ZoneSnapshot {
    let mut z = ZoneSnapshot::empty(0, 2, ZoneKind::Normal, 11);
    z.nr_free[0] = free;
    z.nonempty[0] = Mt::Unmovable.bit();
    z.free = free;
    z.wmark = [min, min * 5 / 4, min * 3 / 2];
    z
}

#[test]
fn boost_is_ignored_for_gfp_high_order0_at_min() {
    // zone_watermark_fast(): free 700 > min 1000 / 2 (ALLOC_MIN_RESERVE) but
    // not > (1000 + boost 600) / 2; the retry without boost passes.
    let mut z = zone(700, 1000);
    z.boost = 600;
    let gfp = GFP_KERNEL | GFP_HIGH;
    let caps = slowpath_caps(&x86(), gfp, 0, &Task::PLAIN);
    assert!(!zone_watermark_ok(
        &x86(),
        &z,
        0,
        z.mark(Wmark::Min),
        2,
        &caps
    ));
    assert!(zone_watermark_fast(&x86(), &z, 0, Wmark::Min, 2, &caps));
    let mut e = event(4);
    e.evaluate(&x86(), &[z], alloc(0, gfp));
    assert!(e.zones()[0].decisive().ok);
    // Without __GFP_HIGH there is no exception: 700 is below even the
    // unboosted min (exhaustion); 1200 is above it, below min + boost, so
    // the boost alone is the cause.
    let mut f = event(4);
    f.evaluate(&x86(), &[z], alloc(0, GFP_KERNEL));
    assert_eq!(f.verdict, Verdict::Exhaustion);
    let mut b = zone(1200, 1000);
    b.boost = 600;
    f.evaluate(&x86(), &[b], alloc(0, GFP_KERNEL));
    assert_eq!(f.zones()[0].decisive().cause, Cause::Boost);
    assert_eq!(f.verdict, Verdict::Boost);
}

#[test]
fn movable_request_is_never_blamed_on_cma() {
    // Memory came back after the failure: the zone passes at min for a
    // movable request (CMA counted), and would fail the literal last-chance
    // attempt (ac->alloc_flags has no ALLOC_CMA) only because of CMA.  The
    // request may use CMA: the verdict must not be cma.
    let mut z = zone(3000, 1000);
    z.free_cma = 2500;
    z.nr_free[9] = 5;
    z.nonempty[9] = Mt::Cma.bit();
    z.free += 5 * 512;
    z.free_cma += 5 * 512;
    let mut e = event(4);
    e.evaluate(&x86(), &[z], alloc(0, GFP_HIGHUSER_MOVABLE));
    assert_ne!(e.verdict, Verdict::Cma);
    // The same zone for a GFP_KERNEL request: cma is right.
    let mut k = event(4);
    k.evaluate(&x86(), &[z], alloc(0, GFP_KERNEL));
    assert_eq!(k.verdict, Verdict::Cma);
}

#[test]
fn causes_are_counterfactual() {
    // 1024 free pages, all CMA, min 100, lowmem_reserve 2000 against the
    // request's highest zone.  Without the reserve it still fails on CMA;
    // with CMA it still fails on the reserve: neither alone is the cause.
    let mut z = ZoneSnapshot::empty(0, 1, ZoneKind::Dma32, 11);
    z.nr_free[0] = 1024;
    z.nonempty[0] = Mt::Cma.bit();
    z.free = 1024;
    z.free_cma = 1024;
    z.wmark = [100, 125, 150];
    z.lowmem_reserve[2] = 2000;
    let caps = slowpath_caps(&x86(), GFP_KERNEL, 0, &Task::PLAIN);
    let c = watermark_check(&x86(), &z, 0, Wmark::Min, 2, &caps);
    assert_eq!(c.cause, Cause::Reserves);
    // Lift each by hand: each alone fails, both together pass.
    let lifted = |l: &[Lift]| check_lifted(&x86(), &z, 0, Wmark::Min, 2, &caps, l);
    assert!(!lifted(&[Lift::LowmemReserve]));
    assert!(!lifted(&[Lift::Cma]));
    assert!(lifted(&[Lift::LowmemReserve, Lift::Cma]));
    // With less reserve, CMA alone is the cause.
    z.lowmem_reserve[2] = 10;
    let c = watermark_check(&x86(), &z, 0, Wmark::Min, 2, &caps);
    assert_eq!(c.cause, Cause::Cma);
}

#[test]
fn real_time_tasks_dip_into_the_reserve() {
    // alloc_flags_slowpath(): a blocking request of an rt task gets
    // ALLOC_MIN_RESERVE: min 1000 halves to 500, free 700 passes.
    let z = zone(700, 1000);
    let mut plain = event(4);
    plain.evaluate(&x86(), &[z], alloc(0, GFP_KERNEL));
    assert_eq!(plain.verdict, Verdict::Exhaustion);
    let rt = Task {
        rt: true,
        ..Task::PLAIN
    };
    let mut e = event(4);
    e.evaluate(
        &x86(),
        &[z],
        Request {
            task: rt,
            ..alloc(0, GFP_KERNEL)
        },
    );
    assert!(e.zones()[0].decisive().ok);
    assert!(format!(
        "{}",
        oomfrag_engine::report::SummaryLine(&x86(), &e.summary())
    )
    .contains(" task=rt "));
}

#[test]
fn oom_victims_and_memalloc_replace_the_flags() {
    // __gfp_pfmemalloc_flags(): an OOM victim gets ALLOC_OOM (min halved,
    // high-atomic usable) instead of its own flags; PF_MEMALLOC gets
    // ALLOC_NO_WATERMARKS; __GFP_NOMEMALLOC refuses both.
    let victim = Task {
        oom_victim: true,
        ..Task::PLAIN
    };
    let c = slowpath_caps(&x86(), GFP_ATOMIC, 1, &victim);
    assert!(c.oom && !c.min_reserve && !c.non_block && !c.highatomic && !c.cpuset);
    let z = zone(700, 1000);
    let mut e = event(4);
    e.evaluate(
        &x86(),
        &[z],
        Request {
            task: victim,
            ..alloc(0, GFP_KERNEL)
        },
    );
    assert!(e.zones()[0].decisive().ok);
    let memalloc = Task {
        memalloc: true,
        ..Task::PLAIN
    };
    assert!(slowpath_caps(&x86(), GFP_KERNEL, 0, &memalloc).no_watermarks);
    assert!(!slowpath_caps(&x86(), GFP_KERNEL | GFP_NOMEMALLOC, 0, &memalloc).no_watermarks);
    assert!(slowpath_caps(&x86(), GFP_KERNEL | GFP_MEMALLOC, 0, &Task::PLAIN).no_watermarks);
}

#[test]
fn atomic_requests_ignore_the_cpuset() {
    // alloc_flags_slowpath(): non-blocking __GFP_HIGH drops ALLOC_CPUSET.
    let c = slowpath_caps(&x86(), GFP_ATOMIC, 0, &Task::PLAIN);
    assert!(!c.cpuset && !c.nodemask);
    let k = slowpath_caps(&x86(), GFP_KERNEL, 0, &Task::PLAIN);
    assert!(k.cpuset && k.nodemask);
}

#[test]
fn sysrq_is_judged_at_order_0_and_says_so() {
    let z = zone(700, 1000);
    let mut e = event(4);
    let req = Request {
        trigger: Trigger::Sysrq,
        order: Some(-1),
        zonelist: false,
        ..alloc(0, GFP_KERNEL)
    };
    e.evaluate(&x86(), &[z], req);
    assert_eq!(e.eval_order, 0);
    let l = format!(
        "{}",
        oomfrag_engine::report::SummaryLine(&x86(), &e.summary())
    );
    assert!(
        l.contains(" order=-1 gfp=0xcc0(GFP_KERNEL) eval_order=0 "),
        "{l}"
    );
}

/// `zone_watermark_fast()` scans no free list at order 0, so a zone whose
/// free counter is a page above a mark of 0 passes while its lists are
/// empty; `rmqueue()` then takes nothing from it.  Seen on an 8-node debug
/// guest (fixture x86_64-7.3-numa8-empty-lists-exhaustion-soak.log): node 0's
/// DMA32 had 2 MB managed, marks 0, free 4 kB and an all-zero buddy line.
#[test]
fn a_passing_zone_with_empty_lists_does_not_satisfy() {
    let p = x86();
    let mut tiny = ZoneSnapshot::empty(0, 1, ZoneKind::Dma32, 11);
    tiny.free = 1;
    tiny.lists_read = true;
    let mut exhausted = zone(177, 196);
    exhausted.node = 1;
    exhausted.lists_read = true;
    let judge = |tiny: &ZoneSnapshot| {
        let v = [tiny, &exhausted]
            .map(|z| zone_verdict(&p, z, 0, GFP_KERNEL, &Task::PLAIN, &NodeMask::ALL));
        (
            v[0].decisive().ok,
            v[0].passes_at(Stage::SlowPath),
            summarize(&v, 0, false),
        )
    };
    // The check passes, the lists are empty: exhaustion, not none.
    assert_eq!(judge(&tiny), (true, false, Verdict::Exhaustion));
    // Lists not read (a log without the zone's buddy line): the counters
    // are all there is, and they pass.
    let mut unread = tiny;
    unread.lists_read = false;
    assert_eq!(judge(&unread), (true, true, Verdict::None));
    // One free page on a list the request may take: it would succeed.
    let mut one = tiny;
    one.nr_free[0] = 1;
    one.nonempty[0] = Mt::Movable.bit();
    assert_eq!(judge(&one), (true, true, Verdict::None));
    // ... but not if that page is CMA and the request is not movable.
    one.nonempty[0] = Mt::Cma.bit();
    one.free_cma = 0;
    assert_eq!(judge(&one), (true, false, Verdict::Exhaustion));
}
