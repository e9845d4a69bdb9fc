// SPDX-License-Identifier: GPL-2.0

//! The request the OOM killer was called for, as far as it was captured:
//! the `struct oom_control` fields (include/linux/oom.h), what called
//! `out_of_memory()`, and the allocating task; and what of it the
//! allocator's rules read.

use super::alloc_flags::reaches_may_oom;
use super::gfp_types::THISNODE;
use super::oom::OomControl;
use super::platform::Platform;
use super::task::Task;
use super::verdict::Unknown;
use super::zone::NodeMask;

/// `TASK_COMM_LEN`: bytes of a task name, NUL padding included.
pub const COMM_LEN: usize = 16;

named_enum! {
    /// What made the kernel call `out_of_memory()`.
    pub enum Trigger {
        /// A page allocation that failed after reclaim and compaction.
        Alloc => "alloc",
        /// A page allocation that failed without invoking the OOM killer
        /// (`warn_alloc()`'s "page allocation failure" report, read from a
        /// log: a `GFP_ATOMIC` or `__GFP_NORETRY` request, an order above
        /// `PAGE_ALLOC_COSTLY_ORDER`, ...).
        AllocFailure => "alloc_failure",
        /// `echo f > /proc/sysrq-trigger`: `moom_callback()`
        /// (drivers/tty/sysrq.c), order -1, `GFP_KERNEL`, the zonelist
        /// `node_zonelist(first_memory_node, gfp_mask)`; no allocation failed.
        Sysrq => "sysrq",
        /// MGLRU's `lru_gen_age_node()` from kswapd (mm/vmscan.c): order 0,
        /// `sc->gfp_mask`, no zonelist; no allocation failed.
        Kswapd => "kswapd",
        /// `pagefault_out_of_memory()` (mm/oom_kill.c) of kernels before
        /// 5.16, which called `out_of_memory()` for a page fault that
        /// returned `VM_FAULT_OOM`: `gfp_mask` 0, order 0, no zonelist; no
        /// allocation failed in the report (read from a log only).
        PageFault => "page_fault",
        /// A memory cgroup at its limit.
        Memcg => "memcg",
        /// The request was not captured (no kprobe).
        Unknown => "unknown",
        /// A request written to the debugfs `query` file.
        Query => "query",
    }
}

/// Whether `trigger` names a call of `out_of_memory()`.
pub fn called_oom(trigger: Trigger) -> bool {
    !matches!(trigger, Trigger::Query | Trigger::AllocFailure)
}

/// The request as the OOM killer saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    /// What called the OOM killer.
    pub trigger: Trigger,
    /// `oom_control->order` (-1 for sysrq), `None` when not captured.
    pub order: Option<i32>,
    /// `oom_control->gfp_mask`, `None` when not captured.
    pub gfp: Option<u32>,
    /// The mask evaluated when `gfp` is missing: the kernel's `GFP_KERNEL`.
    pub fallback_gfp: u32,
    /// The allocation's nodemask (`oom_control->nodemask`);
    /// [`NodeMask::ALL`] when NULL.
    pub nodes: NodeMask,
    /// `oom_control->zonelist != NULL`: false for kswapd (sysrq's is
    /// `node_zonelist(first_memory_node, GFP_KERNEL)`).
    pub zonelist: bool,
    /// The node of `oom_control->zonelist`: the allocation's
    /// `preferred_nid` (`ac->zonelist = node_zonelist(preferred_nid,
    /// gfp_mask)` in `prepare_alloc_pages()`), `None` when not captured.
    /// Only a `__GFP_THISNODE` request needs it ([`Request::zonelist_node`]).
    pub preferred_node: Option<u16>,
    /// The calling task's flags and cpuset.
    pub task: Task,
    /// Pages the OOM notifiers before oomfrag freed (`freed`).
    pub freed: u64,
    /// Task that called the OOM killer (NUL-padded).
    pub comm: [u8; COMM_LEN],
    /// Its pid.
    pub pid: i32,
    /// Whether the request was seen at all: always for the module, which
    /// sees every call of `out_of_memory()` (even when its kprobe did not
    /// capture the request's fields: [`Trigger::Unknown`]).  False only for
    /// a log whose zones follow no request (a `Mem-Info:` block without its
    /// first line, "invoked oom-killer" or "page allocation failure": a
    /// quoted excerpt, sysrq-m's `show_mem()`, a report whose first line
    /// was lost), which does not even show whether `out_of_memory()` ran:
    /// the verdict is `unknown missing=request`, `kill=unknown
    /// reason=no_request`, and the zones are judged as a plain request of
    /// `fallback_gfp` at order 0.
    pub shown: bool,
}

