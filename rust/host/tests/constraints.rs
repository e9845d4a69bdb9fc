// SPDX-License-Identifier: GPL-2.0
//! Constrained and many-node OOMs: cpusets (hardwall and softwall), memory
//! policies, zones the request may not use at all, machines with more zones
//! and nodes than a fixed buffer would hold, and the calls of
//! `out_of_memory()` that kill nothing.  Each case is the kernel's rule from
//! mm/page_alloc.c, kernel/cgroup/cpuset.c or mm/oom_kill.c (7.3), cited.

mod common;
use common::*;
use oomfrag_engine::event::*;
use oomfrag_engine::oom::*;
use oomfrag_engine::platform::Platform;
use oomfrag_engine::report::*;
use oomfrag_engine::request::*;
use oomfrag_engine::stats::*;
use oomfrag_engine::task::*;
use oomfrag_engine::verdict::*;
use oomfrag_engine::zone::*;

/// A node's Normal zone: `free_kb` free in order-0..3 blocks of movable and
/// unmovable pages, min 4 MB.
fn normal(node: u16, free_kb: u64) -> ZoneSnapshot {
    let mut z = ZoneSnapshot::empty(node, 2, ZoneType::Normal, 11);
    let p = pages(free_kb);
    for o in 0..4 {
        z.nr_free[o] = (p / 4) >> o;
        z.nonempty[o] = MigrateType::Unmovable.bit() | MigrateType::Movable.bit();
    }
    z.free = buddy_free_pages(&z);
    z.present = 262144;
    marks(&mut z, 4096, 5120, 6144);
    z
}

/// A task in a cpuset of `mems` (cgroup v2: a softwall request may use any
/// node, `cpuset_current_node_allowed()`'s `cpuset_v2()` rule).
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

fn line(e: &Event<Vec<ZoneVerdict>>) -> String {
    format!("{}", SummaryLine(&x86(), &e.summary))
}

#[test]
fn hardwall_cpuset_judges_only_its_nodes() {
    // A user page fault (GFP_HIGHUSER_MOVABLE has __GFP_HARDWALL) from a
    // task whose cpuset.mems is 1: node 1 is exhausted, node 0 has 486 MB.
    // get_page_from_freelist() skips node 0 (ALLOC_CPUSET), so the verdict
    // is node 1's, and constrained_alloc() says CONSTRAINT_CPUSET.
    let zones = [normal(0, 486 * 1024), normal(1, 2048)];
    let req = Request {
        task: in_cpuset(&[1]),
        ..alloc(0, GFP_HIGHUSER_MOVABLE)
    };
    let mut e = event(8);
    e.evaluate(&x86(), &zones, req);
    assert!(!e.zones()[0].eligible && e.zones()[1].eligible);
    assert_eq!(e.summary.verdict, Verdict::Exhaustion);
    assert_eq!(e.summary.constraint, Constraint::Cpuset);
    assert_eq!(e.summary.free_ineligible, pages(486 * 1024));
    let l = line(&e);
    assert!(l.contains(" constraint=cpuset mems_allowed=1 "), "{l}");
    assert!(l.contains(" free_ineligible_kb=497664 "), "{l}");
    assert!(!e.summary.drifted());
}

#[test]
fn softwall_request_may_leave_a_v2_cpuset() {
    // GFP_KERNEL has no __GFP_HARDWALL: on cgroup v2 the slow path may use
    // every node (cpuset_current_node_allowed() returns true), so node 0's
    // free memory counts and constrained_alloc() finds no cpuset limit.
    let zones = [normal(0, 486 * 1024), normal(1, 2048)];
    let req = Request {
        task: in_cpuset(&[1]),
        ..alloc(0, GFP_KERNEL)
    };
    let mut e = event(8);
    e.evaluate(&x86(), &zones, req);
    assert!(e.zones()[0].eligible);
    assert_eq!(e.summary.constraint, Constraint::None);
    // The last chance adds __GFP_HARDWALL: node 0 is not eligible there.
    assert!(!e.zones()[0].eligible_last && e.zones()[1].eligible_last);
    // Node 0 passes the slow path's check now, so the OOM is read from the
    // last-chance attempt that invoked it, which was walled to node 1.
    assert_eq!(e.summary.stage, Stage::LastChance);
    assert_eq!(e.summary.verdict, Verdict::Exhaustion);
}

