// SPDX-License-Identifier: GPL-2.0

//! oomfrag: says why the OOM killer ran.
//!
//! When the kernel invokes the OOM killer, oomfrag logs one summary line and
//! one line per zone telling whether the failed request was refused for real
//! exhaustion, fragmentation, or a reserve it may not use (CMA, high-atomic,
//! `lowmem_reserve`), judged exactly as `__zone_watermark_ok()` judges.  The
//! same analysis is available at any time under `/sys/kernel/debug/oomfrag/`.
//!
//! Layout: `engine.rs` and `report.rs` are pure (also built on the host);
//! `live.rs` reads zones; this file is the glue: the OOM notifier, the
//! kprobe callback, debugfs, and the module's state.

use kernel::{
    debugfs::{Dir, File},
    ffi, new_mutex, new_spinlock,
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Relaxed, Release},
        Arc, Mutex, SpinLock,
    },
    time::{Instant, Monotonic},
    uaccess::UserSliceReader,
};

pub mod engine;
mod kunit;
pub mod live;
pub mod oom_notifier;
pub mod report;

use engine::{Platform, ZoneSnapshot};
use report::{Event, EventText, QuerySpec, Request, Stats, SummaryLine, Trigger, ZoneLine};

module! {
    type: OomFrag,
    name: "oomfrag",
    authors: ["The oomfrag developers"],
    description: "Explains why the OOM killer ran: exhaustion, fragmentation or reserves",
    license: "GPL",
    params: {
        kprobe: bool {
            default: true,
            description: "Capture the request at out_of_memory() with a kprobe (0: as without CONFIG_KPROBES)",
        },
    },
}

/// OOM verdicts kept for the `last` file.
const HISTORY: usize = 8;
/// Zones the OOM path can snapshot (preallocated).
const MAX_SNAP_ZONES: usize = 64;
/// At most this many events are printed per [`RATELIMIT_NS`]; later ones
/// are counted in `stats` and kept in `last`.
const RATELIMIT_BURST: u32 = 10;
const RATELIMIT_NS: i64 = 5_000_000_000;

unsafe extern "C" {
    fn oomfrag_kprobe_register() -> ffi::c_int;
    fn oomfrag_kprobe_unregister();
    fn oomfrag_current(comm: *mut u8, pid: *mut ffi::c_int);
}

/// The request captured at `out_of_memory()` entry by the kprobe.  All OOM
/// invocations are serialised by `oom_lock`, so there is one writer at a
/// time; `seq` is published last and names the writer's pid.
struct Pending {
    seq: Atomic<u64>,
    pid: Atomic<i32>,
    order: Atomic<i32>,
    gfp: Atomic<u32>,
    nodes: Atomic<u64>,
}

static PENDING: Pending = Pending {
    seq: Atomic::new(0),
    pid: Atomic::new(0),
    order: Atomic::new(0),
    gfp: Atomic::new(0),
    nodes: Atomic::new(u64::MAX),
};

/// The module's shared state, for the C callbacks (set while registered).
static SHARED: Atomic<*const Shared> = Atomic::new(core::ptr::null());

struct History {
    events: KVec<Event>,
    next: usize,
    stats: Stats,
    window: Window,
}

/// The print rate limit's current window.
struct Window {
    start: Option<Instant<Monotonic>>,
    count: u32,
}

/// Preallocated memory of the OOM path.
struct Scratch {
    zones: KVec<ZoneSnapshot>,
    event: KBox<Event>,
    consumed: u64,
}

/// Preallocated memory of the debugfs readers, so that reading a file does
/// not itself change the free lists it reports (a 64-zone snapshot would be
/// an order-5 allocation).
struct DebugScratch {
    zones: KVec<ZoneSnapshot>,
    event: KBox<Event>,
    history: KVec<Event>,
}

