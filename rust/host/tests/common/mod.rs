// SPDX-License-Identifier: GPL-2.0
//! Fixtures shared by the host tests: the platform of the 7.3 x86-64 test
//! kernel (gfp values as in include/linux/gfp_types.h there; the kernel
//! module takes them from bindings instead) and helpers to build zones.
#![allow(dead_code)]

use oomfrag_engine::event::Event;
use oomfrag_engine::platform::Platform;
use oomfrag_engine::request::{Request, Trigger};
use oomfrag_engine::task::Task;
use oomfrag_engine::verdict::{
    summarize_at, zone_verdict, AllocContext, Stage, Verdict, ZoneVerdict,
};
use oomfrag_engine::zone::*;

// Aliases of the one gfp table (rust/engine/gfp_types.rs), under the kernel's names.
#[allow(unused_imports)]
pub use oomfrag_engine::gfp_types::{
    ATOMIC as GFP_ATOMIC, DIRECT_RECLAIM as GFP_DIRECT_RECLAIM, DMA as GFP_DMA, DMA32 as GFP_DMA32,
    FS as GFP_FS, HARDWALL as GFP_HARDWALL, HIGH as GFP_HIGH, HIGHMEM as GFP_HIGHMEM,
    HIGHUSER_MOVABLE as GFP_HIGHUSER_MOVABLE, IO as GFP_IO, KERNEL as GFP_KERNEL,
    KSWAPD_RECLAIM as GFP_KSWAPD_RECLAIM, MEMALLOC as GFP_MEMALLOC, MOVABLE as GFP_MOVABLE,
    NOFS as GFP_NOFS, NOMEMALLOC as GFP_NOMEMALLOC, NORETRY as GFP_NORETRY, NOWAIT as GFP_NOWAIT,
    NOWARN as GFP_NOWARN, RECLAIM as GFP_RECLAIM, RECLAIMABLE as GFP_RECLAIMABLE,
    RETRY_MAYFAIL as GFP_RETRY_MAYFAIL, THISNODE as GFP_THISNODE, USER as GFP_USER,
};

/// The x86-64 test kernel: DMA=0, DMA32=1, Normal=2, Movable=3.
pub fn x86() -> Platform {
    Platform {
        zone_idx: [Some(0), Some(1), Some(2), None, Some(3), None],
        cma: true,
        mobility_disabled: false,
        page_shift: 12,
        numa: true,
    }
}

/// [`zone_verdict`] for a plain task (no flags, no cpuset) and no nodemask.
pub fn zv(p: &Platform, z: &ZoneSnapshot, order: u8, gfp: u32) -> ZoneVerdict {
    zone_verdict(
        p,
        z,
        &AllocContext::new(p, order, gfp, &Task::PLAIN),
        &Task::PLAIN,
        &NodeMask::ALL,
    )
}

/// An event with room for `n` zones.
pub fn event(n: usize) -> Event<Vec<ZoneVerdict>> {
    Event::new(vec![ZoneVerdict::EMPTY; n])
}

/// A 32-bit ARM board like seed 002's: Normal=0, HighMem=1, Movable=2.
pub fn arm_highmem() -> Platform {
    Platform {
        zone_idx: [None, None, Some(0), Some(1), Some(2), None],
        ..x86()
    }
}

/// An old ARM board like seed 003's: DMA=0, Normal=1, HighMem=2.
pub fn arm_dma() -> Platform {
    Platform {
        zone_idx: [Some(0), None, Some(1), Some(2), None, None],
        ..x86()
    }
}

pub fn pages(k: u64) -> u64 {
    k / 4
}

/// Builds a zone from a kernel buddy line like
/// `23*4kB (UM) 23*8kB (UM) 0*16kB 64*4096kB (C)`: counts per order and
/// which migrate types had blocks.  `M`ovable, `U`nmovable, `E` reclaimable,
/// `H`ighatomic, `C`MA, `I`solate; seed 002's `R` (the old MIGRATE_RESERVE,
/// a fallback any request could use) is taken as unmovable.
pub fn zone_from_buddy(node: u16, idx: u8, kind: ZoneType, buddy: &str) -> ZoneSnapshot {
    let mut z = ZoneSnapshot::empty(node, idx, kind, 11);
    let mut order = 0;
    for tok in buddy.split_whitespace() {
        if let Some((n, _)) = tok.split_once('*') {
            z.nr_free[order] = n.parse().unwrap();
            order += 1;
        } else if let Some(t) = tok.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
            for c in t.chars() {
                let mt = match c {
                    'U' | 'R' => MigrateType::Unmovable,
                    'M' => MigrateType::Movable,
                    'E' => MigrateType::Reclaimable,
                    'H' => MigrateType::HighAtomic,
                    'C' => MigrateType::Cma,
                    'I' => MigrateType::Isolate,
                    _ => panic!("unknown type {c}"),
                };
                z.nonempty[order - 1] |= mt.bit();
            }
        }
    }
    z.free = buddy_free_pages(&z);
    // Built from the zone's buddy line: its free lists are read.
    z.lists_read = true;
    z
}

/// Sets watermarks from the kernel's `min:`/`low:`/`high:` kB values.
pub fn marks(z: &mut ZoneSnapshot, min: u64, low: u64, high: u64) {
    z.wmark = [pages(min), pages(low), pages(high)];
}

/// A failed allocation's request, as the kprobe captures it.
pub fn alloc(order: i32, gfp: u32) -> Request {
    Request {
        trigger: Trigger::Alloc,
        order: Some(order),
        gfp: Some(gfp),
        ..Request::unknown(GFP_KERNEL)
    }
}

/// The summary over the zones a request may use, read from the slow path's
/// min-watermark check.
pub fn summarize(verdicts: &[ZoneVerdict], order: u8, memcg: bool) -> Verdict {
    summarize_at(verdicts, order, memcg, Stage::SlowPath)
}

/// Free pages held in the buddy lists (`sum nr_free << order`).
pub fn buddy_free_pages(z: &ZoneSnapshot) -> u64 {
    (0..z.orders()).map(|o| z.nr_free[o] << o).sum()
}