#[test]
fn oom_victim_and_exiting_tasks_are_not_walled() {
    // cpuset_current_node_allowed(): an OOM victim (or PF_EXITING task) may
    // use any node; the module asks the kernel for both masks, so the
    // hardwall mask it reports for such a task holds every node.
    let zones = [normal(0, 486 * 1024), normal(1, 2048)];
    let mut t = in_cpuset(&[1]);
    t.oom_victim = true;
    t.cpuset.hardwall = NodeMask::ALL;
    let mut e = event(8);
    e.evaluate(
        &x86(),
        &zones,
        Request {
            task: t,
            ..alloc(0, GFP_HIGHUSER_MOVABLE)
        },
    );
    assert!(e.zones()[0].eligible);
    assert_eq!(e.summary.constraint, Constraint::None);
}

#[test]
fn mempolicy_nodemask_is_memory_policy() {
    // set_mempolicy(MPOL_BIND, {1}): oc->nodemask = {1}, not a superset of
    // node_states[N_MEMORY] = {0, 1}: CONSTRAINT_MEMORY_POLICY.
    let zones = [normal(0, 486 * 1024), normal(1, 2048)];
    let req = Request {
        nodes: NodeMask::single(1),
        ..alloc(0, GFP_HIGHUSER_MOVABLE)
    };
    let mut e = event(8);
    e.evaluate(&x86(), &zones, req);
    assert_eq!(e.summary.constraint, Constraint::MemoryPolicy);
    assert_eq!(e.summary.verdict, Verdict::Exhaustion);
    assert!(line(&e).contains(" constraint=memory_policy nodemask=1 "));
    // A nodemask holding every node with memory is no constraint.
    let mut both = NodeMask::single(0);
    both.set(1);
    let mut f = event(8);
    f.evaluate(&x86(), &zones, Request { nodes: both, ..req });
    assert_eq!(f.summary.constraint, Constraint::None);
}

#[test]
fn reserve_flags_drop_the_nodemask_and_cpuset() {
    // An OOM victim's retry gets ALLOC_OOM from __gfp_pfmemalloc_flags():
    // "if (!(alloc_flags & ALLOC_CPUSET) || reserve_flags) ac->nodemask =
    // NULL", and ALLOC_CPUSET is gone: every node is eligible.
    let zones = [normal(0, 486 * 1024), normal(1, 2048)];
    let mut t = in_cpuset(&[1]);
    t.oom_victim = true;
    let req = Request {
        task: t,
        nodes: NodeMask::single(1),
        ..alloc(0, GFP_HIGHUSER_MOVABLE)
    };
    let mut e = event(8);
    e.evaluate(&x86(), &zones, req);
    assert!(e.zones()[0].eligible);
}

#[test]
fn no_eligible_zone_is_its_own_verdict() {
    // A cpuset whose only node has nothing but ZONE_MOVABLE, and a
    // GFP_HIGHUSER request (no __GFP_MOVABLE: it never reaches Movable).
    let mut movable = normal(1, 100 * 1024);
    movable.zone_idx = 3;
    movable.kind = ZoneType::Movable;
    let zones = [normal(0, 2048), movable];
    let req = Request {
        task: in_cpuset(&[1]),
        ..alloc(0, GFP_USER | GFP_HIGHMEM)
    };
    let mut e = event(8);
    e.evaluate(&x86(), &zones, req);
    assert_eq!(e.summary.verdict, Verdict::NoEligibleZone);
    assert_eq!(e.summary.eligible, 0);
    assert!(line(&e).contains(" verdict=no_eligible_zone "));
    assert_eq!(e.summary.free_ineligible, pages(2048) + pages(100 * 1024));
}

#[test]
fn more_than_32_zones_all_count() {
    // 66 zones (numa=fake=64-like); all free memory is on the last node.
    // An event sized for the machine judges every zone: none is dropped.
    let mut zones: Vec<ZoneSnapshot> = (0..66).map(|n| normal(n, 1024)).collect();
    zones[65] = normal(65, 486 * 1024);
    let mut e = event(66);
    e.evaluate(&x86(), &zones, alloc(0, GFP_KERNEL));
    assert_eq!(e.kept, 66);
    assert!(e.zones()[65].decisive().ok);
    assert_eq!(e.summary.verdict, Verdict::None);
    // Storage too small: the verdict says so instead of judging a part.
    let mut small = event(32);
    small.evaluate(&x86(), &zones, alloc(0, GFP_KERNEL));
    assert_eq!(small.summary.verdict, Verdict::Unknown);
    assert!(small.summary.missing.contains(Unknown::Zones));
    assert!(line(&small).contains(" verdict=unknown missing=zones "));
}