#[pin_data]
struct Shared {
    platform: Platform<'static>,
    #[pin]
    history: SpinLock<History>,
    #[pin]
    scratch: Mutex<Scratch>,
    #[pin]
    query: Mutex<QuerySpec>,
    #[pin]
    debug: Mutex<DebugScratch>,
    seq: Atomic<u64>,
    kprobe: Atomic<bool>,
}

fn filled<T: Copy>(n: usize, v: T) -> Result<KVec<T>> {
    let mut out = KVec::with_capacity(n, GFP_KERNEL)?;
    for _ in 0..n {
        out.push(v, GFP_KERNEL)?;
    }
    Ok(out)
}

impl Shared {
    fn new() -> Result<impl PinInit<Self>> {
        let platform = live::platform();
        let events = filled(HISTORY, Event::EMPTY)?;
        let zones = filled(
            MAX_SNAP_ZONES,
            ZoneSnapshot::empty(0, 0, engine::ZoneKind::Normal, 0),
        )?;
        let event = KBox::new(Event::EMPTY, GFP_KERNEL)?;
        let debug = DebugScratch {
            zones: filled(
                MAX_SNAP_ZONES,
                ZoneSnapshot::empty(0, 0, engine::ZoneKind::Normal, 0),
            )?,
            event: KBox::new(Event::EMPTY, GFP_KERNEL)?,
            history: filled(HISTORY, Event::EMPTY)?,
        };
        Ok(pin_init!(Self {
            platform,
            history <- new_spinlock!(History {
                events,
                next: 0,
                stats: Stats::default(),
                window: Window { start: None, count: 0 },
            }),
            scratch <- new_mutex!(Scratch { zones, event, consumed: 0 }),
            query <- new_mutex!(QuerySpec { order: 0, gfp: live::GFP_KERNEL, node: None }),
            debug <- new_mutex!(debug),
            seq: Atomic::new(0),
            kprobe: Atomic::new(false),
        }))
    }

    /// Counts an event and decides whether to print it (rate limit).
    fn count(stats: &mut Stats, w: &mut Window, e: &Event) -> bool {
        stats.record(e);
        let now = Instant::<Monotonic>::now();
        if w.start.is_none_or(|s| (now - s).as_nanos() > RATELIMIT_NS) {
            w.start = Some(now);
            w.count = 0;
        }
        w.count += 1;
        let print = w.count <= RATELIMIT_BURST;
        if !print {
            stats.suppressed += 1;
        }
        print
    }

    /// The OOM path for zone shortages, from the notifier: snapshot,
    /// evaluate, keep, print.  Runs under `oom_lock`, in process context.
    /// Allocates nothing; `scratch` is taken only here (never by code that
    /// allocates, and never contended: `oom_lock` serialises OOMs), the
    /// history spinlock only for a copy; loops are bounded by the number of
    /// zones.  Printing happens with preemption enabled.
    fn on_oom(&self) {
        let start = Instant::<Monotonic>::now();
        let mut guard = self.scratch.lock();
        let s = &mut *guard;
        let req = self.take_request(&mut s.consumed);
        let e = &mut *s.event;
        let n = live::snapshot(&mut s.zones, live::Mode::Lockless).min(MAX_SNAP_ZONES);
        e.evaluate(&self.platform, &s.zones[..n], req);
        e.nr_zones = e.nr_zones.max(n);
        e.seq = self.seq.fetch_add(1, Relaxed) + 1;
        e.compute_ns = start.elapsed().as_nanos().max(0) as u64;
        let print = {
            let mut guard = self.history.lock();
            let h = &mut *guard;
            h.events[h.next % HISTORY] = *e;
            h.next = h.next.wrapping_add(1);
            Self::count(&mut h.stats, &mut h.window, e)
        };
        if print {
            pr_info!(
                "{}\n",
                format_args!("{}", SummaryLine(&self.platform, &e.summary()))
            );
            for z in e.zones() {
                pr_info!("{}\n", format_args!("{}", ZoneLine(e, z)));
            }
        }
    }

