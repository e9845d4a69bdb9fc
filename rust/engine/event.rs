// SPDX-License-Identifier: GPL-2.0

//! One OOM event: the entry point from (platform, zone snapshots, request)
//! to a verdict, [`Event::evaluate`], and its [`Summary`], the part that is
//! printed, counted and copied.  The module's OOM path and its debugfs
//! `query`, the KUnit suites, the host tests and the offline analyzer all
//! decide through it.

use super::oom::{
    constrained_alloc,
    nodes_with_memory,
    oom_kill,
    Constraint,
    Kill,
    Undecided, //
};
use super::platform::Platform;
use super::request::{
    called_oom,
    Request,
    Trigger, //
};
use super::verdict::{
    seek_last_chance_causes,
    summarize_at,
    zone_verdict,
    AllocContext,
    Missing,
    Stage,
    Unknown,
    Verdict,
    ZoneVerdict, //
};
use super::zone::{
    ZoneSnapshot,
    MAX_ORDERS, //
};
use core::ops::DerefMut;

/// What an event decided, without its zones: small and `Copy`, so that it
/// is built once per event and copied whole (the memcg path runs in an
/// irq_work and keeps no zones).
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    /// Event number since load (1-based; 0 for a query).
    pub seq: u64,
    /// The request.
    pub req: Request,
    /// The order the zones were evaluated for.
    pub eval_order: u8,
    /// The gfp mask the zones were evaluated for.
    pub eval_gfp: u32,
    /// Summary verdict.
    pub verdict: Verdict,
    /// What the data lacks (the verdict is then `unknown`, but for a
    /// memory-cgroup OOM, whose verdict needs no zone).
    pub missing: Missing,
    /// The allocator check the verdict was read from.
    pub stage: Stage,
    /// `constrained_alloc()`'s class for this call.
    pub constraint: Constraint,
    /// Whether `out_of_memory()` goes on to kill.
    pub kill: Kill,
    /// Free pages of the zones the request may not use (at `stage`).
    pub free_ineligible: u64,
    /// Whether the task's cpuset leaves out a node with memory.
    pub cpuset_limited: bool,
    /// Zones seen.
    pub nr_zones: usize,
    /// Kept zones the request may use (at `stage`).
    pub eligible: usize,
    /// Time to snapshot and evaluate, in ns.
    pub compute_ns: u64,
}

impl Summary {
    /// The summary of an event not evaluated yet.
    pub const EMPTY: Summary = Summary {
        seq: 0,
        req: Request::unknown(0),
        eval_order: 0,
        eval_gfp: 0,
        verdict: Verdict::None,
        missing: Missing::NONE,
        stage: Stage::SlowPath,
        constraint: Constraint::None,
        kill: Kill::Yes,
        free_ineligible: 0,
        cpuset_limited: false,
        nr_zones: 0,
        eligible: 0,
        compute_ns: 0,
    };

    /// Whether the snapshot contradicts the failure: the allocator failed,
    /// yet an eligible zone passes its check now (the last-chance check, if
    /// the request made that attempt): memory came back between the failure
    /// and the snapshot.
    pub fn drifted(&self) -> bool {
        matches!(self.req.trigger, Trigger::Alloc | Trigger::AllocFailure)
            && self.verdict == Verdict::None
    }

    /// Whether `out_of_memory()` ran for this event (so `kill` means
    /// something): not for a query or an allocation failure.
    pub fn called_oom(&self) -> bool {
        called_oom(self.req.trigger)
    }
}

/// One OOM event's verdict, as logged and kept in the history; its zone
/// verdicts live in caller-provided storage `S` (a slice-like buffer sized
/// at init in the module, a `Vec` on the host), so the engine allocates
/// nothing and drops no zone.
#[derive(Clone, Debug)]
pub struct Event<S> {
    /// What was decided.
    pub summary: Summary,
    /// Zones kept: `storage[..kept]` are valid.
    pub kept: usize,
    /// Per-zone verdicts (storage; see [`Event::zones`]).
    pub storage: S,
}

impl<S: DerefMut<Target = [ZoneVerdict]>> Event<S> {
    /// An empty event keeping its zone verdicts in `storage`.
    pub fn new(storage: S) -> Self {
        Self {
            summary: Summary::EMPTY,
            kept: 0,
            storage,
        }
    }

    /// The kept zone verdicts.
    pub fn zones(&self) -> &[ZoneVerdict] {
        &self.storage[..self.kept]
    }

    /// Copies `other` into this event (no allocation); if this storage is
    /// smaller, the copy keeps fewer zones and says the verdict's zones are
    /// incomplete.
    pub fn copy_from<T: DerefMut<Target = [ZoneVerdict]>>(&mut self, other: &Event<T>) {
        let kept = other.kept.min(self.storage.len());
        self.storage[..kept].copy_from_slice(&other.storage[..kept]);
        self.summary = other.summary;
        self.kept = kept;
        if kept < other.kept {
            self.summary.verdict = Verdict::Unknown;
            self.summary.missing.insert(Unknown::Zones);
        }
    }

