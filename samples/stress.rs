// SPDX-License-Identifier: GPL-2.0

//! oomfrag_stress: provokes each kind of OOM on purpose, for oomfrag's tests
//! and demos.  Never load it on a machine you care about.
//!
//! Write a scenario to `/sys/kernel/debug/oomfrag_stress/run`; the write
//! returns when the kernel has invoked the OOM killer and the hoarded memory
//! has been given back (or fails with `EAGAIN` if no OOM came):
//!
//! - `exhaustion`: hoard every page any request can get (movable, so CMA
//!   too), then ask for one more movable page;
//! - `cma`: hoard what a non-movable request can get, then ask for one more
//!   `GFP_KERNEL` page: the rest of free memory is CMA (boot with `cma=`);
//! - `nofs`: hoard like `exhaustion`, then ask for one `GFP_NOFS` page: the
//!   kernel calls `out_of_memory()`, which kills nothing for a request
//!   without `__GFP_FS` ("The OOM killer does not compensate for IO-less
//!   reclaim") and prints no report; the allocation retries until the
//!   notifier gives the hoard back;
//! - `lowmem_reserve`: like `exhaustion`; with a ZONE_MOVABLE and
//!   `vm.lowmem_reserve_ratio` lowered, the lower zones keep their free
//!   memory behind `lowmem_reserve[]`;
//! - `fragmentation order=N` (1..3): hoard everything, then free all but one
//!   page of every aligned 2^N-page block, and ask for order-N `GFP_KERNEL`
//!   blocks: most memory is free, no order-N block can form.
//!
//! - `hold order=N` / `release`: thin memory as `fragmentation` and keep it
//!   so, without an OOM, until `release`.
//!
//! `probe` (write `order=N`, read the result) makes one `__GFP_NORETRY |
//! __GFP_NOWARN` allocation of that order and frees it: the real outcome the
//! `watermarks` file predicts.
//!
//! `oops` (write `1`) oopses on purpose, for the harness's own test.
//!
//! An OOM notifier gives the hoard back at the second OOM event of a
//! scenario (the first is left to the kernel, which reports and kills the
//! victim the test set up), so the guest lives on to the next scenario.

use core::ptr::addr_of;
use kernel::{
    bindings,
    debugfs::{
        Dir,
        File, //
    },
    ffi,
    new_mutex,
    new_spinlock,
    prelude::*,
    sync::{
        atomic::{
            Acquire,
            Atomic,
            Relaxed,
            Release, //
        },
        Arc, Mutex, SpinLock,
    },
    uaccess::UserSliceReader, //
};

module! {
    type: Stress,
    name: "oomfrag_stress",
    authors: ["The oomfrag developers"],
    description: "Provokes OOMs of each kind for oomfrag's tests (test use only)",
    license: "GPL",
}

// Shared with oomfrag: the engine's one gfp table (of which the sample uses
// a few masks), the notifier registration, reading a debugfs write.
#[allow(dead_code, unreachable_pub)]
#[path = "../rust/engine/gfp_types.rs"]
mod gfp_types;
#[path = "../rust/glue/oom_notifier.rs"]
mod oom_notifier;
#[path = "../rust/glue/user_input.rs"]
mod user_input;

use gfp_types::{
    ATOMIC as GFP_ATOMIC_MASK,
    HIGH,
    HIGHUSER_MOVABLE as GFP_HIGHUSER_MOVABLE,
    KERNEL as GFP_KERNEL_MASK,
    MEMALLOC,
    NOFS as GFP_NOFS_MASK,
    NORETRY,
    NOWARN, //
};
use oom_notifier::{
    OomHandler,
    OomNotifier, //
};
use user_input::read_all;

unsafe extern "C" {
    fn oomfrag_stress_pfn(page: *mut ffi::c_void) -> ffi::c_ulong;
}

const MAX_ORDER: u32 = bindings::NR_PAGE_ORDERS - 1;
/// Allocations of the final phase before giving up without an OOM.
const FINAL_LIMIT: usize = 1 << 16;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scenario {
    Exhaustion,
    Cma,
    NoFs,
    LowmemReserve,
    Fragmentation(u32),
    /// Hoard and thin as `Fragmentation`, then keep the hoard (no OOM).
    Hold(u32),
    /// Give a held hoard back.
    Release,
}