    /// The OOM path for a memory-cgroup OOM, from the kprobe (atomic
    /// context; the notifier chain is not called for these).  No zones are
    /// read: the event is filled in its history slot, and one line printed.
    fn on_memcg_oom(&self, req: Request) {
        let start = Instant::<Monotonic>::now();
        let (summary, print) = {
            let mut guard = self.history.lock();
            let h = &mut *guard;
            // Filled in place: a whole event is too big for a kprobe's stack.
            let e = &mut h.events[h.next % HISTORY];
            h.next = h.next.wrapping_add(1);
            e.evaluate(&self.platform, &[], req);
            e.nr_zones = 0;
            e.seq = self.seq.fetch_add(1, Relaxed) + 1;
            e.compute_ns = start.elapsed().as_nanos().max(0) as u64;
            (e.summary(), Self::count(&mut h.stats, &mut h.window, e))
        };
        if print {
            pr_info!(
                "{}\n",
                format_args!("{}", SummaryLine(&self.platform, &summary))
            );
        }
    }

    /// The request the kprobe captured for this task, if it is new.
    fn take_request(&self, consumed: &mut u64) -> Request {
        let mut r = Request::unknown(live::GFP_KERNEL);
        let mut pid = 0;
        // SAFETY: `comm` has room for TASK_COMM_LEN (16) bytes and `pid`
        // is a valid int; the shim only reads `current`.
        unsafe { oomfrag_current(r.comm.as_mut_ptr(), &mut pid) };
        r.pid = pid;
        let seq = PENDING.seq.load(Acquire);
        if seq != 0 && seq != *consumed && PENDING.pid.load(Relaxed) == pid {
            *consumed = seq;
            let order = PENDING.order.load(Relaxed);
            r.order = Some(order);
            r.gfp = Some(PENDING.gfp.load(Relaxed));
            r.nodes = PENDING.nodes.load(Relaxed);
            r.trigger = if order < 0 {
                Trigger::Sysrq
            } else {
                Trigger::Alloc
            };
        }
        r
    }
}

/// Called by the shim's kprobe at `out_of_memory()` entry (atomic context).
#[no_mangle]
extern "C" fn oomfrag_oom_entry(
    order: ffi::c_int,
    gfp: ffi::c_uint,
    memcg: bool,
    nodes: ffi::c_ulong,
    comm: *const u8,
    pid: ffi::c_int,
) {
    if memcg {
        // The OOM notifier chain is not called for memcg OOMs: report here.
        let shared = SHARED.load(Acquire);
        if shared.is_null() {
            return;
        }
        let mut r = Request::unknown(live::GFP_KERNEL);
        r.trigger = Trigger::Memcg;
        r.order = Some(order);
        r.gfp = Some(gfp);
        r.nodes = nodes as u64;
        r.pid = pid;
        // SAFETY: `comm` is `current->comm`, TASK_COMM_LEN (16) bytes.
        unsafe { core::ptr::copy_nonoverlapping(comm, r.comm.as_mut_ptr(), 16) };
        // SAFETY: `SHARED` is set before the kprobe is registered and
        // cleared only after `unregister_kprobe()` has waited for running
        // handlers, so the pointee is alive.
        unsafe { &*shared }.on_memcg_oom(r);
        return;
    }
    PENDING.pid.store(pid, Relaxed);
    PENDING.order.store(order, Relaxed);
    PENDING.gfp.store(gfp, Relaxed);
    PENDING.nodes.store(nodes as u64, Relaxed);
    let next = PENDING.seq.load(Relaxed).wrapping_add(1).max(1);
    PENDING.seq.store(next, Release);
}

