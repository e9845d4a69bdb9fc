// SPDX-License-Identifier: GPL-2.0

//! The vectors that are not a fixture's report: the machines of the
//! seeds', constraint and exception tests in rust/host/tests (seeds.rs,
//! constraints.rs, exceptions.rs), each with what its test states by hand
//! (the kernel rule it cites is in that test).  The requests are the
//! engine's own (`Request`, `Task`); the zones are built as those tests
//! build them.

use super::{Hand, Input};
use oomfrag_engine::gfp_types::{
    DMA32, FS, HIGH, HIGHMEM, HIGHUSER_MOVABLE, KERNEL, NOFS, NOMEMALLOC, NORETRY, NOWAIT,
    RETRY_MAYFAIL, THISNODE, USER,
};
use oomfrag_engine::oom::{Constraint, Kill, NoKill, Undecided};
use oomfrag_engine::platform::Platform;
use oomfrag_engine::request::{Request, Trigger};
use oomfrag_engine::task::{Cpuset, Task};
use oomfrag_engine::verdict::{Stage, Unknown, Verdict};
use oomfrag_engine::watermark::Cause;
use oomfrag_engine::zone::{MigrateType, NodeMask, ZoneSnapshot, ZoneType};

const SEEDS: &str = "rust/host/tests/seeds.rs";
const CONSTRAINTS: &str = "rust/host/tests/constraints.rs";
const EXCEPTIONS: &str = "rust/host/tests/exceptions.rs";

/// Seed 003 (a 2.6 ARM board's report without an order) at each order:
/// its DMA zone's largest block is order 5, with plenty free, so orders up
/// to 5 pass and the ones above are fragmentation (seeds.rs,
/// `seed003_orders_above_5_are_fragmentation`), judged as queries (the
/// slow path's check only).
pub fn seed003_orders(seed: &Input) -> Vec<Input> {
    (0..seed.zones[0].nr_orders)
        .map(|o| Input {
            name: format!("seed003-order{o}"),
            from: format!(
                "{SEEDS} seed003_orders_above_5_are_fragmentation, the zones of {}",
                seed.from
            ),
            request: Request {
                trigger: Trigger::Query,
                order: Some(i32::from(o)),
                ..seed.request
            },
            hand: Hand {
                verdict: Some(if o <= 5 {
                    Verdict::None
                } else {
                    Verdict::Fragmentation
                }),
                stage: Some(Stage::SlowPath),
                ..Hand::default()
            },
            ..seed.clone()
        })
        .collect()
}

/// The x86-64 test kernel: DMA=0, DMA32=1, Normal=2, Movable=3.
fn x86() -> Platform {
    Platform {
        zone_idx: [Some(0), Some(1), Some(2), None, Some(3), None],
        cma: true,
        mobility_disabled: false,
        page_shift: 12,
        numa: true,
    }
}

fn pages(kb: u64) -> u64 {
    kb / 4
}

fn marks(z: &mut ZoneSnapshot, min: u64, low: u64, high: u64) {
    z.wmark = [pages(min), pages(low), pages(high)];
}

fn buddy_free(z: &ZoneSnapshot) -> u64 {
    (0..z.orders()).map(|o| z.nr_free[o] << o).sum()
}

/// constraints.rs `normal()`: a node's Normal zone with `free_kb` free in
/// order-0..3 blocks of movable and unmovable pages, min 4 MB.
fn normal(node: u16, free_kb: u64) -> ZoneSnapshot {
    let mut z = ZoneSnapshot::empty(node, 2, ZoneType::Normal, 11);
    let p = pages(free_kb);
    for o in 0..4 {
        z.nr_free[o] = (p / 4) >> o;
        z.nonempty[o] = MigrateType::Unmovable.bit() | MigrateType::Movable.bit();
    }
    z.free = buddy_free(&z);
    z.present = 262144;
    marks(&mut z, 4096, 5120, 6144);
    z
}

/// exceptions.rs `zone()`: a Normal zone with `free` pages in order-0
/// unmovable blocks.
fn flat(free: u64, min: u64) -> ZoneSnapshot {
    let mut z = ZoneSnapshot::empty(0, 2, ZoneType::Normal, 11);
    z.nr_free[0] = free;
    z.nonempty[0] = MigrateType::Unmovable.bit();
    z.free = free;
    z.wmark = [min, min * 5 / 4, min * 3 / 2];
    z
}

