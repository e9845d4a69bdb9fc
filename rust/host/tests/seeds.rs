// SPDX-License-Identifier: GPL-2.0
//! The seeds' and the toolchain notes' real OOM reports as fixtures: each
//! report's numbers go in, the verdict a person reached by hand must come out.

mod common;
use common::*;
use oomfrag_engine::platform::Platform;
use oomfrag_engine::query::*;
use oomfrag_engine::report::*;
use oomfrag_engine::request::*;
use oomfrag_engine::verdict::*;
use oomfrag_engine::watermark::*;
use oomfrag_engine::zone::*;

/// Seed 002: 233 MB free in Normal, 231 MB of it CMA; a non-movable order-0
/// request (gfp 0x800d0, __GFP_RECLAIMABLE on 3.14) OOMs.
fn seed002() -> (Platform, [ZoneSnapshot; 2]) {
    let p = arm_highmem();
    let mut normal = zone_from_buddy(
        0,
        0,
        ZoneType::Normal,
        "1165*4kB (MRC) 1122*8kB (RC) 1119*16kB (RC) 1118*32kB (C) 1068*64kB (RC) \
         748*128kB (C) 0*256kB 0*512kB 0*1024kB 1*2048kB (R) 0*4096kB",
    );
    assert_eq!(normal.free, pages(233460));
    marks(&mut normal, 2488, 3108, 3732);
    normal.free_cma = pages(231116);
    normal.lowmem_reserve[..3].copy_from_slice(&[0, 10168, 10168]);
    let mut high = zone_from_buddy(
        0,
        1,
        ZoneType::Highmem,
        "99*4kB (M) 1148*8kB (UM) 1314*16kB (UM) 880*32kB (UM) 327*64kB (M) 87*128kB (M) \
         34*256kB (M) 38*512kB (M) 12*1024kB (M) 10*2048kB (M) 3*4096kB (M)",
    );
    marks(&mut high, 512, 2604, 4696);
    (p, [normal, high])
}

#[test]
fn seed002_non_movable_order0_is_cma() {
    let (p, zones) = seed002();
    let gfp = GFP_KERNEL | GFP_RECLAIMABLE;
    let v: Vec<_> = zones.iter().map(|z| zv(&p, z, 0, gfp)).collect();
    assert!(
        v[0].eligible && !v[1].eligible,
        "HighMem is above gfp_zone()"
    );
    assert!(!v[0].decisive().ok);
    assert_eq!(v[0].decisive().cause, Cause::Cma);
    // free - free_cma = 2344 kB, below min 2488 kB: the hand analysis.
    assert_eq!(pages(233460) - pages(231116), 586);
    assert_eq!(v[0].usable_free, 586);
    assert_eq!(summarize(&v, 0, false), Verdict::Cma);
}

#[test]
fn seed002_movable_request_would_pass() {
    let (p, zones) = seed002();
    let v = zv(&p, &zones[0], 0, GFP_KERNEL | GFP_MOVABLE);
    assert!(v.decisive().ok, "a movable request may use the CMA pages");
}

/// Seed 003: DMA 6524 kB free, min 1200 kB, largest block 128 kB (order 5).
fn seed003() -> (Platform, ZoneSnapshot) {
    let mut dma = zone_from_buddy(
        0,
        0,
        ZoneType::Dma,
        "411*4kB (U) 252*8kB (U) 113*16kB (U) 27*32kB (U) 1*64kB (U) 1*128kB (U) 0*256kB \
         0*512kB 0*1024kB 0*2048kB 0*4096kB",
    );
    assert_eq!(dma.free, pages(6524));
    marks(&mut dma, 1200, 1500, 1800);
    (arm_dma(), dma)
}