/// The OOM notifier: runs inside `out_of_memory()`, before the kernel's own
/// report.  Frees nothing, so it leaves `*freed` alone.
///
/// # Safety
///
/// Called only by the OOM notifier chain, with the registered block.
unsafe extern "C" fn oom_notify(
    _nb: *mut kernel::bindings::notifier_block,
    _action: ffi::c_ulong,
    _freed: *mut ffi::c_void,
) -> ffi::c_int {
    let shared = SHARED.load(Acquire);
    if !shared.is_null() {
        // SAFETY: `SHARED` is set before the notifier is registered and
        // cleared only after `unregister_oom_notifier()` has waited for
        // running callbacks, so the pointee is alive.
        unsafe { &*shared }.on_oom();
    }
    kernel::bindings::NOTIFY_DONE as ffi::c_int
}

// ---- debugfs: formatting and wiring only ---------------------------------

fn show_zones(s: &Arc<Shared>, f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
    writeln!(f, "# oomfrag zones v{}", report::FORMAT_VERSION)?;
    let mut d = s.debug.lock();
    let n = live::snapshot(&mut d.zones, live::Mode::Counted);
    for z in &d.zones[..n.min(MAX_SNAP_ZONES)] {
        write!(f, "{}", report::ZoneSnapshotText(z))?;
    }
    if n > MAX_SNAP_ZONES {
        writeln!(f, "truncated zones={} shown={}", n, MAX_SNAP_ZONES)?;
    }
    Ok(())
}

fn show_watermarks(s: &Arc<Shared>, f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
    writeln!(f, "# oomfrag watermarks v{}", report::FORMAT_VERSION)?;
    let mut d = s.debug.lock();
    let n = live::snapshot(&mut d.zones, live::Mode::Lockless);
    for z in &d.zones[..n.min(MAX_SNAP_ZONES)] {
        let t = report::WatermarkTable {
            p: &s.platform,
            z,
            gfp_nocma: live::GFP_KERNEL,
            gfp_cma: live::GFP_HIGHUSER_MOVABLE,
        };
        write!(f, "{t}")?;
    }
    Ok(())
}

fn show_query(s: &Arc<Shared>, f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
    writeln!(f, "# oomfrag query v{}", report::FORMAT_VERSION)?;
    let q = *s.query.lock();
    let mut guard = s.debug.lock();
    let d = &mut *guard;
    let mut n = live::snapshot(&mut d.zones, live::Mode::Counted).min(MAX_SNAP_ZONES);
    if let Some(node) = q.node {
        let mut kept = 0;
        for i in 0..n {
            if d.zones[i].node == node {
                d.zones[kept] = d.zones[i];
                kept += 1;
            }
        }
        n = kept;
    }
    let mut req = Request::unknown(live::GFP_KERNEL);
    req.trigger = Trigger::Query;
    req.order = Some(i32::from(q.order));
    req.gfp = Some(q.gfp);
    d.event.evaluate(&s.platform, &d.zones[..n], req);
    write!(f, "{}", EventText(&s.platform, &d.event))
}

fn write_query(s: &Arc<Shared>, r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; report::QUERY_MAX];
    let len = r.len();
    let spec = if len > buf.len() {
        Err(report::QueryError::TooLong)
    } else {
        r.read_slice(&mut buf[..len])?;
        report::parse_query(
            &s.platform,
            &buf[..len],
            live::NR_ORDERS_U8,
            live::GFP_KERNEL,
            live::node_id_online,
        )
    };
    match spec {
        Ok(q) => {
            *s.query.lock() = q;
            Ok(())
        }
        Err(e) => {
            pr_warn!("query rejected: {}\n", e.message());
            Err(EINVAL)
        }
    }
}

fn show_last(s: &Arc<Shared>, f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
    writeln!(f, "# oomfrag last v{}", report::FORMAT_VERSION)?;
    // Copy out under the spinlock, format without it (seq_file allocates).
    let mut d = s.debug.lock();
    let next = {
        let h = s.history.lock();
        d.history.copy_from_slice(&h.events);
        h.next
    };
    let count = next.min(HISTORY);
    for k in 0..count {
        let e = &d.history[(next - count + k) % HISTORY];
        write!(f, "{}", EventText(&s.platform, e))?;
    }
    Ok(())
}