/// seeds.rs's `5000*4kB (U) 3000*8kB (M)` DMA32 zone (min 400 kB), with
/// other counts.
fn dma32(node: u16, order0: u64, order1: u64) -> ZoneSnapshot {
    let mut z = ZoneSnapshot::empty(node, 1, ZoneType::Dma32, 11);
    z.nr_free[0] = order0;
    z.nonempty[0] = if order0 > 0 {
        MigrateType::Unmovable.bit()
    } else {
        0
    };
    z.nr_free[1] = order1;
    z.nonempty[1] = if order1 > 0 {
        MigrateType::Movable.bit()
    } else {
        0
    };
    z.free = buddy_free(&z);
    z.lists_read = true;
    marks(&mut z, 400, 500, 600);
    z
}

/// seeds.rs `notes_cma()`: the notes' 768 MB cma=256M guest.
fn notes_cma(dma32_non_cma_kb: u64) -> Vec<ZoneSnapshot> {
    let mut dma = ZoneSnapshot::empty(0, 0, ZoneType::Dma, 11);
    dma.nr_free[0] = 738;
    dma.nonempty[0] = MigrateType::Unmovable.bit();
    dma.free = 738;
    dma.lists_read = true;
    marks(&mut dma, 68, 84, 100);
    dma.lowmem_reserve[..4].copy_from_slice(&[0, 731, 731, 731]);
    let mut z = ZoneSnapshot::empty(0, 1, ZoneType::Dma32, 11);
    z.nr_free[0] = pages(dma32_non_cma_kb);
    z.nonempty[0] = MigrateType::Unmovable.bit() | MigrateType::Movable.bit();
    z.nr_free[10] = 64;
    z.nonempty[10] = MigrateType::Cma.bit();
    z.free = buddy_free(&z);
    z.free_cma = pages(262144);
    z.lists_read = true;
    marks(&mut z, 3412, 4264, 5116);
    vec![dma, z]
}

/// constraints.rs `in_cpuset()`: a cgroup v2 cpuset of `mems`.
fn in_cpuset(mems: &[u16]) -> Task {
    let mut m = NodeMask::NONE;
    for &n in mems {
        m.set(n);
    }
    Task {
        cpuset: Cpuset {
            enabled: true,
            mems_allowed: m,
            hardwall: m,
            softwall: NodeMask::ALL,
        },
        ..Task::PLAIN
    }
}

fn alloc(order: i32, gfp: u32) -> Request {
    Request {
        trigger: Trigger::Alloc,
        order: Some(order),
        gfp: Some(gfp),
        ..Request::unknown(KERNEL)
    }
}

fn query(order: i32, gfp: u32) -> Request {
    Request {
        trigger: Trigger::Query,
        ..alloc(order, gfp)
    }
}

fn verdict(v: Verdict) -> Hand {
    Hand {
        verdict: Some(v),
        ..Hand::default()
    }
}

struct Cases(Vec<Input>);

impl Cases {
    fn add(
        &mut self,
        name: &str,
        from: &str,
        zones: &[ZoneSnapshot],
        request: Request,
        hand: Hand,
    ) {
        self.on(x86(), name, from, zones, request, hand);
    }

    fn on(
        &mut self,
        platform: Platform,
        name: &str,
        from: &str,
        zones: &[ZoneSnapshot],
        request: Request,
        hand: Hand,
    ) {
        self.0.push(Input {
            name: name.into(),
            from: from.into(),
            platform,
            zones: zones.to_vec(),
            request,
            hand,
        });
    }
}

/// Every case.
pub fn cases() -> Vec<Input> {
    let mut c = Cases(Vec::new());
    seeds(&mut c);
    constraints(&mut c);
    exceptions(&mut c);
    c.0
}

