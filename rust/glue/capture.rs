// SPDX-License-Identifier: GPL-2.0

//! Capturing the OOM: the kprobe at `out_of_memory()` entry, which records
//! the failed request (`struct kprobe` and `struct oom_control` are not in
//! the Rust bindings, so a few lines of C in `capture_shim.c` read them),
//! and the task that called the OOM killer.
//!
//! The module's state is reached only through [`MemcgOomHandler`] and the
//! notifier's [`super::oom_notifier::OomHandler`].

use super::atomic::{
    Acquire,
    Atomic,
    Relaxed,
    Release, //
};
use crate::engine::request::{
    Request,
    Trigger,
    COMM_LEN, //
};
use crate::engine::zone::{
    NodeMask,
    NODE_WORDS, //
};
use kernel::{
    bindings,
    ffi,
    prelude::*,
    sync::Arc, //
};

// The engine's idea of a task name's length and of the node count are the
// kernel's.
const _: () = assert!(COMM_LEN == bindings::TASK_COMM_LEN as usize);
const _: () = assert!(bindings::MAX_NUMNODES as usize <= NODE_WORDS * 64);

/// Words of a `nodemask_t` (`BITS_TO_LONGS(MAX_NUMNODES)`).
const MASK_WORDS: usize = (bindings::MAX_NUMNODES as usize).div_ceil(ffi::c_ulong::BITS as usize);

/// `struct oomfrag_task` of shim.h, filled by `oomfrag_current()`.
#[repr(C)]
struct TaskRaw {
    comm: [u8; COMM_LEN],
    pid: ffi::c_int,
    will_free_mem: ffi::c_int,
    rt: bool,
    memalloc: bool,
    oom_victim: bool,
    kswapd: bool,
    cpusets: bool,
    mems_allowed: [ffi::c_ulong; MASK_WORDS],
    hardwall: [ffi::c_ulong; MASK_WORDS],
    softwall: [ffi::c_ulong; MASK_WORDS],
}

unsafe extern "C" {
    fn oomfrag_kprobe_register(
        report: unsafe extern "C" fn(*const ffi::c_void),
        data: *const ffi::c_void,
    ) -> ffi::c_int;
    fn oomfrag_kprobe_unregister();
    fn oomfrag_memcg_queue();
    fn oomfrag_current(t: *mut TaskRaw);
}

/// A kernel `nodemask_t`'s words as a [`NodeMask`].
fn node_mask(words: &[ffi::c_ulong]) -> NodeMask {
    const BITS: usize = ffi::c_ulong::BITS as usize;
    let mut mask = NodeMask::NONE;
    for (i, &w) in words.iter().enumerate() {
        let mut w = w;
        while w != 0 {
            let b = w.trailing_zeros() as usize;
            w &= w - 1;
            if let Ok(n) = u16::try_from(i * BITS + b) {
                mask.set(n);
            }
        }
    }
    mask
}

/// The request captured at `out_of_memory()` entry by the kprobe, for the
/// notifier that runs next in the same task.  All OOM invocations are
/// serialised by `oom_lock`, so there is one writer at a time; `seq` is
/// published last and names the writer's pid.
pub(crate) struct Pending {
    seq: Atomic<u64>,
    pid: Atomic<i32>,
    order: Atomic<i32>,
    gfp: Atomic<u32>,
    zonelist: Atomic<bool>,
    /// The preferred node, -1 when unknown.
    node: Atomic<i32>,
    nodes: [Atomic<u64>; NODE_WORDS],
}

static PENDING: Pending = Pending {
    seq: Atomic::new(0),
    pid: Atomic::new(0),
    order: Atomic::new(0),
    gfp: Atomic::new(0),
    zonelist: Atomic::new(false),
    node: Atomic::new(-1),
    nodes: [const { Atomic::new(u64::MAX) }; NODE_WORDS],
};

impl Pending {
    fn store(order: i32, gfp: u32, zonelist: bool, node: Option<u16>, nodes: &NodeMask, pid: i32) {
        let p = &PENDING;
        p.pid.store(pid, Relaxed);
        p.order.store(order, Relaxed);
        p.gfp.store(gfp, Relaxed);
        p.zonelist.store(zonelist, Relaxed);
        p.node.store(node.map_or(-1, i32::from), Relaxed);
        for (d, s) in p.nodes.iter().zip(nodes.words()) {
            d.store(*s, Relaxed);
        }
        let next = p.seq.load(Relaxed).wrapping_add(1).max(1);
        p.seq.store(next, Release);
    }