fn show_stats(s: &Arc<Shared>, f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
    let mut st = s.history.lock().stats;
    st.kprobe = s.kprobe.load(Relaxed);
    write!(f, "{st}")
}

#[pin_data]
struct Files {
    #[pin]
    zones: File<Arc<Shared>>,
    #[pin]
    watermarks: File<Arc<Shared>>,
    #[pin]
    query: File<Arc<Shared>>,
    #[pin]
    last: File<Arc<Shared>>,
    #[pin]
    stats: File<Arc<Shared>>,
    _dir: Dir,
}

impl Files {
    fn new(s: Arc<Shared>) -> impl PinInit<Self, Error> {
        let dir = Dir::new(c"oomfrag");
        try_pin_init!(Self {
            zones <- dir.read_callback_file(c"zones", s.clone(), &show_zones),
            watermarks <- dir.read_callback_file(c"watermarks", s.clone(), &show_watermarks),
            query <- dir.read_write_callback_file(c"query", s.clone(), &show_query, &write_query),
            last <- dir.read_callback_file(c"last", s.clone(), &show_last),
            stats <- dir.read_callback_file(c"stats", s, &show_stats),
            _dir: dir,
        })
    }
}

// ---- the module ------------------------------------------------------------

struct OomFrag {
    notifier: Option<oom_notifier::OomNotifier>,
    shared: Arc<Shared>,
    _files: Pin<KBox<Files>>,
    kprobe: bool,
}

impl kernel::Module for OomFrag {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let shared = Arc::pin_init(Shared::new()?, GFP_KERNEL)?;
        SHARED.store(core::ptr::from_ref::<Shared>(&shared), Release);
        let files = match KBox::pin_init(Files::new(shared.clone()), GFP_KERNEL) {
            Ok(f) => f,
            Err(e) => {
                SHARED.store(core::ptr::null(), Release);
                return Err(e);
            }
        };
        // Run before notifiers that free memory, so the verdict describes
        // the state that made the kernel give up.
        // SAFETY: `oom_notify` only reads `SHARED`, which stays valid until
        // `drop` has unregistered the notifier.
        let notifier = match unsafe { oom_notifier::OomNotifier::register(oom_notify, i32::MAX) } {
            Ok(n) => n,
            Err(e) => {
                SHARED.store(core::ptr::null(), Release);
                return Err(e);
            }
        };
        let kret = if module_parameters::kprobe.value() {
            // SAFETY: the shim's kprobe calls `oomfrag_oom_entry`, which
            // needs only `SHARED` (already set) and statics.
            unsafe { oomfrag_kprobe_register() }
        } else {
            -(kernel::bindings::EOPNOTSUPP as i32)
        };
        let kprobe = kret == 0;
        shared.kprobe.store(kprobe, Relaxed);
        if kprobe {
            pr_info!("loaded: notifier and kprobe on out_of_memory registered\n");
        } else {
            pr_warn!(
                "loaded without the out_of_memory kprobe (error {}): orders and gfp masks will be reported as unknown and memcg OOMs not seen\n",
                kret
            );
        }
        Ok(OomFrag {
            notifier: Some(notifier),
            shared,
            _files: files,
            kprobe,
        })
    }
}

impl Drop for OomFrag {
    fn drop(&mut self) {
        if self.kprobe {
            // SAFETY: registered in `init`; waits for running handlers.
            unsafe { oomfrag_kprobe_unregister() };
        }
        // Unregistering waits for running callbacks; only then may the
        // state they use go.
        self.notifier = None;
        SHARED.store(core::ptr::null(), Release);
        let events = self.shared.history.lock().stats.events;
        pr_info!("unloaded after {} OOM events\n", events);
    }
}