fn seeds(c: &mut Cases) {
    let z = notes_cma(2000);
    let t = format!("{SEEDS} notes_cma_guest_below_min_is_cma");
    c.add(
        "notes-cma-kernel",
        &t,
        &z,
        alloc(0, KERNEL),
        Hand {
            verdict: Some(Verdict::Cma),
            causes: Some(vec![Cause::LowmemReserve, Cause::Cma]),
            ..Hand::default()
        },
    );
    c.add(
        "notes-cma-movable",
        &t,
        &z,
        query(0, HIGHUSER_MOVABLE),
        verdict(Verdict::None),
    );
    c.add(
        "notes-cma-memcg",
        &format!("{SEEDS} memcg_is_never_a_zone_shortage"),
        &notes_cma(0),
        Request {
            trigger: Trigger::Memcg,
            ..alloc(0, KERNEL)
        },
        Hand {
            verdict: Some(Verdict::Memcg),
            constraint: Some(Constraint::Memcg),
            ..Hand::default()
        },
    );
    let t = format!("{SEEDS} between_min_and_high_is_read_from_the_last_chance_check");
    c.add(
        "notes-cma-last-chance",
        &t,
        &notes_cma(4000),
        alloc(0, KERNEL),
        Hand {
            verdict: Some(Verdict::Cma),
            stage: Some(Stage::LastChance),
            ..Hand::default()
        },
    );
    c.add(
        "notes-cma-last-chance-query",
        &t,
        &notes_cma(4000),
        query(0, KERNEL),
        Hand {
            verdict: Some(Verdict::None),
            stage: Some(Stage::SlowPath),
            ..Hand::default()
        },
    );
    c.add(
        "notes-cma-drifted",
        &format!("{SEEDS} notes_cma_guest_as_printed_has_drifted"),
        &notes_cma(10468),
        alloc(0, KERNEL),
        verdict(Verdict::None),
    );
    c.add(
        "unknown-order-and-gfp",
        &format!("{SEEDS} unknown_order_is_unknown_not_guessed"),
        &[dma32(0, 5000, 3000)],
        Request::unknown(KERNEL),
        Hand {
            verdict: Some(Verdict::Unknown),
            missing: Some(vec![Unknown::Order, Unknown::Gfp]),
            ..Hand::default()
        },
    );
    let t = format!("{SEEDS} nodemask_limits_the_eligible_zones");
    let mut n0 = ZoneSnapshot::empty(0, 1, ZoneType::Dma32, 11);
    n0.nr_free[3] = 50;
    n0.nonempty[3] = MigrateType::Movable.bit();
    n0.free = buddy_free(&n0);
    n0.lists_read = true;
    marks(&mut n0, 40, 50, 60);
    let n1 = dma32(1, 5000, 3000);
    c.add(
        "nodemask-all",
        &t,
        &[n0, n1],
        alloc(3, KERNEL),
        verdict(Verdict::None),
    );
    c.add(
        "nodemask-node1",
        &t,
        &[n0, n1],
        Request {
            nodes: NodeMask::single(1),
            ..alloc(3, KERNEL)
        },
        Hand {
            verdict: Some(Verdict::Fragmentation),
            constraint: Some(Constraint::MemoryPolicy),
            ..Hand::default()
        },
    );
}