#[test]
fn seed003_orders_above_5_are_fragmentation() {
    let (p, dma) = seed003();
    for order in 0..=10u8 {
        let v = zv(&p, &dma, order, GFP_KERNEL);
        assert!(v.eligible);
        assert_eq!(v.largest_usable, Some(5));
        let s = summarize(&[v], order, false);
        if order <= 5 {
            assert!(v.decisive().ok, "order {order}");
            assert_eq!(s, Verdict::None);
        } else {
            assert_eq!(v.decisive().cause, Cause::Fragmentation, "order {order}");
            assert_eq!(s, Verdict::Fragmentation, "order {order}");
            // Most free memory is in blocks too small: the kernel's indices.
            assert!(
                v.unusable_index > 900,
                "order {order}: {}",
                v.unusable_index
            );
            assert!(v.frag_index > 500, "order {order}: {}", v.frag_index);
        }
    }
}

/// The notes' 768 MB cma=256M guest, GFP_KERNEL order 0.
fn notes_cma(dma32_non_cma_kb: u64) -> (Platform, [ZoneSnapshot; 2]) {
    let mut dma = zone_from_buddy(0, 0, ZoneType::Dma, "738*4kB (U)");
    marks(&mut dma, 68, 84, 100);
    dma.lowmem_reserve[..4].copy_from_slice(&[0, 731, 731, 731]);
    let mut dma32 = zone_from_buddy(0, 1, ZoneType::Dma32, "0*4kB");
    dma32.nr_free[0] = pages(dma32_non_cma_kb);
    dma32.nonempty[0] = MigrateType::Unmovable.bit() | MigrateType::Movable.bit();
    dma32.nr_free[10] = 64;
    dma32.nonempty[10] = MigrateType::Cma.bit();
    dma32.free = buddy_free_pages(&dma32);
    dma32.free_cma = pages(262144);
    marks(&mut dma32, 3412, 4264, 5116);
    (x86(), [dma, dma32])
}

#[test]
fn notes_cma_guest_dma_is_lowmem_reserve() {
    let (p, z) = notes_cma(2000);
    let v = zv(&p, &z[0], 0, GFP_KERNEL);
    assert_eq!(v.decisive().cause, Cause::LowmemReserve);
    assert_eq!(v.reserve, 731);
}

#[test]
fn notes_cma_guest_below_min_is_cma() {
    let (p, z) = notes_cma(2000);
    let v: Vec<_> = z.iter().map(|z| zv(&p, z, 0, GFP_KERNEL)).collect();
    assert_eq!(v[1].decisive().cause, Cause::Cma);
    assert_eq!(summarize(&v, 0, false), Verdict::Cma);
    // The same memory, asked for by a movable request, is fine.
    let m: Vec<_> = z
        .iter()
        .map(|z| zv(&p, z, 0, GFP_HIGHUSER_MOVABLE))
        .collect();
    assert_eq!(summarize(&m, 0, false), Verdict::None);
}

#[test]
fn notes_cma_guest_as_printed_has_drifted() {
    // As printed, the non-CMA part (10468 kB) was above high again.
    let (p, z) = notes_cma(10468);
    let mut e = event(64);
    let req = alloc(0, GFP_KERNEL);
    e.evaluate(&p, &z, req);
    assert_eq!(e.summary.verdict, Verdict::None);
    assert!(e.summary.drifted());
}

#[test]
fn notes_exhaustion_guest_is_exhaustion() {
    // GFP_HIGHUSER_MOVABLE hoard: DMA32 free 24 kB, min 3412 kB.
    let (p, mut z) = notes_cma(0);
    z[1] = zone_from_buddy(0, 1, ZoneType::Dma32, "2*4kB (M) 0*8kB 1*16kB (C)");
    z[1].free_cma = 4;
    marks(&mut z[1], 3412, 4264, 5116);
    let v: Vec<_> = z.iter().map(|z| zv(&p, z, 0, GFP_KERNEL)).collect();
    assert_eq!(v[1].decisive().cause, Cause::Exhaustion);
    assert_eq!(v[0].decisive().cause, Cause::LowmemReserve);
    // DMA's 2.9 MB behind lowmem_reserve would not have lifted the zones to
    // their high watermarks: this is exhaustion, not a reserve effect.
    assert_eq!(summarize(&v, 0, false), Verdict::Exhaustion);
}