#[test]
fn nodemasks_beyond_node_63() {
    // A mempolicy of node 200 on a 256-node machine.
    let zones: Vec<ZoneSnapshot> = (0..256).map(|n| normal(n, 2048)).collect();
    let mut e = event(256);
    e.evaluate(
        &x86(),
        &zones,
        Request {
            nodes: NodeMask::single(200),
            ..alloc(0, GFP_KERNEL)
        },
    );
    let eligible: Vec<u16> = e
        .zones()
        .iter()
        .filter(|z| z.eligible)
        .map(|z| z.node)
        .collect();
    assert_eq!(eligible, [200]);
    assert_eq!(e.summary.constraint, Constraint::MemoryPolicy);
    assert!(line(&e).contains(" nodemask=200 "));
}

#[test]
fn nofs_calls_kill_nothing() {
    // out_of_memory(): "if (!(oc->gfp_mask & __GFP_FS) && !is_memcg_oom(oc))
    // return true;" after the notifiers and task_will_free_mem().
    let zones = [normal(0, 2048)];
    let mut e = event(8);
    e.evaluate(&x86(), &zones, alloc(0, GFP_NOFS));
    assert_eq!(e.summary.kill, Kill::No(NoKill::NoFs));
    assert!(line(&e).contains(" kill=0 reason=nofs "));
    // A memcg OOM kills even for GFP_NOFS.
    let mut m = event(8);
    m.evaluate(
        &x86(),
        &[],
        Request {
            trigger: Trigger::Memcg,
            ..alloc(0, GFP_NOFS)
        },
    );
    assert_eq!(m.summary.kill, Kill::Yes);
    let mut stats = Stats::default();
    stats.record(&e.summary);
    stats.record(&m.summary);
    assert_eq!((stats.kill, stats.no_kill[2]), (1, 1));
}

#[test]
fn notifier_freed_and_exiting_tasks() {
    let zones = [normal(0, 2048)];
    let mut e = event(8);
    e.evaluate(
        &x86(),
        &zones,
        Request {
            freed: 10,
            ..alloc(0, GFP_KERNEL)
        },
    );
    assert_eq!(e.summary.kill, Kill::No(NoKill::NotifierFreed));
    // ... but not for sysrq: "if (freed > 0 && !is_sysrq_oom(oc))".
    let mut s = event(8);
    let sysrq = Request {
        trigger: Trigger::Sysrq,
        order: Some(-1),
        zonelist: true,
        freed: 10,
        ..alloc(0, GFP_KERNEL)
    };
    s.evaluate(&x86(), &zones, sysrq);
    assert_eq!(s.summary.kill, Kill::Yes);
    // task_will_free_mem(current): the exiting task is the victim.
    let mut x = event(8);
    let mut t = Task::PLAIN;
    t.will_free_mem = Some(true);
    x.evaluate(
        &x86(),
        &zones,
        Request {
            task: t,
            ..alloc(0, GFP_KERNEL)
        },
    );
    assert_eq!(x.summary.kill, Kill::No(NoKill::TaskExiting));
    t.will_free_mem = None;
    x.evaluate(
        &x86(),
        &zones,
        Request {
            task: t,
            ..alloc(0, GFP_KERNEL)
        },
    );
    assert_eq!(
        x.summary.kill,
        Kill::Unknown(Undecided::TaskExitingSharedMm)
    );
    assert!(line(&x).contains(" kill=unknown reason=task_exiting_shared_mm "));
}

#[test]
fn kswapd_calls_are_not_allocations() {
    // MGLRU's lru_gen_age_node(): oc = { .gfp_mask = sc->gfp_mask }, order
    // 0, no zonelist: constraint none, judged at order 0, never drift.
    let zones = [normal(0, 486 * 1024)];
    let mut e = event(8);
    let req = Request {
        trigger: Trigger::Kswapd,
        zonelist: false,
        ..alloc(0, GFP_KERNEL)
    };
    e.evaluate(&x86(), &zones, req);
    assert_eq!(e.summary.verdict, Verdict::None);
    assert!(!e.summary.drifted());
    assert_eq!(e.summary.constraint, Constraint::None);
    assert!(line(&e).contains(" trigger=kswapd "));
}