fn constraints(c: &mut Cases) {
    let two = [normal(0, 486 * 1024), normal(1, 2048)];
    c.add(
        "cpuset-hardwall",
        &format!("{CONSTRAINTS} hardwall_cpuset_judges_only_its_nodes"),
        &two,
        Request {
            task: in_cpuset(&[1]),
            ..alloc(0, HIGHUSER_MOVABLE)
        },
        Hand {
            verdict: Some(Verdict::Exhaustion),
            constraint: Some(Constraint::Cpuset),
            ..Hand::default()
        },
    );
    c.add(
        "cpuset-softwall-v2",
        &format!("{CONSTRAINTS} softwall_request_may_leave_a_v2_cpuset"),
        &two,
        Request {
            task: in_cpuset(&[1]),
            ..alloc(0, KERNEL)
        },
        Hand {
            verdict: Some(Verdict::Exhaustion),
            stage: Some(Stage::LastChance),
            constraint: Some(Constraint::None),
            ..Hand::default()
        },
    );
    c.add(
        "mempolicy-node1",
        &format!("{CONSTRAINTS} mempolicy_nodemask_is_memory_policy"),
        &two,
        Request {
            nodes: NodeMask::single(1),
            ..alloc(0, HIGHUSER_MOVABLE)
        },
        Hand {
            verdict: Some(Verdict::Exhaustion),
            constraint: Some(Constraint::MemoryPolicy),
            ..Hand::default()
        },
    );
    let mut movable = normal(1, 100 * 1024);
    movable.zone_idx = 3;
    movable.kind = ZoneType::Movable;
    c.add(
        "no-eligible-zone",
        &format!("{CONSTRAINTS} no_eligible_zone_is_its_own_verdict"),
        &[normal(0, 2048), movable],
        Request {
            task: in_cpuset(&[1]),
            ..alloc(0, USER | HIGHMEM)
        },
        verdict(Verdict::NoEligibleZone),
    );
    let mut many: Vec<ZoneSnapshot> = (0..66).map(|n| normal(n, 1024)).collect();
    many[65] = normal(65, 486 * 1024);
    c.add(
        "zones-66",
        &format!("{CONSTRAINTS} more_than_32_zones_all_count"),
        &many,
        alloc(0, KERNEL),
        verdict(Verdict::None),
    );
    let t = format!("{CONSTRAINTS} nofs_calls_kill_nothing");
    c.add(
        "nofs",
        &t,
        &[normal(0, 2048)],
        alloc(0, NOFS),
        Hand {
            verdict: Some(Verdict::Exhaustion),
            kill: Some(Kill::No(NoKill::NoFs)),
            ..Hand::default()
        },
    );
    c.add(
        "nofs-memcg",
        &t,
        &[],
        Request {
            trigger: Trigger::Memcg,
            ..alloc(0, NOFS)
        },
        Hand {
            verdict: Some(Verdict::Memcg),
            kill: Some(Kill::Yes),
            ..Hand::default()
        },
    );
    let t = format!("{CONSTRAINTS} notifier_freed_and_exiting_tasks");
    let one = [normal(0, 2048)];
    c.add(
        "notifier-freed",
        &t,
        &one,
        Request {
            freed: 10,
            ..alloc(0, KERNEL)
        },
        Hand {
            verdict: Some(Verdict::Exhaustion),
            kill: Some(Kill::No(NoKill::NotifierFreed)),
            ..Hand::default()
        },
    );
    c.add(
        "notifier-freed-sysrq",
        &t,
        &one,
        Request {
            trigger: Trigger::Sysrq,
            order: Some(-1),
            freed: 10,
            ..alloc(0, KERNEL)
        },
        Hand {
            verdict: Some(Verdict::Exhaustion),
            kill: Some(Kill::Yes),
            ..Hand::default()
        },
    );
    let exiting = |will: Option<bool>| Request {
        task: Task {
            will_free_mem: will,
            ..Task::PLAIN
        },
        ..alloc(0, KERNEL)
    };
    c.add(
        "task-exiting",
        &t,
        &one,
        exiting(Some(true)),
        Hand {
            verdict: Some(Verdict::Exhaustion),
            kill: Some(Kill::No(NoKill::TaskExiting)),
            ..Hand::default()
        },
    );
    c.add(
        "task-exiting-shared-mm",
        &t,
        &one,
        exiting(None),
        Hand {
            verdict: Some(Verdict::Exhaustion),
            kill: Some(Kill::Unknown(Undecided::TaskExitingSharedMm)),
            ..Hand::default()
        },
    );
    c.add(
        "kswapd",
        &format!("{CONSTRAINTS} kswapd_calls_are_not_allocations"),
        &[normal(0, 486 * 1024)],
        Request {
            trigger: Trigger::Kswapd,
            zonelist: false,
            ..alloc(0, KERNEL)
        },
        Hand {
            verdict: Some(Verdict::None),
            constraint: Some(Constraint::None),
            ..Hand::default()
        },
    );
    let t = format!("{CONSTRAINTS} thisnode_walks_the_preferred_node_only");
    let thisnode = [normal(0, 2048), normal(1, 486 * 1024)];
    let from = |node: u16| Request {
        preferred_node: Some(node),
        ..alloc(0, KERNEL | THISNODE)
    };
    c.add(
        "thisnode-from-node0",
        &t,
        &thisnode,
        from(0),
        Hand {
            verdict: Some(Verdict::Exhaustion),
            constraint: Some(Constraint::None),
            ..Hand::default()
        },
    );
    c.add(
        "thisnode-from-node1",
        &t,
        &thisnode,
        from(1),
        verdict(Verdict::None),
    );
    c.add(
        "preferred-node-without-thisnode",
        &t,
        &thisnode,
        Request {
            preferred_node: Some(0),
            ..alloc(0, KERNEL)
        },
        verdict(Verdict::None),
    );
    let t = format!("{CONSTRAINTS} thisnode_without_a_preferred_node");
    c.add(
        "thisnode-no-preferred-node",
        &t,
        &thisnode,
        alloc(0, KERNEL | THISNODE),
        Hand {
            verdict: Some(Verdict::Unknown),
            missing: Some(vec![Unknown::PreferredNode]),
            ..Hand::default()
        },
    );
    c.add(
        "thisnode-nodemask-node0",
        &t,
        &thisnode,
        Request {
            nodes: NodeMask::single(0),
            ..alloc(0, KERNEL | THISNODE)
        },
        verdict(Verdict::Exhaustion),
    );
    c.add(
        "thisnode-one-node",
        &t,
        &thisnode[..1],
        alloc(0, KERNEL | THISNODE),
        verdict(Verdict::Exhaustion),
    );
    c.on(
        Platform {
            numa: false,
            ..x86()
        },
        "thisnode-without-numa",
        &t,
        &thisnode,
        alloc(0, KERNEL | THISNODE),
        verdict(Verdict::None),
    );
    c.add(
        "thisnode-memcg",
        &t,
        &thisnode,
        Request {
            trigger: Trigger::Memcg,
            ..alloc(0, KERNEL | THISNODE)
        },
        Hand {
            verdict: Some(Verdict::Memcg),
            missing: Some(vec![]),
            ..Hand::default()
        },
    );
}

