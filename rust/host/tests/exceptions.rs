// SPDX-License-Identifier: GPL-2.0
//! The allocator's exceptions to its plain watermark rule, each a case
//! where the plain rule would give the wrong verdict: the boost exception
//! of `zone_watermark_fast()`, the task flags of `alloc_flags_slowpath()`
//! and `__gfp_pfmemalloc_flags()`, the last-chance attempt of a movable
//! request, and counterfactual causes (mm/page_alloc.c, 7.3).

mod common;
use common::*;
use oomfrag_engine::alloc_flags::slowpath_flags;
use oomfrag_engine::request::*;
use oomfrag_engine::task::Task;
use oomfrag_engine::verdict::*;
use oomfrag_engine::watermark::*;
use oomfrag_engine::zone::*;

/// A Normal zone with `free` pages in order-0 unmovable blocks.
fn zone(free: u64, min: u64) -> ZoneSnapshot {
    let mut z = ZoneSnapshot::empty(0, 2, ZoneType::Normal, 11);
    z.nr_free[0] = free;
    z.nonempty[0] = MigrateType::Unmovable.bit();
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
    let caps = slowpath_flags(&x86(), gfp, 0, &Task::PLAIN);
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
    assert_eq!(f.summary.verdict, Verdict::Exhaustion);
    let mut b = zone(1200, 1000);
    b.boost = 600;
    f.evaluate(&x86(), &[b], alloc(0, GFP_KERNEL));
    assert_eq!(f.zones()[0].decisive().cause, Cause::Boost);
    assert_eq!(f.summary.verdict, Verdict::Boost);
}

#[test]
fn movable_request_is_never_blamed_on_cma() {
    // Memory came back after the failure: the zone passes at min for a
    // movable request (CMA counted), and fails the last-chance attempt
    // (ac->alloc_flags has no ALLOC_CMA) only because of CMA.  The request
    // may use CMA: the verdict must not be cma, but last_chance_cma.
    let mut z = zone(3000, 1000);
    z.free_cma = 2500;
    z.nr_free[9] = 5;
    z.nonempty[9] = MigrateType::Cma.bit();
    z.free += 5 * 512;
    z.free_cma += 5 * 512;
    let mut e = event(4);
    e.evaluate(&x86(), &[z], alloc(0, GFP_HIGHUSER_MOVABLE));
    assert_ne!(e.summary.verdict, Verdict::Cma);
    assert_eq!(e.summary.verdict, Verdict::LastChanceCma);
    // The same zone for a GFP_KERNEL request: cma is right.
    let mut k = event(4);
    k.evaluate(&x86(), &[z], alloc(0, GFP_KERNEL));
    assert_eq!(k.summary.verdict, Verdict::Cma);
}

#[test]
fn causes_are_counterfactual() {
    // 1024 free pages, all CMA, min 100, lowmem_reserve 2000 against the
    // request's highest zone.  Without the reserve it still fails on CMA;
    // with CMA it still fails on the reserve: neither alone is the cause.
    let mut z = ZoneSnapshot::empty(0, 1, ZoneType::Dma32, 11);
    z.nr_free[0] = 1024;
    z.nonempty[0] = MigrateType::Cma.bit();
    z.free = 1024;
    z.free_cma = 1024;
    z.wmark = [100, 125, 150];
    z.lowmem_reserve[2] = 2000;
    let caps = slowpath_flags(&x86(), GFP_KERNEL, 0, &Task::PLAIN);
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
    assert_eq!(plain.summary.verdict, Verdict::Exhaustion);
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
        oomfrag_engine::report::SummaryLine(&x86(), &e.summary)
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
    let c = slowpath_flags(&x86(), GFP_ATOMIC, 1, &victim);
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
    assert!(slowpath_flags(&x86(), GFP_KERNEL, 0, &memalloc).no_watermarks);
    assert!(!slowpath_flags(&x86(), GFP_KERNEL | GFP_NOMEMALLOC, 0, &memalloc).no_watermarks);
    assert!(slowpath_flags(&x86(), GFP_KERNEL | GFP_MEMALLOC, 0, &Task::PLAIN).no_watermarks);
}