impl Scenario {
    fn parse(s: &str) -> Option<Self> {
        let mut w = s.split_ascii_whitespace();
        let name = w.next()?;
        let sc = match name {
            "exhaustion" => Scenario::Exhaustion,
            "cma" => Scenario::Cma,
            "nofs" => Scenario::NoFs,
            "lowmem_reserve" => Scenario::LowmemReserve,
            "release" => Scenario::Release,
            "fragmentation" | "hold" => {
                let order = match w.next() {
                    None => 3,
                    Some(a) => a.strip_prefix("order=")?.parse().ok()?,
                };
                if !(1..=3).contains(&order) {
                    return None;
                }
                if name == "hold" {
                    Scenario::Hold(order)
                } else {
                    Scenario::Fragmentation(order)
                }
            }
            _ => return None,
        };
        if w.next().is_some() {
            return None;
        }
        Some(sc)
    }

    fn name(self) -> &'static str {
        match self {
            Scenario::Exhaustion => "exhaustion",
            Scenario::Cma => "cma",
            Scenario::NoFs => "nofs",
            Scenario::LowmemReserve => "lowmem_reserve",
            Scenario::Fragmentation(_) => "fragmentation",
            Scenario::Hold(_) => "hold",
            Scenario::Release => "release",
        }
    }
}

/// Hoarded order-0 pages (every block is split on arrival).
struct Hoard {
    pages: KVVec<usize>,
}

// SAFETY: the hoard only stores addresses of pages this module owns; no
// thread-bound state.
unsafe impl Send for Hoard {}

#[derive(Clone, Copy, Default)]
struct Status {
    scenario: Option<Scenario>,
    events: u32,
    peak_pages: usize,
    released_in_notifier: usize,
    ok: bool,
}

#[pin_data]
struct Shared {
    #[pin]
    hoard: SpinLock<Hoard>,
    #[pin]
    busy: Mutex<()>,
    #[pin]
    status: SpinLock<Status>,
    #[pin]
    probe: SpinLock<(u32, u32, bool)>,
    armed: Atomic<bool>,
    events: Atomic<u32>,
    released: Atomic<usize>,
}

fn free_pages(pages: &[usize]) {
    for &p in pages {
        // SAFETY: every address in a hoard is an order-0 page this module
        // allocated (split from its block) and has not freed yet.
        unsafe { bindings::__free_pages(p as *mut bindings::page, 0) };
    }
}

impl Shared {
    /// Takes the whole hoard out under the lock and frees it outside.
    fn release(&self) -> usize {
        let mut taken = KVVec::new();
        core::mem::swap(&mut taken, &mut self.hoard.lock().pages);
        free_pages(&taken);
        taken.len()
    }

    /// Keeps an allocated block as order-0 pages.  Returns false when the
    /// hoard is full (the block is freed then).
    fn keep(&self, page: *mut bindings::page, order: u32) -> bool {
        let n = 1usize << order;
        if order > 0 {
            // SAFETY: `page` is a non-compound block of `order` just
            // allocated by us; split_page() turns it into 2^order pages.
            unsafe { bindings::split_page(page, order) };
        }
        let mut h = self.hoard.lock();
        if h.pages.capacity() - h.pages.len() < n {
            drop(h);
            for i in 0..n {
                // SAFETY: the split pages are ours, contiguous in the memmap.
                unsafe { bindings::__free_pages(page.add(i), 0) };
            }
            return false;
        }
        for i in 0..n {
            // SAFETY: `i < 2^order`, inside the block.
            let p = unsafe { page.add(i) };
            // Capacity was checked: push does not allocate.
            let _ = h.pages.push(p as usize, GFP_ATOMIC_FLAGS);
        }
        true
    }

    /// Allocates blocks of `gfp` from `max` down to `min` order until each
    /// order is refused, keeping them.
    fn grab(&self, gfp: u32, min: u32, max: u32) {
        for order in (min..=max).rev() {
            loop {
                // SAFETY: plain page allocation; the result is checked.
                let p = unsafe { bindings::alloc_pages(gfp, order) };
                if p.is_null() || !self.keep(p, order) {
                    break;
                }
            }
        }
    }

    /// Frees every hoarded page but the first of each aligned
    /// 2^order-page block.
    fn thin(&self, order: u32) {
        let mask = (1usize << order) - 1;
        let mut all = KVVec::new();
        core::mem::swap(&mut all, &mut self.hoard.lock().pages);
        let mut kept = 0;
        for i in 0..all.len() {
            let p = all[i];
            // SAFETY: `p` is a page we own.
            let pfn = unsafe { oomfrag_stress_pfn(p as *mut ffi::c_void) } as usize;
            if pfn & mask == 0 {
                all[kept] = p;
                kept += 1;
            } else {
                free_pages(&[p]);
            }
        }
        all.truncate(kept);
        core::mem::swap(&mut all, &mut self.hoard.lock().pages);
    }