#[test]
fn notes_fragmentation_guest_is_fragmentation() {
    let p = x86();
    let mut z = zone_from_buddy(
        0,
        1,
        ZoneType::Dma32,
        "14575*4kB (UM) 14573*8kB (UM) 14548*16kB (UM) 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB \
         0*1024kB 0*2048kB 0*4096kB",
    );
    marks(&mut z, 8912, 11140, 13368);
    let gfp = GFP_KERNEL | GFP_NOWARN;
    let v = zv(&p, &z, 3, gfp);
    assert_eq!(v.decisive().cause, Cause::Fragmentation);
    assert_eq!(v.largest_usable, Some(2));
    assert_eq!(summarize(&[v], 3, false), Verdict::Fragmentation);
    assert!(zv(&p, &z, 2, gfp).decisive().ok);
}

#[test]
fn memcg_is_never_a_zone_shortage() {
    let (p, z) = notes_cma(0);
    let v: Vec<_> = z.iter().map(|z| zv(&p, z, 0, GFP_KERNEL)).collect();
    assert_eq!(summarize(&v, 0, true), Verdict::Memcg);
}

#[test]
fn sysrq_is_judged_as_order0_kernel_request() {
    let (p, z) = seed003();
    let mut e = event(64);
    let req = Request {
        trigger: Trigger::Sysrq,
        order: Some(-1),
        gfp: Some(GFP_KERNEL),
        zonelist: true,
        ..Request::unknown(GFP_KERNEL)
    };
    e.evaluate(&p, &[z], req);
    assert_eq!(e.summary.eval_order, 0);
    assert_eq!(e.summary.eval_gfp, GFP_KERNEL);
    assert_eq!(e.summary.verdict, Verdict::None);
    assert!(
        !e.summary.drifted(),
        "a sysrq OOM has no failed allocation to drift from"
    );
}

#[test]
fn unknown_order_is_unknown_not_guessed() {
    // Order 2 would fail here, order 0 would pass: without the order the
    // data cannot decide, so the verdict says what is missing.
    let p = x86();
    let mut z = zone_from_buddy(0, 1, ZoneType::Dma32, "5000*4kB (U) 3000*8kB (M)");
    marks(&mut z, 400, 500, 600);
    let mut e = event(64);
    e.evaluate(&p, &[z], Request::unknown(GFP_KERNEL));
    assert_eq!(e.summary.eval_order, 0);
    assert_eq!(e.summary.verdict, Verdict::Unknown);
    assert!(e.summary.missing.contains(Unknown::Order));
    assert!(e.summary.missing.contains(Unknown::Gfp));
    let line = format!("{}", SummaryLine(&p, &e.summary));
    assert!(
        line.contains(" verdict=unknown missing=order,gfp order=unknown gfp=unknown "),
        "{line}"
    );
}

#[test]
fn between_min_and_high_is_read_from_the_last_chance_check() {
    // Memory came back after the slow path failed at min: DMA32's non-CMA
    // part (4000 kB) is above min (3412 kB) but below high (5116 kB), so
    // __alloc_pages_may_oom()'s high-watermark attempt (no ALLOC_CMA) is
    // what failed and invoked the OOM killer: still a cma verdict.
    let (p, z) = notes_cma(4000);
    let mut e = event(64);
    let req = alloc(0, GFP_KERNEL);
    e.evaluate(&p, &z, req);
    assert!(e.zones()[1].decisive().ok);
    assert!(!e.zones()[1].last_chance.ok);
    assert_eq!(e.summary.stage, Stage::LastChance);
    assert_eq!(e.summary.verdict, Verdict::Cma);
    assert!(!e.summary.drifted());
    // A query (no failed allocation behind it) is judged at min only.
    let mut q = event(64);
    q.evaluate(
        &p,
        &z,
        Request {
            trigger: Trigger::Query,
            ..req
        },
    );
    assert_eq!(
        (q.summary.stage, q.summary.verdict),
        (Stage::SlowPath, Verdict::None)
    );
}