impl Request {
    /// A request with nothing captured.
    pub const fn unknown(fallback_gfp: u32) -> Self {
        Self {
            trigger: Trigger::Unknown,
            order: None,
            gfp: None,
            fallback_gfp,
            nodes: NodeMask::ALL,
            zonelist: true,
            preferred_node: None,
            task: Task::PLAIN,
            freed: 0,
            comm: [0; COMM_LEN],
            pid: 0,
            shown: true,
        }
    }

    /// Whether the call has a failed (or queried) allocation behind it:
    /// not sysrq's `moom_callback()` nor kswapd's `lru_gen_age_node()`,
    /// nor a page fault's call, nor a log that shows no request.
    pub fn allocated(&self) -> bool {
        !matches!(
            self.trigger,
            Trigger::Sysrq | Trigger::Kswapd | Trigger::PageFault
        ) && self.shown
    }

    /// Whether there is no request to judge: a page fault's call (no
    /// allocation failed) or one not shown at all ([`Request::shown`]):
    /// [`super::verdict::Unknown::Request`].
    pub fn without_request(&self) -> bool {
        self.trigger == Trigger::PageFault || !self.shown
    }

    /// The task whose flags and cpuset the allocator's rules are applied
    /// with ([`super::alloc_flags::slowpath_flags`], the cpuset walls): the
    /// caller's for an allocation; [`Task::PLAIN`] for a call with no
    /// allocation (sysrq, kswapd), which is judged as a plain request of its
    /// mask.  kswapd runs with `PF_MEMALLOC | PF_KSWAPD` (`kswapd()`,
    /// mm/vmscan.c) so that reclaim itself may allocate; taking its
    /// `PF_MEMALLOC` as `__gfp_pfmemalloc_flags()`'s `ALLOC_NO_WATERMARKS`
    /// would pass every zone.  The summary line's `task=` still shows
    /// [`Request::task`].
    pub fn alloc_task(&self) -> Task {
        if self.allocated() {
            self.task
        } else {
            Task::PLAIN
        }
    }

    /// Whether the allocator made `__alloc_pages_may_oom()`'s last attempt
    /// (at the high watermark) for this request: always for
    /// [`Trigger::Alloc`] (that function called `out_of_memory()`); for
    /// [`Trigger::AllocFailure`] when its mask and order show that the slow
    /// path got there ([`reaches_may_oom`]); never for the others.
    pub fn made_last_chance(&self) -> bool {
        match self.trigger {
            Trigger::Alloc => true,
            Trigger::AllocFailure => match (self.gfp, self.order) {
                (Some(gfp), Some(order)) => {
                    u32::try_from(order).is_ok_and(|o| reaches_may_oom(gfp, o, &self.alloc_task()))
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// The node whose zones alone the allocator walked, if only one's:
    /// `Ok(Some(n))` for a `__GFP_THISNODE` request on a NUMA kernel, whose
    /// zonelist is `node_zonelist(preferred_nid, gfp_mask)`, the preferred
    /// node's `ZONELIST_NOFALLBACK` (`gfp_zonelist()`, include/linux/gfp.h;
    /// without `CONFIG_NUMA` it is the fallback list); `Ok(None)` for every
    /// other request (the fallback list holds every node's zones).
    ///
    /// The preferred node is [`Request::preferred_node`] when captured.
    /// Otherwise it is known only when it is the one node of the request's
    /// nodemask, or the one node with memory (`n_memory`): the slow path
    /// stops before its first attempt unless `first_zones_zonelist(
    /// ac->zonelist, ac->highest_zoneidx, ac->nodemask)` finds a zone ("`if
    /// (!zonelist_zone(ac->preferred_zoneref)) goto nopage;`" in
    /// `__alloc_pages_slowpath()`), and a zone of a `ZONELIST_NOFALLBACK`
    /// list lies on its node.  Else `Err(Unknown::PreferredNode)`: the data
    /// cannot say which node's zones failed.
    pub fn zonelist_node(&self, p: &Platform, n_memory: &NodeMask) -> Result<Option<u16>, Unknown> {
        let gfp = self.gfp.unwrap_or(self.fallback_gfp);
        if !p.numa || gfp & THISNODE == 0 {
            return Ok(None);
        }
        self.preferred_node
            .or_else(|| self.nodes.single_node())
            .or_else(|| n_memory.single_node())
            .map(Some)
            .ok_or(Unknown::PreferredNode)
    }

    /// The `struct oom_control` of this request, as far as it is known.
    pub fn oom_control(&self) -> OomControl {
        OomControl {
            memcg: self.trigger == Trigger::Memcg,
            zonelist: self.zonelist,
            gfp: self.gfp.unwrap_or(self.fallback_gfp),
            nodemask: if self.nodes.is_all() {
                None
            } else {
                Some(self.nodes)
            },
        }
    }
}