    /// Hoards everything a `GFP_KERNEL` request can get and frees all but
    /// one page of every aligned 2^n-page block (the notes' recipe).
    fn fragment(&self, n: u32) {
        self.grab(GFP_KERNEL_MASK | NORETRY | NOWARN | HIGH, 0, MAX_ORDER);
        // Blocks of order >= n that watermarks kept back: take them too
        // (orders below n stay, so the guest does not livelock).
        self.grab(GFP_ATOMIC_MASK | MEMALLOC | NOWARN, n, MAX_ORDER);
        self.thin(n);
    }

    fn run(&self, sc: Scenario) -> Result {
        let Some(_busy) = self.busy.try_lock() else {
            pr_warn!("a scenario is already running\n");
            return Err(EBUSY);
        };
        match sc {
            Scenario::Release => {
                let n = self.release();
                pr_info!("released {} held pages\n", n);
                return Ok(());
            }
            _ if !self.hoard.lock().pages.is_empty() => {
                pr_warn!("pages are held: write 'release' first\n");
                return Err(EBUSY);
            }
            _ => {}
        }
        // SAFETY: `_totalram_pages` is an exported atomic_long_t; a volatile
        // read is what totalram_pages() does.
        let total = unsafe { addr_of!(bindings::_totalram_pages.counter).read_volatile() };
        let cap = total.max(0) as usize + 1024;
        self.hoard.lock().pages = KVVec::with_capacity(cap, GFP_KERNEL)?;
        self.events.store(0, Relaxed);
        self.released.store(0, Relaxed);
        self.armed.store(true, Release);
        pr_info!("scenario {} starts\n", sc.name());
        let (gfp, order) = match sc {
            Scenario::Exhaustion | Scenario::LowmemReserve => {
                self.grab(GFP_HIGHUSER_MOVABLE | NORETRY | NOWARN, 0, MAX_ORDER);
                (GFP_HIGHUSER_MOVABLE, 0)
            }
            Scenario::Cma => {
                self.grab(GFP_KERNEL_MASK | NORETRY | NOWARN, 0, MAX_ORDER);
                (GFP_KERNEL_MASK, 0)
            }
            Scenario::NoFs => {
                self.grab(GFP_HIGHUSER_MOVABLE | NORETRY | NOWARN, 0, MAX_ORDER);
                (GFP_NOFS_MASK, 0)
            }
            Scenario::Fragmentation(n) => {
                self.fragment(n);
                (GFP_KERNEL_MASK, n)
            }
            Scenario::Hold(n) => {
                self.fragment(n);
                let held = self.hoard.lock().pages.len();
                pr_info!(
                    "holding {} pages, one per aligned {}-page block\n",
                    held,
                    1u32 << n
                );
                return Ok(());
            }
            Scenario::Release => unreachable!(),
        };
        let peak = self.hoard.lock().pages.len();
        pr_info!(
            "scenario {}: hoarding {} pages; now asking for order {} gfp {:#x}\n",
            sc.name(),
            peak,
            order,
            gfp
        );
        for _ in 0..FINAL_LIMIT {
            if self.events.load(Acquire) > 0 || self.released.load(Acquire) > 0 {
                break;
            }
            // SAFETY: plain page allocation; the result is checked.
            let p = unsafe { bindings::alloc_pages(gfp, order) };
            if p.is_null() || !self.keep(p, order) {
                break;
            }
        }
        self.armed.store(false, Release);
        let freed = self.release();
        let events = self.events.load(Acquire);
        let ok = events > 0;
        *self.status.lock() = Status {
            scenario: Some(sc),
            events,
            peak_pages: peak,
            released_in_notifier: self.released.load(Acquire),
            ok,
        };
        pr_info!(
            "scenario {} done: {} OOM events, {} pages given back\n",
            sc.name(),
            events,
            freed + self.released.load(Acquire)
        );
        if ok {
            Ok(())
        } else {
            pr_warn!("scenario {}: no OOM came\n", sc.name());
            Err(EAGAIN)
        }
    }
}

const GFP_ATOMIC_FLAGS: kernel::alloc::Flags = kernel::alloc::flags::GFP_ATOMIC;

/// The sample's OOM notifier: lets the first event of a scenario through,
/// gives the hoard back at the second.
impl OomHandler for Shared {
    fn on_oom(&self, freed: &mut ffi::c_ulong) {
        if !self.armed.load(Acquire) {
            return;
        }
        let n = self.events.fetch_add(1, Relaxed) + 1;
        if n >= 2 {
            let got = self.release();
            self.released.fetch_add(got, Release);
            *freed += got as ffi::c_ulong;
        }
    }
}