fn exceptions(c: &mut Cases) {
    let t = format!("{EXCEPTIONS} boost_is_ignored_for_gfp_high_order0_at_min");
    let mut z = flat(700, 1000);
    z.boost = 600;
    c.add(
        "boost-plain-exhaustion",
        &t,
        &[z],
        alloc(0, KERNEL),
        verdict(Verdict::Exhaustion),
    );
    let mut b = flat(1200, 1000);
    b.boost = 600;
    c.add(
        "boost",
        &t,
        &[b],
        alloc(0, KERNEL),
        Hand {
            verdict: Some(Verdict::Boost),
            causes: Some(vec![Cause::Boost]),
            ..Hand::default()
        },
    );
    c.add(
        "boost-gfp-high-query",
        &format!("{EXCEPTIONS} the_boost_exception_follows_the_flags_watermark"),
        &[z],
        query(0, KERNEL | HIGH),
        verdict(Verdict::None),
    );
    let t = format!("{EXCEPTIONS} movable_request_is_never_blamed_on_cma");
    let mut m = flat(3000, 1000);
    m.free_cma = 2500;
    m.nr_free[9] = 5;
    m.nonempty[9] = MigrateType::Cma.bit();
    m.free += 5 * 512;
    m.free_cma += 5 * 512;
    c.add(
        "movable-last-chance-cma",
        &t,
        &[m],
        alloc(0, HIGHUSER_MOVABLE),
        verdict(Verdict::LastChanceCma),
    );
    c.add(
        "kernel-cma",
        &t,
        &[m],
        alloc(0, KERNEL),
        verdict(Verdict::Cma),
    );
    let t = format!("{EXCEPTIONS} causes_are_counterfactual");
    let mut r = ZoneSnapshot::empty(0, 1, ZoneType::Dma32, 11);
    r.nr_free[0] = 1024;
    r.nonempty[0] = MigrateType::Cma.bit();
    r.free = 1024;
    r.free_cma = 1024;
    r.wmark = [100, 125, 150];
    r.lowmem_reserve[2] = 2000;
    c.add(
        "reserves-cma-and-lowmem",
        &t,
        &[r],
        query(0, KERNEL),
        Hand {
            verdict: Some(Verdict::Reserves),
            causes: Some(vec![Cause::Reserves]),
            ..Hand::default()
        },
    );
    r.lowmem_reserve[2] = 10;
    c.add(
        "reserves-cma-alone",
        &t,
        &[r],
        query(0, KERNEL),
        Hand {
            verdict: Some(Verdict::Cma),
            causes: Some(vec![Cause::Cma]),
            ..Hand::default()
        },
    );
    let t = format!("{EXCEPTIONS} real_time_tasks_dip_into_the_reserve");
    let low = flat(700, 1000);
    c.add(
        "plain-below-min",
        &t,
        &[low],
        alloc(0, KERNEL),
        verdict(Verdict::Exhaustion),
    );
    c.add(
        "rt-task-query",
        &t,
        &[low],
        Request {
            task: Task {
                rt: true,
                ..Task::PLAIN
            },
            ..query(0, KERNEL)
        },
        verdict(Verdict::None),
    );
    c.add(
        "oom-victim-query",
        &format!("{EXCEPTIONS} oom_victims_and_memalloc_replace_the_flags"),
        &[low],
        Request {
            task: Task {
                oom_victim: true,
                ..Task::PLAIN
            },
            ..query(0, KERNEL)
        },
        verdict(Verdict::None),
    );
    let t = format!("{EXCEPTIONS} a_passing_zone_with_empty_lists_does_not_satisfy");
    let mut tiny = ZoneSnapshot::empty(0, 1, ZoneType::Dma32, 11);
    tiny.free = 1;
    tiny.lists_read = true;
    let mut exhausted = flat(177, 196);
    exhausted.node = 1;
    exhausted.lists_read = true;
    c.add(
        "empty-lists",
        &t,
        &[tiny, exhausted],
        query(0, KERNEL),
        verdict(Verdict::Exhaustion),
    );
    let mut unread = tiny;
    unread.lists_read = false;
    c.add(
        "empty-lists-unread",
        &t,
        &[unread, exhausted],
        query(0, KERNEL),
        verdict(Verdict::None),
    );
    let mut one = tiny;
    one.nr_free[0] = 1;
    one.nonempty[0] = MigrateType::Movable.bit();
    c.add(
        "empty-lists-one-page",
        &t,
        &[one, exhausted],
        query(0, KERNEL),
        verdict(Verdict::None),
    );
    one.nonempty[0] = MigrateType::Cma.bit();
    c.add(
        "empty-lists-one-cma-page",
        &t,
        &[one, exhausted],
        query(0, KERNEL),
        verdict(Verdict::Exhaustion),
    );
    let t = format!("{EXCEPTIONS} kswapd_calls_are_judged_as_plain_requests");
    let kswapd = Request {
        trigger: Trigger::Kswapd,
        zonelist: false,
        task: Task {
            memalloc: true,
            kswapd: true,
            ..Task::PLAIN
        },
        ..alloc(0, KERNEL)
    };
    c.add(
        "kswapd-memalloc",
        &t,
        &[flat(100, 1000)],
        kswapd,
        Hand {
            verdict: Some(Verdict::Exhaustion),
            stage: Some(Stage::SlowPath),
            causes: Some(vec![Cause::Exhaustion]),
            ..Hand::default()
        },
    );
    c.add(
        "sysrq-rt-victim-worker",
        &t,
        &[low],
        Request {
            trigger: Trigger::Sysrq,
            order: Some(-1),
            task: Task {
                rt: true,
                oom_victim: true,
                ..Task::PLAIN
            },
            ..alloc(0, KERNEL)
        },
        verdict(Verdict::Exhaustion),
    );
    c.add(
        "kswapd-order-minus-1",
        &t,
        &[flat(5000, 1000)],
        Request {
            order: Some(-1),
            ..kswapd
        },
        verdict(Verdict::None),
    );
    let t = format!("{EXCEPTIONS} the_last_chance_counts_no_cma");
    let mut lc = flat(3000, 500);
    lc.free_cma = 2500;
    c.add(
        "last-chance-no-cma",
        &t,
        &[lc],
        alloc(0, HIGHUSER_MOVABLE),
        Hand {
            verdict: Some(Verdict::LastChanceCma),
            stage: Some(Stage::LastChance),
            causes: Some(vec![Cause::LastChanceCma]),
            ..Hand::default()
        },
    );
    c.add(
        "last-chance-no-cma-kernel",
        &t,
        &[lc],
        alloc(0, KERNEL),
        Hand {
            verdict: Some(Verdict::Cma),
            stage: Some(Stage::SlowPath),
            ..Hand::default()
        },
    );
    let mut more = flat(3300, 500);
    more.free_cma = 2500;
    c.add(
        "last-chance-drifted",
        &t,
        &[more],
        alloc(0, HIGHUSER_MOVABLE),
        verdict(Verdict::None),
    );
    let t = format!("{EXCEPTIONS} alloc_failures_that_reached_may_oom_made_the_last_chance");
    let mut fz = ZoneSnapshot::empty(0, 1, ZoneType::Dma32, 11);
    fz.nr_free[0] = 1200;
    fz.nonempty[0] = MigrateType::Unmovable.bit();
    fz.lists_read = true;
    fz.free = 1200;
    fz.wmark = [1000, 1250, 1500];
    let failure = |gfp: u32, order: i32| Request {
        trigger: Trigger::AllocFailure,
        ..alloc(order, gfp)
    };
    for (name, extra) in [
        ("alloc-failure-may-oom", 0),
        ("alloc-failure-may-oom-retry-mayfail", RETRY_MAYFAIL),
        ("alloc-failure-may-oom-thisnode", THISNODE),
    ] {
        c.add(
            name,
            &t,
            &[fz],
            failure(KERNEL | DMA32 | extra, 0),
            Hand {
                verdict: Some(Verdict::Exhaustion),
                stage: Some(Stage::LastChance),
                ..Hand::default()
            },
        );
    }
    let mut fz4 = fz;
    fz4.nr_free[4] = 1;
    fz4.nonempty[4] = MigrateType::Unmovable.bit();
    fz4.free += 16;
    let memalloc = Task {
        memalloc: true,
        ..Task::PLAIN
    };
    for (name, req) in [
        ("alloc-failure-nowait", failure(NOWAIT | DMA32, 0)),
        (
            "alloc-failure-noretry",
            failure(KERNEL | DMA32 | NORETRY, 0),
        ),
        ("alloc-failure-costly", failure(KERNEL | DMA32, 4)),
        (
            "alloc-failure-memalloc",
            Request {
                task: memalloc,
                ..failure(KERNEL | DMA32 | NOMEMALLOC, 0)
            },
        ),
    ] {
        c.add(
            name,
            &t,
            &[fz4],
            req,
            Hand {
                verdict: Some(Verdict::None),
                stage: Some(Stage::SlowPath),
                ..Hand::default()
            },
        );
    }
    let t = format!("{EXCEPTIONS} what_the_data_lacks_is_said_by_the_engine");
    let mut d = ZoneSnapshot::empty(0, 1, ZoneType::Dma32, 11);
    d.nr_free[0] = 10;
    d.nonempty[0] = MigrateType::Unmovable.bit();
    d.free = 10;
    d.lists_read = true;
    marks(&mut d, 400, 500, 600);
    c.add(
        "no-zones",
        &t,
        &[],
        alloc(0, KERNEL),
        Hand {
            verdict: Some(Verdict::Unknown),
            missing: Some(vec![Unknown::Zones]),
            ..Hand::default()
        },
    );
    let mut du = d;
    du.lists_read = false;
    c.add(
        "no-buddy-line-order0",
        &t,
        &[du],
        alloc(0, KERNEL),
        Hand {
            verdict: Some(Verdict::Exhaustion),
            missing: Some(vec![]),
            ..Hand::default()
        },
    );
    c.add(
        "no-buddy-line-order1",
        &t,
        &[du],
        alloc(1, KERNEL),
        Hand {
            verdict: Some(Verdict::Unknown),
            missing: Some(vec![Unknown::Buddy]),
            ..Hand::default()
        },
    );
    c.add(
        "buddy-line-order1",
        &t,
        &[d],
        alloc(1, KERNEL),
        verdict(Verdict::Exhaustion),
    );
    let t = format!("{EXCEPTIONS} a_page_fault_oom_judges_no_request_and_kills");
    c.add(
        "page-fault",
        &t,
        &[d],
        Request {
            trigger: Trigger::PageFault,
            zonelist: false,
            ..alloc(0, 0)
        },
        Hand {
            verdict: Some(Verdict::Unknown),
            missing: Some(vec![Unknown::Request]),
            kill: Some(Kill::Yes),
            ..Hand::default()
        },
    );
    c.add(
        "nofs-without-fs",
        &t,
        &[d],
        alloc(0, NOFS & !FS),
        Hand {
            verdict: Some(Verdict::Exhaustion),
            kill: Some(Kill::No(NoKill::NoFs)),
            ..Hand::default()
        },
    );
}