#[test]
fn atomic_requests_ignore_the_cpuset() {
    // alloc_flags_slowpath(): non-blocking __GFP_HIGH drops ALLOC_CPUSET.
    let c = slowpath_flags(&x86(), GFP_ATOMIC, 0, &Task::PLAIN);
    assert!(!c.cpuset && !c.nodemask);
    let k = slowpath_flags(&x86(), GFP_KERNEL, 0, &Task::PLAIN);
    assert!(k.cpuset && k.nodemask);
}

#[test]
fn sysrq_is_judged_at_order_0_and_says_so() {
    let z = zone(700, 1000);
    let mut e = event(4);
    // moom_callback() (drivers/tty/sysrq.c): order -1, GFP_KERNEL, zonelist
    // node_zonelist(first_memory_node, gfp_mask).
    let req = Request {
        trigger: Trigger::Sysrq,
        order: Some(-1),
        zonelist: true,
        ..alloc(0, GFP_KERNEL)
    };
    e.evaluate(&x86(), &[z], req);
    assert_eq!(e.summary.eval_order, 0);
    let l = format!(
        "{}",
        oomfrag_engine::report::SummaryLine(&x86(), &e.summary)
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
    let mut tiny = ZoneSnapshot::empty(0, 1, ZoneType::Dma32, 11);
    tiny.free = 1;
    tiny.lists_read = true;
    let mut exhausted = zone(177, 196);
    exhausted.node = 1;
    exhausted.lists_read = true;
    let ac = AllocContext::new(&p, 0, GFP_KERNEL, &Task::PLAIN);
    let judge = |tiny: &ZoneSnapshot| {
        let v = [tiny, &exhausted].map(|z| zone_verdict(&p, z, &ac, &Task::PLAIN, &NodeMask::ALL));
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
    one.nonempty[0] = MigrateType::Movable.bit();
    assert_eq!(judge(&one), (true, true, Verdict::None));
    // ... but not if that page is CMA and the request is not movable.
    one.nonempty[0] = MigrateType::Cma.bit();
    one.free_cma = 0;
    assert_eq!(judge(&one), (true, false, Verdict::Exhaustion));
}

fn summary_line(e: &oomfrag_engine::event::Event<Vec<ZoneVerdict>>) -> String {
    format!(
        "{}",
        oomfrag_engine::report::SummaryLine(&x86(), &e.summary)
    )
}

#[test]
fn kswapd_calls_are_judged_as_plain_requests() {
    // kswapd() runs with PF_MEMALLOC | PF_KSWAPD (mm/vmscan.c); MGLRU's
    // lru_gen_age_node() calls out_of_memory() with no failed allocation.
    // The task's PF_MEMALLOC would give ALLOC_NO_WATERMARKS and pass every
    // zone: the call is judged as a plain GFP_KERNEL request at order 0.
    let z = zone(100, 1000);
    let kswapd = Task {
        memalloc: true,
        kswapd: true,
        ..Task::PLAIN
    };
    let mut e = event(4);
    let req = Request {
        trigger: Trigger::Kswapd,
        zonelist: false,
        task: kswapd,
        ..alloc(0, GFP_KERNEL)
    };
    e.evaluate(&x86(), &[z], req);
    assert_eq!(e.summary.verdict, Verdict::Exhaustion);
    assert_eq!(e.summary.stage, Stage::SlowPath);
    assert_eq!(e.zones()[0].decisive().cause, Cause::Exhaustion);
    let l = summary_line(&e);
    assert!(l.contains(" verdict=exhaustion "), "{l}");
    // The summary still says what the calling task was.
    assert!(l.contains(" task=memalloc "), "{l}");
    assert!(l.contains(" decided=min drift=0 "), "{l}");
    // Nor do an rt or OOM-victim flag of sysrq's worker change the rules:
    // 700 free stays below min 1000 (no ALLOC_MIN_RESERVE, no ALLOC_OOM).
    let worker = Task {
        rt: true,
        oom_victim: true,
        ..Task::PLAIN
    };
    let sysrq = Request {
        trigger: Trigger::Sysrq,
        order: Some(-1),
        task: worker,
        ..alloc(0, GFP_KERNEL)
    };
    e.evaluate(&x86(), &[zone(700, 1000)], sysrq);
    assert_eq!(e.summary.verdict, Verdict::Exhaustion);
    // kswapd's oc.order is 0 (oom_control zero-initialised), and so is the
    // order judged even if a capture said otherwise.
    e.evaluate(
        &x86(),
        &[zone(5000, 1000)],
        Request {
            order: Some(-1),
            ..req
        },
    );
    assert_eq!(
        (e.summary.eval_order, e.summary.verdict),
        (0, Verdict::None)
    );
}

#[test]
fn the_last_chance_counts_no_cma() {
    // __alloc_pages_may_oom() tries ac->alloc_flags | ALLOC_WMARK_HIGH |
    // ALLOC_CPUSET, and ac->alloc_flags holds no ALLOC_CMA: 3000 free, 2500
    // of them CMA, leaves 500 <= high 750 even for a movable request.
    let mut z = zone(3000, 500);
    z.free_cma = 2500;
    assert_eq!(z.wmark, [500, 625, 750]);
    let mut e = event(4);
    e.evaluate(&x86(), &[z], alloc(0, GFP_HIGHUSER_MOVABLE));
    // The slow path (ALLOC_CMA) passes: 3000 > 500.
    assert!(e.zones()[0].passes_at(Stage::SlowPath));
    assert!(!e.zones()[0].last_chance.ok);
    // The request may use CMA: not `cma`, but the last chance's want of it.
    assert_eq!(e.zones()[0].last_chance.cause, Cause::LastChanceCma);
    assert_eq!(e.summary.verdict, Verdict::LastChanceCma);
    assert_eq!(e.summary.stage, Stage::LastChance);
    assert!(!e.summary.drifted());
    let l = summary_line(&e);
    assert!(
        l.contains(" verdict=last_chance_cma ") && l.contains(" decided=last_chance drift=0 "),
        "{l}"
    );
    let zl = format!(
        "{}",
        oomfrag_engine::report::ZoneLine(&x86(), &e.summary, &e.zones()[0])
    );
    assert!(
        zl.contains(" ok=1 ") && zl.contains(" ok_last=0 cause=last_chance_cma "),
        "{zl}"
    );
    // The same zone for GFP_KERNEL, which may not use CMA: its slow path
    // fails already (500 <= 500), for CMA.
    let mut k = event(4);
    k.evaluate(&x86(), &[z], alloc(0, GFP_KERNEL));
    assert_eq!(
        (k.summary.stage, k.summary.verdict),
        (Stage::SlowPath, Verdict::Cma)
    );
    // Enough non-CMA memory for the high mark: the last chance passes, and
    // the failure has drifted.
    let mut more = zone(3300, 500);
    more.free_cma = 2500;
    let mut m = event(4);
    m.evaluate(&x86(), &[more], alloc(0, GFP_HIGHUSER_MOVABLE));
    assert_eq!(m.summary.verdict, Verdict::None);
    assert!(m.summary.drifted());
}

#[test]
fn alloc_failures_that_reached_may_oom_made_the_last_chance() {
    // A GFP_KERNEL|GFP_DMA32 request reaches __alloc_pages_may_oom(), whose
    // attempt at high fails, then returns for "ac->highest_zoneidx <
    // ZONE_NORMAL" and the allocation fails (warn_alloc()): 1200 free
    // passes min 1000 now, not high 1500.
    let mut z = ZoneSnapshot::empty(0, 1, ZoneType::Dma32, 11);
    z.nr_free[0] = 1200;
    z.nonempty[0] = MigrateType::Unmovable.bit();
    z.lists_read = true;
    z.free = 1200;
    z.wmark = [1000, 1250, 1500];
    let failure = |gfp: u32, order: i32| Request {
        trigger: Trigger::AllocFailure,
        ..alloc(order, gfp)
    };
    let mut e = event(4);
    e.evaluate(&x86(), &[z], failure(GFP_KERNEL | GFP_DMA32, 0));
    assert_eq!(
        (e.summary.stage, e.summary.verdict),
        (Stage::LastChance, Verdict::Exhaustion)
    );
    let l = summary_line(&e);
    assert!(
        l.contains(" verdict=exhaustion ") && l.contains(" decided=last_chance drift=0 "),
        "{l}"
    );
    // __GFP_RETRY_MAYFAIL and __GFP_THISNODE return after the attempt too.
    for extra in [GFP_RETRY_MAYFAIL, GFP_THISNODE] {
        e.evaluate(&x86(), &[z], failure(GFP_KERNEL | GFP_DMA32 | extra, 0));
        assert_eq!(e.summary.stage, Stage::LastChance);
    }
    // Requests that never got there (__alloc_pages_slowpath()): no direct
    // reclaim, __GFP_NORETRY, a costly order without __GFP_RETRY_MAYFAIL, a
    // PF_MEMALLOC task (with __GFP_NOMEMALLOC, so its flags stay plain).
    // Their last check was the slow path's, which passes now: drift.
    let memalloc = Task {
        memalloc: true,
        ..Task::PLAIN
    };
    let never = [
        failure(GFP_NOWAIT | GFP_DMA32, 0),
        failure(GFP_KERNEL | GFP_DMA32 | GFP_NORETRY, 0),
        failure(GFP_KERNEL | GFP_DMA32, 4),
        Request {
            task: memalloc,
            ..failure(GFP_KERNEL | GFP_DMA32 | GFP_NOMEMALLOC, 0)
        },
    ];
    for req in never {
        let mut z = z;
        // Blocks of every order, so the costly order passes at min too.
        z.nr_free[4] = 1;
        z.nonempty[4] = MigrateType::Unmovable.bit();
        z.free += 16;
        e.evaluate(&x86(), &[z], req);
        assert!(!req.made_last_chance(), "{req:?}");
        assert_eq!(
            (e.summary.stage, e.summary.verdict),
            (Stage::SlowPath, Verdict::None),
            "{req:?}"
        );
        assert!(e.summary.drifted());
    }
}

#[test]
fn reaching_may_oom_follows_the_slow_path() {
    use oomfrag_engine::alloc_flags::reaches_may_oom;
    let p = Task::PLAIN;
    assert!(reaches_may_oom(GFP_KERNEL, 0, &p));
    assert!(reaches_may_oom(GFP_KERNEL, 3, &p));
    assert!(reaches_may_oom(GFP_NOFS, 0, &p));
    assert!(reaches_may_oom(GFP_KERNEL | GFP_RETRY_MAYFAIL, 2, &p));
    // "if (!can_direct_reclaim) goto nopage;"
    assert!(!reaches_may_oom(GFP_ATOMIC, 0, &p));
    // "if (gfp_mask & __GFP_NORETRY) goto nopage;"
    assert!(!reaches_may_oom(GFP_KERNEL | GFP_NORETRY, 0, &p));
    // "if (costly_order && (!can_compact || !(gfp_mask & __GFP_RETRY_MAYFAIL)))"
    assert!(!reaches_may_oom(GFP_KERNEL, 4, &p));
    // "if (current->flags & PF_MEMALLOC) goto nopage;"
    let m = Task {
        memalloc: true,
        ..Task::PLAIN
    };
    assert!(!reaches_may_oom(GFP_KERNEL | GFP_NOMEMALLOC, 0, &m));
    // An OOM victim gets ALLOC_OOM and goes on to the OOM killer's call.
    let v = Task {
        oom_victim: true,
        ..Task::PLAIN
    };
    assert!(reaches_may_oom(GFP_KERNEL, 0, &v));
}

#[test]
fn the_boost_exception_follows_the_flags_watermark() {
    // zone_watermark_fast() ignores the boost for an order-0
    // ALLOC_MIN_RESERVE request whose flags check WMARK_MIN
    // ("(alloc_flags & ALLOC_WMARK_MASK) == WMARK_MIN"), whatever mark it is
    // handed: get_page_from_freelist() first hands it high_wmark_pages().
    // Free 700 fails (low 1250 + boost 600) / 2 and (1500 + 600) / 2, passes
    // the unboosted min 1000 / 2.
    let mut z = zone(700, 1000);
    z.boost = 600;
    let v = zv(&x86(), &z, 0, GFP_KERNEL | GFP_HIGH);
    assert!(v.decisive().ok);
    assert!(v.ok_low && v.ok_high);
    // The last chance checks WMARK_HIGH without ALLOC_MIN_RESERVE: no
    // exception.
    assert!(!v.last_chance.ok);
    // Flags that check WMARK_HIGH get no exception, even with
    // ALLOC_MIN_RESERVE.
    let mut high = slowpath_flags(&x86(), GFP_KERNEL | GFP_HIGH, 0, &Task::PLAIN);
    assert_eq!(high.wmark, Wmark::Min);
    assert!(zone_watermark_fast(&x86(), &z, 0, Wmark::High, 2, &high));
    high.wmark = Wmark::High;
    assert!(!zone_watermark_fast(&x86(), &z, 0, Wmark::High, 2, &high));
    // Without __GFP_HIGH, no exception at any mark.
    let plain = zv(&x86(), &z, 0, GFP_KERNEL);
    assert!(!plain.decisive().ok && !plain.ok_low && !plain.ok_high);
}

#[test]
fn what_the_data_lacks_is_said_by_the_engine() {
    // The engine, not its callers, says what a report lacks.
    let p = x86();
    let mut z = zone_from_buddy(0, 1, ZoneType::Dma32, "10*4kB (U) 0*8kB");
    marks(&mut z, 400, 500, 600);
    let mut e = event(4);
    // No zone read at all (a log cut before its zone lines).
    e.evaluate(&p, &[], alloc(0, GFP_KERNEL));
    assert_eq!(e.summary.verdict, Verdict::Unknown);
    assert!(e.summary.missing.contains(Unknown::Zones));
    // A zone without its buddy line: its counters decide order 0 ...
    let mut unread = z;
    unread.lists_read = false;
    e.evaluate(&p, &[unread], alloc(0, GFP_KERNEL));
    assert_eq!(
        (e.summary.verdict, e.summary.missing),
        (Verdict::Exhaustion, Missing::NONE)
    );
    // ... but not a higher order, where the lists decide.
    e.evaluate(&p, &[unread], alloc(1, GFP_KERNEL));
    assert_eq!(e.summary.verdict, Verdict::Unknown);
    assert!(e.summary.missing.contains(Unknown::Buddy));
    let l = summary_line(&e);
    assert!(l.contains(" verdict=unknown missing=buddy order=1 "), "{l}");
    // The same zone with its lists read is judged.
    e.evaluate(&p, &[z], alloc(1, GFP_KERNEL));
    assert_eq!(e.summary.verdict, Verdict::Exhaustion);
}

#[test]
fn a_page_fault_oom_judges_no_request_and_kills() {
    // pagefault_out_of_memory() before 5.16: out_of_memory() with
    // gfp_mask 0, order 0 and no zonelist.  No allocation failed, so no
    // zone is blamed; and its check was "oc->gfp_mask && !(oc->gfp_mask &
    // __GFP_FS)", which mask 0 passes: it killed.
    let p = x86();
    let mut z = zone_from_buddy(0, 1, ZoneType::Dma32, "10*4kB (U)");
    marks(&mut z, 400, 500, 600);
    let req = Request {
        trigger: Trigger::PageFault,
        zonelist: false,
        ..alloc(0, 0)
    };
    let mut e = event(4);
    e.evaluate(&p, &[z], req);
    assert_eq!(e.summary.verdict, Verdict::Unknown);
    assert!(e.summary.missing.contains(Unknown::Request));
    assert_eq!(e.summary.kill, oomfrag_engine::oom::Kill::Yes);
    let l = summary_line(&e);
    assert!(
        l.contains("trigger=page_fault verdict=unknown missing=request "),
        "{l}"
    );
    assert!(l.contains(" kill=1 "), "{l}");
    // 7.3's rule for any other mask without __GFP_FS: no kill.
    e.evaluate(&p, &[z], alloc(0, GFP_NOFS & !GFP_FS));
    assert_eq!(
        e.summary.kill,
        oomfrag_engine::oom::Kill::No(oomfrag_engine::oom::NoKill::NoFs)
    );
}

#[test]
fn a_log_without_a_request_says_request_missing_and_kill_unknown() {
    // A Mem-Info block with no first line: no order, no mask, and not even
    // whether out_of_memory() ran.  The engine is told so
    // (Request::shown false) and decides the words itself.
    let p = x86();
    let mut z = zone_from_buddy(0, 1, ZoneType::Dma32, "10*4kB (U)");
    marks(&mut z, 400, 500, 600);
    let unseen = Request {
        order: None,
        gfp: None,
        ..Request::unknown(GFP_KERNEL)
    };
    let req = Request {
        shown: false,
        ..unseen
    };
    let mut e = event(4);
    e.evaluate(&p, &[z], req);
    assert_eq!(e.summary.verdict, Verdict::Unknown);
    let missing: Vec<Unknown> = e.summary.missing.iter().collect();
    assert_eq!(missing, [Unknown::Request]);
    assert_eq!(
        e.summary.kill,
        oomfrag_engine::oom::Kill::Unknown(oomfrag_engine::oom::Undecided::NoRequest)
    );
    // Its zones are still judged, at order 0 with the fallback mask.
    assert_eq!((e.summary.eval_order, e.summary.eval_gfp), (0, GFP_KERNEL));
    assert_eq!(e.zones()[0].decisive().cause, Cause::Exhaustion);
    let l = summary_line(&e);
    assert!(
        l.contains(
            "trigger=unknown verdict=unknown missing=request order=unknown gfp=unknown eval_order=0 eval_gfp=0xcc0(GFP_KERNEL) "
        ),
        "{l}"
    );
    assert!(l.contains(" kill=unknown reason=no_request "), "{l}");
    // Nothing the request would carry decides the kill: not even a
    // notifier's freed pages.
    e.evaluate(&p, &[z], Request { freed: 5, ..req });
    assert_eq!(
        e.summary.kill,
        oomfrag_engine::oom::Kill::Unknown(oomfrag_engine::oom::Undecided::NoRequest)
    );
    // The module's own uncaptured request (no kprobe) is unchanged: the
    // OOM killer ran, its order and mask are what is missing, and the kill
    // is judged with the fallback mask.
    e.evaluate(&p, &[z], unseen);
    let missing: Vec<Unknown> = e.summary.missing.iter().collect();
    assert_eq!(missing, [Unknown::Order, Unknown::Gfp]);
    assert_eq!(e.summary.kill, oomfrag_engine::oom::Kill::Yes);
    let l = summary_line(&e);
    assert!(
        l.contains("trigger=unknown verdict=unknown missing=order,gfp "),
        "{l}"
    );
}
