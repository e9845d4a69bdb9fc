// SPDX-License-Identifier: GPL-2.0

//! oomfrag: says why the OOM killer ran.
//!
//! When the kernel invokes the OOM killer, oomfrag logs one summary line and
//! one line per zone telling whether the failed request was refused for real
//! exhaustion, fragmentation, or a reserve it may not use (CMA, high-atomic,
//! `lowmem_reserve`), judged exactly as `__zone_watermark_ok()` judges.  The
//! same analysis is available at any time under `/sys/kernel/debug/oomfrag/`.
//!
//! Where things are:
//!
//! - the engine, pure and also built on the host (`rust/host/`):
//!   `zone.rs` (the zone data), `platform.rs` (the kernel's constants),
//!   `gfp.rs` (gfp table, zone mapping, allocator capabilities),
//!   `watermark.rs` (`__zone_watermark_ok()`), `frag.rs` (mm/vmstat.c
//!   indices), `verdict.rs` (zone verdicts, summary class, the entry point
//!   `Event::evaluate`), `query.rs` (the `query` file's input);
//! - formatting only: `report.rs`;
//! - the kernel side: `live.rs` (reading zones), `capture.rs` and
//!   `oom_notifier.rs` (kprobe and notifier), `state.rs` (preallocated state
//!   and the OOM path), `line.rs` (a log line formatted once),
//!   `history.rs` (events, stats, rate limit),
//!   `debugfs.rs` (the files), this file (the module).

use kernel::{
    prelude::*,
    sync::atomic::Relaxed,
    sync::Arc, //
};

pub mod debugfs;
pub mod engine;
pub mod glue;
pub mod history;
pub mod line;
pub mod state;

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

/// The loaded module.  Fields drop in order: the capture first (waiting
/// for running callbacks), then the files, then the state.
struct OomFrag {
    _kprobe: Option<glue::capture::OomKprobe>,
    _notifier: glue::oom_notifier::OomNotifier<state::Shared>,
    _files: debugfs::Files,
    shared: Arc<state::Shared>,
}

impl kernel::Module for OomFrag {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let shared = Arc::pin_init(state::Shared::new()?, GFP_KERNEL)?;
        let files = debugfs::Files::new(shared.clone())?;
        // Run after every other notifier: `freed` then holds all they
        // freed, so the line can say whether out_of_memory() goes on to
        // kill (if they freed nothing, the zones are as the kernel left
        // them).
        let notifier = glue::oom_notifier::OomNotifier::register(shared.clone(), i32::MIN)?;
        let kprobe = if module_parameters::kprobe.value() {
            glue::capture::OomKprobe::register(shared.clone())
        } else {
            Err(EOPNOTSUPP)
        };
        let kprobe = match kprobe {
            Ok(k) => {
                pr_info!("loaded: notifier and kprobe on out_of_memory registered\n");
                Some(k)
            }
            Err(e) => {
                pr_warn!(
                    "loaded without the out_of_memory kprobe (error {}): orders and gfp masks will be reported as unknown and memcg OOMs not seen\n",
                    e.to_errno()
                );
                None
            }
        };
        shared.kprobe.store(kprobe.is_some(), Relaxed);
        pr_info!(
            "preallocated {} bytes per zone for {} zones (ZoneSnapshot {} B, ZoneVerdict {} B)\n",
            state::prealloc_bytes_per_zone(),
            shared.max_zones,
            core::mem::size_of::<engine::zone::ZoneSnapshot>(),
            core::mem::size_of::<engine::verdict::ZoneVerdict>()
        );
        Ok(OomFrag {
            _kprobe: kprobe,
            _notifier: notifier,
            _files: files,
            shared,
        })
    }
}

impl Drop for OomFrag {
    fn drop(&mut self) {
        let events = self.shared.history.lock().stats.events;
        pr_info!("unloaded after {} OOM events\n", events);
    }
}