fn write_run(s: &Arc<Shared>, r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 64];
    let input = read_all(r, &mut buf).inspect_err(|_| pr_warn!("scenario name too long\n"))?;
    let Some(sc) = core::str::from_utf8(input).ok().and_then(Scenario::parse) else {
        pr_warn!("unknown scenario: expected exhaustion, cma, nofs, lowmem_reserve, 'fragmentation order=N', 'hold order=N' (N 1..3) or release\n");
        return Err(EINVAL);
    };
    s.run(sc)
}

/// `probe`: write `order=N`; tries one `__GFP_NORETRY | __GFP_NOWARN`
/// allocation of that order (no reclaim, no compaction: only the watermark
/// checks and the free lists decide), frees it, and keeps the result for
/// reading.
fn write_probe(s: &Arc<Shared>, r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 32];
    let order = core::str::from_utf8(read_all(r, &mut buf)?)
        .ok()
        .and_then(|t| t.trim().strip_prefix("order="))
        .and_then(|t| t.parse::<u32>().ok())
        .filter(|&o| o <= MAX_ORDER)
        .ok_or_else(|| {
            pr_warn!("probe: expected 'order=N', N 0..{}\n", MAX_ORDER);
            EINVAL
        })?;
    let gfp = NORETRY | NOWARN;
    // SAFETY: plain page allocation; freed right away if it succeeded.
    let p = unsafe { bindings::alloc_pages(gfp, order) };
    let got = !p.is_null();
    if got {
        // SAFETY: `p` is the block of `order` just allocated.
        unsafe { bindings::__free_pages(p, order) };
    }
    *s.probe.lock() = (order, gfp, got);
    Ok(())
}

fn show_probe(s: &Arc<Shared>, f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
    let (order, gfp, got) = *s.probe.lock();
    writeln!(
        f,
        "probe order={} gfp={:#x} allocated={}",
        order,
        gfp,
        u8::from(got)
    )
}

/// `oops`: write `1` to oops on purpose (a Rust panic is a kernel BUG), so
/// that the test harness can show it notices.
fn write_oops(_s: &Arc<Shared>, r: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 4];
    if read_all(r, &mut buf)?.trim_ascii() != b"1" {
        pr_warn!("oops: write 1 to oops on purpose\n");
        return Err(EINVAL);
    }
    panic!("oomfrag_stress: oops on purpose, as asked through debugfs");
}

fn show_status(s: &Arc<Shared>, f: &mut kernel::fmt::Formatter<'_>) -> kernel::fmt::Result {
    let st = *s.status.lock();
    writeln!(f, "# oomfrag_stress status v1")?;
    writeln!(
        f,
        "scenario={} events={} peak_pages={} released_in_notifier={} ok={}",
        st.scenario.map_or("none", |x| x.name()),
        st.events,
        st.peak_pages,
        st.released_in_notifier,
        u8::from(st.ok)
    )
}

#[pin_data]
struct Files {
    #[pin]
    run: File<Arc<Shared>>,
    #[pin]
    status: File<Arc<Shared>>,
    #[pin]
    probe: File<Arc<Shared>>,
    #[pin]
    oops: File<Arc<Shared>>,
    _dir: Dir,
}

struct Stress {
    notifier: Option<OomNotifier<Shared>>,
    shared: Arc<Shared>,
    _files: Pin<KBox<Files>>,
}

impl kernel::Module for Stress {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let shared = Arc::pin_init(
            pin_init!(Shared {
                hoard <- new_spinlock!(Hoard { pages: KVVec::new() }),
                busy <- new_mutex!(()),
                status <- new_spinlock!(Status::default()),
                probe <- new_spinlock!((0, 0, false)),
                armed: Atomic::new(false),
                events: Atomic::new(0),
                released: Atomic::new(0),
            }),
            GFP_KERNEL,
        )?;
        let dir = Dir::new(c"oomfrag_stress");
        let s2 = shared.clone();
        let files = KBox::pin_init(
            try_pin_init!(Files {
                run <- dir.write_callback_file(c"run", s2.clone(), &write_run),
                status <- dir.read_callback_file(c"status", s2.clone(), &show_status),
                probe <- dir.read_write_callback_file(c"probe", s2.clone(), &show_probe, &write_probe),
                oops <- dir.write_callback_file(c"oops", s2, &write_oops),
                _dir: dir,
            }),
            GFP_KERNEL,
        )?;
        // After oomfrag's notifier (INT_MAX), which reports first.
        let notifier = OomNotifier::register(shared.clone(), 0)?;
        Ok(Stress {
            notifier: Some(notifier),
            shared,
            _files: files,
        })
    }
}

impl Drop for Stress {
    fn drop(&mut self) {
        // Unregistering waits for running callbacks.
        self.notifier = None;
        self.shared.release();
    }
}
