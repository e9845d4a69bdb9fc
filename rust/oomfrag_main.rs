// SPDX-License-Identifier: GPL-2.0

//! oomfrag: says why the OOM killer ran.
//!
//! When the kernel invokes the OOM killer, oomfrag logs one summary line and
//! one line per zone telling whether the failed request was refused for real
//! exhaustion, fragmentation, or a reserve it may not use (CMA, high-atomic,
//! `lowmem_reserve`), judged exactly as `__zone_watermark_ok()` judges.  The
//! same analysis is available at any time under `/sys/kernel/debug/oomfrag/`.
//!
//! Where things are: `engine/` decides (pure, also built on the host by
//! `rust/host/`), `glue/` reads the running kernel and holds all the
//! `unsafe` and the C shims, and beside this file the module's own parts:
//! its state and OOM path (`state.rs`), the events it keeps
//! (`history.rs`), its debugfs files (`debugfs.rs`) and a log line
//! formatted once (`line.rs`).

use glue::atomic::Relaxed;
use kernel::{
    prelude::*,
    sync::Arc, //
};

mod debugfs;
mod engine;
mod glue;
mod history;
mod line;
mod state;

module! {
    type: OomFrag,
    name: "oomfrag",
    description: "Explains why the OOM killer ran: exhaustion, fragmentation or reserves",
    license: "GPL",
}
// The author and the `kprobe` parameter (whose 0 makes the kprobe's
// registration fail with `EOPNOTSUPP`) are in `glue/module_shim.c`: the
// `module!` keys for them differ between kernel versions.

/// The loaded module.  Fields drop in order: the capture first (waiting
/// for running callbacks), then the files, then the state.
struct OomFrag {
    _kprobe: Option<glue::capture::OomKprobe<state::Shared>>,
    _notifier: glue::oom_notifier::OomNotifier<state::Shared>,
    _files: glue::debugfs::Files<state::Shared>,
    shared: Arc<state::Shared>,
}

impl kernel::Module for OomFrag {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let shared = Arc::pin_init(state::Shared::new()?, GFP_KERNEL)?;
        let files = debugfs::create(shared.clone())?;
        // Run after every other notifier: `freed` then holds all they
        // freed, so the line can say whether out_of_memory() goes on to
        // kill (if they freed nothing, the zones are as the kernel left
        // them).
        let notifier = glue::oom_notifier::OomNotifier::register(shared.clone(), i32::MIN)?;
        let kprobe = match glue::capture::OomKprobe::register(shared.clone()) {
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
        // The platform as the engine decides with it; the mobility figures
        // are those of the kernel's boot line "Built N zonelists, mobility
        // grouping on|off.  Total pages: T" (the guest checks compare).
        let m = glue::live::mobility();
        pr_info!(
            "platform: page_kb={} pageblock_order={} migrate_types={} boot_total_pages={} mobility_grouping={}\n",
            1u64 << (shared.platform.page_shift.saturating_sub(10)),
            m.pageblock_order,
            m.migrate_types,
            m.total_pages,
            if shared.platform.mobility_disabled { "off" } else { "on" }
        );
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