    /// `r` completed with the request the kprobe captured for this task,
    /// if it is one not taken before (`consumed` is the last one taken).
    /// In place: a `Request` is over 500 bytes, and struct copies are
    /// most of the OOM path's cost under emulation.
    pub(crate) fn take(consumed: &mut u64, r: &mut Request) {
        let p = &PENDING;
        let seq = p.seq.load(Acquire);
        if seq == 0 || seq == *consumed || p.pid.load(Relaxed) != r.pid {
            return;
        }
        *consumed = seq;
        let order = p.order.load(Relaxed);
        r.order = Some(order);
        r.gfp = Some(p.gfp.load(Relaxed));
        let mut words = [0u64; NODE_WORDS];
        for (d, s) in words.iter_mut().zip(&p.nodes) {
            *d = s.load(Relaxed);
        }
        r.nodes = NodeMask::from_words(&words);
        r.zonelist = p.zonelist.load(Relaxed);
        r.preferred_node = u16::try_from(p.node.load(Relaxed)).ok();
        r.trigger = if order < 0 {
            Trigger::Sysrq
        } else if r.task.kswapd && !r.zonelist {
            Trigger::Kswapd
        } else {
            Trigger::Alloc
        };
    }
}

/// A request with nothing captured but the current task: its name, pid,
/// the flags the allocator reads, its cpuset, and `freed`, the pages the
/// OOM notifiers before oomfrag's freed.
///
/// Read in C: in this kernel build, `current!().pid()` (and any field of
/// the bindings' `task_struct`) reads the wrong offset (a kernel text
/// address came back as the pid), so the task's fields are left to C.
pub(crate) fn current_request(freed: u64) -> Request {
    let mut r = Request::unknown(crate::engine::gfp_types::KERNEL);
    fill_current_request(&mut r, freed);
    r
}

/// [`current_request()`] into `r` (which must hold nothing captured yet,
/// as [`Request::unknown`] made it), in place.
pub(crate) fn fill_current_request(r: &mut Request, freed: u64) {
    let mut raw = TaskRaw {
        comm: [0; COMM_LEN],
        pid: 0,
        will_free_mem: 0,
        rt: false,
        memalloc: false,
        oom_victim: false,
        kswapd: false,
        cpusets: false,
        mems_allowed: [0; MASK_WORDS],
        hardwall: [0; MASK_WORDS],
        softwall: [0; MASK_WORDS],
    };
    // SAFETY: `raw` is a valid `struct oomfrag_task` (same layout, see
    // shim.h); the shim only reads `current` and writes `*t`.
    unsafe { oomfrag_current(&mut raw) };
    r.comm = raw.comm;
    r.pid = raw.pid;
    r.freed = freed;
    let t = &mut r.task;
    t.rt = raw.rt;
    t.memalloc = raw.memalloc;
    t.oom_victim = raw.oom_victim;
    t.kswapd = raw.kswapd;
    t.will_free_mem = match raw.will_free_mem {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    };
    t.cpuset.enabled = raw.cpusets;
    t.cpuset.mems_allowed = node_mask(&raw.mems_allowed);
    t.cpuset.hardwall = node_mask(&raw.hardwall);
    t.cpuset.softwall = node_mask(&raw.softwall);
}

/// What the kprobe hands a memory-cgroup OOM to: the notifier chain is
/// not called for those, so this is the only place the module sees them.
pub(crate) trait MemcgOomHandler: Send + Sync + 'static {
    /// A memory-cgroup OOM, with its request as captured at
    /// `out_of_memory()` entry.  Called from an irq_work (hard interrupt
    /// context), at most one at a time.
    fn on_memcg_oom(&self, req: Request);
}

/// A registered kprobe at `out_of_memory()` entry, recording each request
/// for the notifier that runs next ([`Pending`]) and handing memory-cgroup
/// OOMs to `T`; unregistered on drop.
///
/// # Invariants
///
/// While a value exists, the kprobe is registered, and the shim calls
/// [`Self::report`] with a pointer to `state`'s `T`, which this
/// value keeps alive (`_state`).  [`Drop`] unregisters the kprobe and waits
/// for the irq_work before the state is released.
pub(crate) struct OomKprobe<T: MemcgOomHandler> {
    _state: Arc<T>,
}

