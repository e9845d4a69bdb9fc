// SPDX-License-Identifier: GPL-2.0

//! What `out_of_memory()` (mm/oom_kill.c) does with a call: the early
//! returns that kill nothing, and the constraint `constrained_alloc()`
//! names.  The kernel prints the constraint only with a kill
//! (`oom-kill:constraint=CONSTRAINT_...`); oomfrag says it for every event.

use super::gfp::gfp_zone;
use super::gfp_types::{
    FS,
    THISNODE, //
};
use super::platform::Platform;
use super::task::Task;
use super::zone::{
    NodeMask,
    ZoneSnapshot, //
};

named_enum! {
    /// `enum oom_constraint` (include/linux/oom.h).
    pub enum Constraint {
        /// `CONSTRAINT_NONE`.
        None => "none",
        /// `CONSTRAINT_CPUSET`.
        Cpuset => "cpuset",
        /// `CONSTRAINT_MEMORY_POLICY`.
        MemoryPolicy => "memory_policy",
        /// `CONSTRAINT_MEMCG`.
        Memcg => "memcg",
    }
}

/// The `struct oom_control` fields the OOM killer's decisions read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OomControl {
    /// `oc->memcg != NULL`.
    pub memcg: bool,
    /// `oc->zonelist != NULL` (NULL for kswapd's call; sysrq's is
    /// `node_zonelist(first_memory_node, gfp_mask)`, drivers/tty/sysrq.c).
    pub zonelist: bool,
    /// `oc->gfp_mask`.
    pub gfp: u32,
    /// `oc->nodemask`, `None` when NULL.
    pub nodemask: Option<NodeMask>,
}

/// `constrained_alloc()` (mm/oom_kill.c), for the zones `zones` of the
/// machine and the nodes with memory `n_memory` (`node_states[N_MEMORY]`).
pub fn constrained_alloc(
    p: &Platform,
    oc: &OomControl,
    task: &Task,
    zones: &[ZoneSnapshot],
    n_memory: &NodeMask,
) -> Constraint {
    // if (is_memcg_oom(oc)) return CONSTRAINT_MEMCG;
    if oc.memcg {
        return Constraint::Memcg;
    }
    // if (!IS_ENABLED(CONFIG_NUMA)) return CONSTRAINT_NONE;
    if !p.numa {
        return Constraint::None;
    }
    // if (!oc->zonelist) return CONSTRAINT_NONE;
    if !oc.zonelist {
        return Constraint::None;
    }
    // if (oc->gfp_mask & __GFP_THISNODE) return CONSTRAINT_NONE;
    if oc.gfp & THISNODE != 0 {
        return Constraint::None;
    }
    // if (oc->nodemask && !nodes_subset(node_states[N_MEMORY], *oc->nodemask))
    if let Some(nm) = &oc.nodemask {
        if !n_memory.is_subset(nm) {
            return Constraint::MemoryPolicy;
        }
    }
    // for_each_zone_zonelist_nodemask(zone, z, oc->zonelist,
    //         highest_zoneidx, oc->nodemask)
    //     if (!cpuset_zone_allowed(zone, oc->gfp_mask)) cpuset_limited = true;
    let Some(highest) = gfp_zone(p, oc.gfp) else {
        return Constraint::None;
    };
    let limited = zones
        .iter()
        .filter(|z| z.zone_idx <= highest)
        .filter(|z| oc.nodemask.is_none_or(|nm| nm.contains(z.node)))
        .any(|z| !task.cpuset.zone_allowed(z.node, oc.gfp));
    if limited {
        Constraint::Cpuset
    } else {
        Constraint::None
    }
}

/// The nodes with memory (`node_states[N_MEMORY]`): the nodes of `zones`,
/// which are populated zones (`populated_zone()`), as the module and a
/// report list them.
pub fn nodes_with_memory(zones: &[ZoneSnapshot]) -> NodeMask {
    let mut m = NodeMask::NONE;
    for z in zones {
        m.set(z.node);
    }
    m
}

named_enum! {
    /// Why `out_of_memory()` returns without choosing a victim.
    pub enum NoKill {
        /// A notifier freed memory (`freed > 0 && !is_sysrq_oom(oc)`).
        NotifierFreed => "notifier_freed",
        /// `task_will_free_mem(current)`: the task itself is exiting and is
        /// made the victim; nothing else is killed.
        TaskExiting => "task_exiting",
        /// `!(oc->gfp_mask & __GFP_FS) && !is_memcg_oom(oc)`: "The OOM killer
        /// does not compensate for IO-less reclaim" (`GFP_NOFS`, `GFP_NOIO`).
        NoFs => "nofs",
    }
}

named_enum! {
    /// Why the data cannot say whether `out_of_memory()` kills.
    pub enum Undecided {
        /// `task_will_free_mem(current)` depends on the other tasks sharing
        /// the mm, which the module does not read.
        TaskExitingSharedMm => "task_exiting_shared_mm",
        /// No request was seen, nor whether `out_of_memory()` ran at all
        /// ([`super::request::Request::shown`]).
        NoRequest => "no_request",
    }
}

/// Whether `out_of_memory()` goes on to kill (choose a victim).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kill {
    /// It goes on to `constrained_alloc()` and a victim.
    Yes,
    /// It returns first, for the reason given.
    No(NoKill),
    /// Undecided from the data, for the reason given.
    Unknown(Undecided),
}

impl Kill {
    /// The `kill=` word.
    pub const fn name(self) -> &'static str {
        match self {
            Kill::Yes => "1",
            Kill::No(_) => "0",
            Kill::Unknown(_) => "unknown",
        }
    }
}

/// The early returns of `out_of_memory()`, in its order: the notifier
/// chain's `freed` (not for memcg, which skips the chain, nor for sysrq),
/// `task_will_free_mem(current)`, then the `__GFP_FS` rule (not for memcg).
/// `freed` is what the notifiers before oomfrag's freed; oomfrag registers
/// last, so that is all of them.
///
/// The `__GFP_FS` rule is 7.3's `!(oc->gfp_mask & __GFP_FS)`, the form of
/// "mm, oom: do not check 0 mask in out_of_memory()" (Haifeng Xu, 2023).
/// Before it, from 3da88fb3bacf ("mm, oom: move GFP_NOFS check to
/// out_of_memory"), the check was `oc->gfp_mask && !(oc->gfp_mask &
/// __GFP_FS)`, which let `pagefault_out_of_memory()`'s mask 0 through to a
/// kill (and before 3da88fb3bacf `out_of_memory()` had no such check).  A
/// page fault stopped calling `out_of_memory()` in 60e2793d440a ("mm, oom:
/// do not trigger out_of_memory from the #PF", 5.16, and the stable kernels
/// it was backported to), before the form changed: every kernel that made
/// the call let mask 0 through.  So `page_fault` (a page fault's call, only
/// ever read from an old kernel's log) is each version's rule.
pub fn oom_kill(oc: &OomControl, sysrq: bool, page_fault: bool, freed: u64, task: &Task) -> Kill {
    if !oc.memcg && freed > 0 && !sysrq {
        return Kill::No(NoKill::NotifierFreed);
    }
    match task.will_free_mem {
        Some(true) => return Kill::No(NoKill::TaskExiting),
        None => return Kill::Unknown(Undecided::TaskExitingSharedMm),
        Some(false) => {}
    }
    if oc.gfp & FS == 0 && !oc.memcg && !(page_fault && oc.gfp == 0) {
        return Kill::No(NoKill::NoFs);
    }
    Kill::Yes
}
