// SPDX-License-Identifier: GPL-2.0

//! What the page allocator and the OOM killer read from the allocating task
//! (`current`): the task flags that change the allocator's `ALLOC_*` flags,
//! its cpuset's node rules, and whether it is about to free its memory.
//! Plain data, read by `glue/capture.rs` in the module and from the report by
//! the offline analyzer.

use super::gfp_types::HARDWALL;
use super::zone::NodeMask;

/// The nodes `cpuset_current_node_allowed(node, gfp_mask)`
/// (kernel/cgroup/cpuset.c) allows the task, for both kinds of request.
///
/// The kernel's rule: any node in `current->mems_allowed`; any node for an
/// OOM victim or an exiting task; for a `__GFP_HARDWALL` request nothing
/// else; otherwise (cgroup v2) any node, or (v1) the nodes of the nearest
/// hardwalled ancestor cpuset.  The module asks the kernel's own function
/// for each node, so both masks already hold the task's exceptions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cpuset {
    /// `cpusets_enabled()`: more than the root cpuset exists.  When false
    /// the allocator never consults the cpuset.
    pub enabled: bool,
    /// `current->mems_allowed` (printed as the kernel's `mems_allowed=`).
    pub mems_allowed: NodeMask,
    /// Nodes allowed to a `__GFP_HARDWALL` request.
    pub hardwall: NodeMask,
    /// Nodes allowed to a request without `__GFP_HARDWALL`.
    pub softwall: NodeMask,
}

impl Cpuset {
    /// No cpuset restriction (`cpusets_enabled()` is false).
    pub const NONE: Cpuset = Cpuset {
        enabled: false,
        mems_allowed: NodeMask::ALL,
        hardwall: NodeMask::ALL,
        softwall: NodeMask::ALL,
    };

    /// `__cpuset_zone_allowed(zone, gfp_mask)` for a zone of `node`
    /// (include/linux/cpuset.h), when `cpusets_enabled()`.
    pub fn node_allowed(&self, node: u16, gfp: u32) -> bool {
        if gfp & HARDWALL != 0 {
            self.hardwall.contains(node)
        } else {
            self.softwall.contains(node)
        }
    }

    /// `cpuset_zone_allowed(zone, gfp_mask)`: true when cpusets are off.
    pub fn zone_allowed(&self, node: u16, gfp: u32) -> bool {
        !self.enabled || self.node_allowed(node, gfp)
    }
}

/// The allocating task, as far as the allocator's decisions depend on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Task {
    /// `rt_or_dl_task(current)`: a blocking request gets
    /// `ALLOC_MIN_RESERVE` (`alloc_flags_slowpath()`).
    pub rt: bool,
    /// `current->flags & PF_MEMALLOC`: `ALLOC_NO_WATERMARKS`
    /// (`__gfp_pfmemalloc_flags()`).
    pub memalloc: bool,
    /// `tsk_is_oom_victim(current)`: `ALLOC_OOM` (`oom_reserves_allowed()`).
    pub oom_victim: bool,
    /// `current->flags & PF_KSWAPD`: the OOM call comes from kswapd
    /// (MGLRU's `lru_gen_age_node()`), not from a failed allocation.
    pub kswapd: bool,
    /// `task_will_free_mem(current)` (mm/oom_kill.c): `Some(true)` when it
    /// holds, so `out_of_memory()` picks the task itself and kills nothing
    /// else; `None` when it depends on other tasks sharing the mm, which
    /// the module does not walk.
    pub will_free_mem: Option<bool>,
    /// The task's cpuset.
    pub cpuset: Cpuset,
}

impl Task {
    /// A task with no flag that matters and no cpuset (the `query` file's
    /// hypothetical requests, and what a log does not say).
    pub const PLAIN: Task = Task {
        rt: false,
        memalloc: false,
        oom_victim: false,
        kswapd: false,
        will_free_mem: Some(false),
        cpuset: Cpuset::NONE,
    };
}