impl<T: MemcgOomHandler> OomKprobe<T> {
    /// Registers the kprobe, handing memory-cgroup OOMs to `state` (at most
    /// one registration at a time: the shim has one static `struct
    /// kprobe`, and says `EBUSY` to a second).  `EOPNOTSUPP` without
    /// `CONFIG_KPROBES` or with the module parameter `kprobe=0`.
    pub(crate) fn register(state: Arc<T>) -> Result<Self> {
        // The `T` in the `Arc` (`Arc::as_ptr()` does not exist in 6.12).
        let data = core::ptr::from_ref::<T>(&state).cast::<ffi::c_void>();
        // SAFETY: `report` is sound for `data` as long as `state` lives,
        // which the returned value ensures (type invariant); on failure
        // the shim keeps nothing.
        let ret = unsafe { oomfrag_kprobe_register(Self::report, data) };
        if ret != 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(Self { _state: state })
    }

    /// Reports the memcg OOM the kprobe handler queued, from the irq_work
    /// (hard interrupt context).
    ///
    /// # Safety
    ///
    /// Called only by the shim's irq_work, with the `data` given to
    /// `oomfrag_kprobe_register()` by a live [`OomKprobe<T>`].
    unsafe extern "C" fn report(data: *const ffi::c_void) {
        if !MEMCG.busy.load(Acquire) {
            return;
        }
        // SAFETY: `busy` is set and the handler that set it queued this
        // work, so the work owns `req` now (`MemcgSlot`'s invariant).
        let r = unsafe { *MEMCG.req.get() };
        MEMCG.busy.store(false, Release);
        // SAFETY: per the contract, `data` points to the live `T` of an
        // `OomKprobe<T>`, which waits for this work before releasing it.
        unsafe { &*data.cast::<T>() }.on_memcg_oom(r);
    }
}

impl<T: MemcgOomHandler> Drop for OomKprobe<T> {
    fn drop(&mut self) {
        // SAFETY: registered in `register` (type invariant); the shim
        // waits for running handlers and for the irq_work, the last reader
        // of `_state`, which is released after this.
        unsafe { oomfrag_kprobe_unregister() };
    }
}

/// Called by the shim's kprobe pre-handler at `out_of_memory()` entry, in
/// the kprobe's atomic context, before the notifier chain and the kernel's
/// report.
///
/// # Safety
///
/// Called only by that handler, with `nodes` either null or pointing to
/// `nr_words` words of the request's `nodemask_t`.
#[no_mangle]
unsafe extern "C" fn oomfrag_oom_entry(
    order: ffi::c_int,
    gfp: ffi::c_uint,
    memcg: bool,
    zonelist: bool,
    node: ffi::c_int,
    nodes: *const ffi::c_ulong,
    nr_words: ffi::c_uint,
) {
    // NUMA_NO_NODE (-1) when the request has no zonelist.
    let node = u16::try_from(node).ok();
    let mask = if nodes.is_null() {
        NodeMask::ALL
    } else {
        // SAFETY: per the contract, `nodes` points to `nr_words` words.
        node_mask(unsafe { core::slice::from_raw_parts(nodes, nr_words as usize) })
    };
    if !memcg {
        Pending::store(order, gfp, zonelist, node, &mask, current_pid());
        return;
    }
    // The OOM notifier chain is not called for memcg OOMs: hand the request
    // to the irq_work, which reports it (this context may be int3's,
    // NMI-like: no locks, no ktime_get()).
    if MEMCG.busy.cmpxchg(false, true, Acquire).is_err() {
        // The previous one is not reported yet (memcg OOMs are serialised
        // by `oom_lock`, so this needs a very slow irq_work).
        return;
    }
    let mut r = current_request(0);
    r.trigger = Trigger::Memcg;
    r.order = Some(order);
    r.gfp = Some(gfp);
    r.nodes = mask;
    r.zonelist = zonelist;
    r.preferred_node = node;
    // SAFETY: this handler owns `busy`, so no one else touches `req`
    // (`MemcgSlot`'s invariant).
    unsafe { *MEMCG.req.get() = r };
    // SAFETY: irq_work_queue() may be called from any context.
    unsafe { oomfrag_memcg_queue() };
}

/// The memory-cgroup request the kprobe handler hands to the irq_work.
///
/// # Invariants
///
/// `req` is touched only by the owner of `busy`: the handler that set it
/// (`cmpxchg(false, true)`) until it queues the irq_work, then the irq_work
/// until it has copied `req` out and cleared `busy`.
struct MemcgSlot {
    busy: Atomic<bool>,
    req: core::cell::UnsafeCell<Request>,
}

// SAFETY: `req` is only accessed by the owner of `busy` (invariant).
unsafe impl Sync for MemcgSlot {}

static MEMCG: MemcgSlot = MemcgSlot {
    busy: Atomic::new(false),
    req: core::cell::UnsafeCell::new(Request::unknown(crate::engine::gfp_types::KERNEL)),
};

/// The current task's pid.
fn current_pid() -> i32 {
    current_request(0).pid
}