#[test]
fn thisnode_walks_the_preferred_node_only() {
    // __GFP_THISNODE: node_zonelist(preferred_nid, gfp) is the node's
    // ZONELIST_NOFALLBACK (gfp_zonelist(), include/linux/gfp.h), which holds
    // only that node's zones.  Node 0 is exhausted, node 1 has 486 MB: a
    // request from node 0 fails, whatever node 1 holds.
    let zones = [normal(0, 2048), normal(1, 486 * 1024)];
    let gfp = GFP_KERNEL | GFP_THISNODE;
    let from = |node: u16| Request {
        preferred_node: Some(node),
        ..alloc(0, gfp)
    };
    let mut e = event(8);
    e.evaluate(&x86(), &zones, from(0));
    assert_eq!(e.summary.verdict, Verdict::Exhaustion);
    assert!(e.zones()[0].eligible && !e.zones()[1].eligible);
    assert!(e.zones()[0].eligible_last && !e.zones()[1].eligible_last);
    assert_eq!(e.summary.free_ineligible, pages(486 * 1024));
    // constrained_alloc(): "if (oc->gfp_mask & __GFP_THISNODE) return
    // CONSTRAINT_NONE;".
    assert_eq!(e.summary.constraint, Constraint::None);
    // From node 1 it would succeed now.
    e.evaluate(&x86(), &zones, from(1));
    assert_eq!(e.summary.verdict, Verdict::None);
    // Reserve flags reset the nodemask, not the zonelist: an OOM victim's
    // retry still walks node 0 only.
    let mut victim = Task::PLAIN;
    victim.oom_victim = true;
    e.evaluate(
        &x86(),
        &zones,
        Request {
            task: victim,
            ..from(0)
        },
    );
    assert!(e.zones()[0].eligible && !e.zones()[1].eligible);
    // Without __GFP_THISNODE the preferred node only orders the fallback
    // list, which holds every node.
    e.evaluate(
        &x86(),
        &zones,
        Request {
            preferred_node: Some(0),
            ..alloc(0, GFP_KERNEL)
        },
    );
    assert!(e.zones()[1].eligible);
    assert_eq!(e.summary.verdict, Verdict::None);
}

#[test]
fn thisnode_without_a_preferred_node() {
    let zones = [normal(0, 2048), normal(1, 486 * 1024)];
    let gfp = GFP_KERNEL | GFP_THISNODE;
    // Not captured and two nodes with memory: which node's zones were
    // walked cannot be told.
    let mut e = event(8);
    e.evaluate(&x86(), &zones, alloc(0, gfp));
    assert_eq!(e.summary.verdict, Verdict::Unknown);
    assert!(e.summary.missing.contains(Unknown::PreferredNode));
    let l = line(&e);
    assert!(
        l.contains(" verdict=unknown missing=preferred_node "),
        "{l}"
    );
    assert!(!e.summary.drifted());
    // A nodemask of one node: the slow path's first_zones_zonelist(
    // ac->zonelist, ..., ac->nodemask) found a zone of the preferred node
    // in it, so that is the node.
    e.evaluate(
        &x86(),
        &zones,
        Request {
            nodes: NodeMask::single(0),
            ..alloc(0, gfp)
        },
    );
    assert_eq!(e.summary.verdict, Verdict::Exhaustion);
    // One node with memory: the same reasoning.
    e.evaluate(&x86(), &zones[..1], alloc(0, gfp));
    assert_eq!(e.summary.verdict, Verdict::Exhaustion);
    // Without CONFIG_NUMA gfp_zonelist() ignores __GFP_THISNODE.
    let flat = Platform {
        numa: false,
        ..x86()
    };
    e.evaluate(&flat, &zones, alloc(0, gfp));
    assert_eq!(e.summary.verdict, Verdict::None);
    // A memcg OOM does not judge zones: nothing is missing.
    e.evaluate(
        &x86(),
        &zones,
        Request {
            trigger: Trigger::Memcg,
            ..alloc(0, gfp)
        },
    );
    assert_eq!(
        (e.summary.verdict, e.summary.missing),
        (Verdict::Memcg, Missing::NONE)
    );
    // The query file's node= is the preferred node too.
    let q = oomfrag_engine::query::QuerySpec {
        order: 0,
        gfp,
        node: Some(0),
    };
    e.evaluate(&x86(), &zones, q.request());
    assert_eq!(e.summary.verdict, Verdict::Exhaustion);
}