#[test]
fn summary_line_format() {
    let (p, z) = notes_cma(2000);
    let mut e = event(64);
    let mut req = alloc(0, GFP_KERNEL);
    req.comm[..3].copy_from_slice(b"cat");
    req.pid = 42;
    e.evaluate(&p, &z, req);
    e.summary.seq = 7;
    let s = format!("{}", SummaryLine(&p, &e.summary));
    assert_eq!(
        s,
        "event=oom seq=7 trigger=alloc verdict=cma order=0 gfp=0xcc0(GFP_KERNEL) constraint=none \
         kill=1 comm=cat pid=42 zones=2 eligible=2 free_ineligible_kb=0 decided=min drift=0 \
         compute_ns=0"
    );
    let zl = format!("{}", ZoneLine(&p, &e.summary, &e.zones()[1]));
    assert!(
        zl.starts_with("event=zone seq=7 node=0 zone=DMA32 eligible=1 free_kb=264144 "),
        "{zl}"
    );
    assert!(
        zl.contains(" free_cma_kb=262144 highatomic_kb=0 usable_kb=2000 "),
        "{zl}"
    );
    assert!(
        zl.contains(" ok=0 ok_low=0 ok_high=0 ok_last=0 cause=cma "),
        "{zl}"
    );
}

#[test]
fn query_parser_rejects_hostile_input() {
    let p = x86();
    let ok = |n: u64| n == 0;
    let parse = |s: &str| parse_query(&p, s.as_bytes(), 11, GFP_KERNEL, ok);
    assert_eq!(
        parse("").unwrap(),
        QuerySpec {
            order: 0,
            gfp: GFP_KERNEL,
            node: None
        }
    );
    assert_eq!(
        parse(" gfp=GFP_KERNEL|__GFP_NOWARN\torder=3 node=0\n").unwrap(),
        QuerySpec {
            order: 3,
            gfp: GFP_KERNEL | GFP_NOWARN,
            node: Some(0)
        }
    );
    for bad in [
        "order=11",
        "order=-1",
        "order=",
        "order=0x",
        "order=1 order=1",
        "gfp=",
        "gfp=GFP_BOGUS",
        "gfp=__GFP_DMA|__GFP_DMA32",
        "gfp=0x100000000",
        "node=1",
        "node=99999999999",
        "x",
        "=",
        "order",
        "order=1\u{1}",
    ] {
        assert!(parse(bad).is_err(), "{bad:?} accepted");
    }
    assert_eq!(parse(&"a".repeat(QUERY_MAX + 1)), Err(QueryError::TooLong));
    assert_eq!(
        parse_query(&p, &[0xff, 0xfe], 11, GFP_KERNEL, ok),
        Err(QueryError::NotText)
    );
}

#[test]
fn nodemask_limits_the_eligible_zones() {
    // Two nodes; the request's mempolicy allows node 1 only, whose zone is
    // fragmented, while node 0 has plenty: the verdict is node 1's.
    let p = x86();
    let mut n0 = zone_from_buddy(0, 1, ZoneType::Dma32, "0*4kB 0*8kB 0*16kB 50*32kB (M)");
    marks(&mut n0, 40, 50, 60);
    let mut n1 = zone_from_buddy(1, 1, ZoneType::Dma32, "5000*4kB (U) 3000*8kB (M)");
    marks(&mut n1, 400, 500, 600);
    let req = alloc(3, GFP_KERNEL);
    let mut all = event(64);
    all.evaluate(&p, &[n0, n1], req);
    assert_eq!(all.summary.verdict, Verdict::None);
    let mut bound = event(64);
    bound.evaluate(
        &p,
        &[n0, n1],
        Request {
            nodes: NodeMask::single(1),
            ..req
        },
    );
    assert!(!bound.zones()[0].eligible && bound.zones()[1].eligible);
    assert_eq!(bound.summary.verdict, Verdict::Fragmentation);
    assert!(format!("{}", SummaryLine(&p, &bound.summary))
        .contains(" constraint=memory_policy nodemask=1 kill=1 "));
}