    /// Evaluates `zones` for `req` and fills this event (no allocation).
    ///
    /// An allocation's zones are judged at its order and gfp mask, with the
    /// allocating task's flags and cpuset.  A sysrq OOM (order -1,
    /// `GFP_KERNEL`) and a kswapd call (order 0, `sc->gfp_mask`) have no
    /// failed allocation to take a task's allocation flags from: each is
    /// judged as a plain request of its gfp mask at order 0 (no task flag,
    /// no cpuset: [`Request::alloc_task`]), from the slow path's check.  The
    /// summary line's `task=` still shows the calling task's flags (kswapd's
    /// `memalloc`).  A request that made `__alloc_pages_may_oom()`'s last
    /// attempt ([`Request::made_last_chance`]) and whose slow-path check
    /// passes again by now is judged by that last-chance check ([`Stage`]).
    ///
    /// What the data lacks is said, not guessed ([`Summary::missing`]), and
    /// the verdict is then `unknown`: the order (zones shown at order 0) or
    /// the gfp mask (shown with `fallback_gfp`) not captured; a page fault's
    /// OOM, or a log that shows no request ([`Request::shown`], whose
    /// `kill` is then unknown too), with no request at all; no zone read, or more than the storage
    /// holds; at an order above 0, a zone the request may use whose free
    /// lists were not read ([`ZoneSnapshot::lists_read`]); a
    /// `__GFP_THISNODE` request whose node cannot be told
    /// ([`Request::zonelist_node`]).  A memory-cgroup OOM needs no zone:
    /// its verdict stays `memcg`.
    pub fn evaluate(&mut self, p: &Platform, zones: &[ZoneSnapshot], req: Request) {
        let s = &mut self.summary;
        s.req = req;
        s.nr_zones = zones.len();
        s.missing = Missing::NONE;
        s.stage = Stage::SlowPath;
        let gfp = req.gfp.unwrap_or(req.fallback_gfp);
        s.eval_gfp = gfp;
        let order = match (req.allocated(), req.order) {
            (false, _) => Some(0),
            (true, Some(o)) if (0..MAX_ORDERS as i32).contains(&o) => Some(o as u8),
            _ => None,
        };
        s.eval_order = order.unwrap_or(0);
        if order.is_none() {
            s.missing.insert(Unknown::Order);
        }
        // Without a request, the request is what is missing, not its mask.
        if req.without_request() {
            s.missing.insert(Unknown::Request);
        } else if req.gfp.is_none() {
            s.missing.insert(Unknown::Gfp);
        }
        let memcg = req.trigger == Trigger::Memcg;
        let page_fault = req.trigger == Trigger::PageFault;
        if zones.is_empty() && !memcg {
            s.missing.insert(Unknown::Zones);
        }
        let oc = req.oom_control();
        let n_memory = nodes_with_memory(zones);
        let cs = &req.task.cpuset;
        s.cpuset_limited = cs.enabled && !n_memory.is_subset(&cs.mems_allowed);
        s.constraint = constrained_alloc(p, &oc, &req.task, zones, &n_memory);
        let sysrq = req.trigger == Trigger::Sysrq;
        s.kill = if !req.shown {
            Kill::Unknown(Undecided::NoRequest)
        } else {
            oom_kill(&oc, sysrq, page_fault, req.freed, &req.task)
        };
        let task = req.alloc_task();
        let mut ac = AllocContext::new(p, s.eval_order, gfp, &task);
        match req.zonelist_node(p, &n_memory) {
            Ok(node) => ac.zonelist_node = node,
            // Zones shown as if every node's were walked.
            Err(u) if !memcg => s.missing.insert(u),
            Err(_) => {}
        }
        self.kept = zones.len().min(self.storage.len());
        if self.kept < zones.len() {
            self.summary.missing.insert(Unknown::Zones);
        }
        for (slot, z) in self.storage.iter_mut().zip(zones) {
            *slot = zone_verdict(p, z, &ac, &task, &req.nodes);
        }
        if ac.order > 0
            && !memcg
            && self
                .zones()
                .iter()
                .zip(zones)
                .any(|(v, z)| v.eligible && !z.lists_read)
        {
            self.summary.missing.insert(Unknown::Buddy);
        }
        self.summary.verdict = summarize_at(self.zones(), ac.order, memcg, Stage::SlowPath);
        if self.summary.verdict == Verdict::None && req.made_last_chance() {
            let kept = self.kept;
            seek_last_chance_causes(p, zones, &mut self.storage[..kept], &ac);
            let v = summarize_at(self.zones(), ac.order, memcg, Stage::LastChance);
            if v != Verdict::None {
                self.summary.verdict = v;
                self.summary.stage = Stage::LastChance;
            }
        }
        if !memcg && !self.summary.missing.is_empty() {
            self.summary.verdict = Verdict::Unknown;
        }
        self.count_eligible();
    }

    /// Sets the summary's zone counts at its stage: the zones the request
    /// may use and the free pages of those it may not.  [`Event::evaluate`]
    /// calls it; a caller that changes the stage afterwards (the offline
    /// analyzer, with an old kernel's rules) calls it again.
    pub fn count_eligible(&mut self) {
        let stage = self.summary.stage;
        let (mut eligible, mut free_ineligible) = (0, 0);
        for z in &self.storage[..self.kept] {
            if z.eligible_at(stage) {
                eligible += 1;
            } else {
                free_ineligible += z.free;
            }
        }
        self.summary.eligible = eligible;
        self.summary.free_ineligible = free_ineligible;
    }
}
