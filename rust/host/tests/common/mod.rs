// SPDX-License-Identifier: GPL-2.0
//! Fixtures shared by the host tests: the platform of the 7.3 x86-64 test
//! kernel (gfp values as in include/linux/gfp_types.h there; the kernel
//! module takes them from bindings instead) and helpers to build zones.
#![allow(dead_code)]

use oomfrag_engine::engine::*;

pub const GFP_DMA: u32 = 0x1;
pub const GFP_HIGHMEM: u32 = 0x2;
pub const GFP_DMA32: u32 = 0x4;
pub const GFP_MOVABLE: u32 = 0x8;
pub const GFP_RECLAIMABLE: u32 = 0x10;
pub const GFP_HIGH: u32 = 0x20;
pub const GFP_IO: u32 = 0x40;
pub const GFP_FS: u32 = 0x80;
pub const GFP_DIRECT_RECLAIM: u32 = 0x400;
pub const GFP_KSWAPD_RECLAIM: u32 = 0x800;
pub const GFP_NOWARN: u32 = 0x2000;
pub const GFP_RETRY_MAYFAIL: u32 = 0x4000;
pub const GFP_NORETRY: u32 = 0x10000;
pub const GFP_MEMALLOC: u32 = 0x20000;
pub const GFP_NOMEMALLOC: u32 = 0x80000;
pub const GFP_HARDWALL: u32 = 0x100000;
pub const GFP_THISNODE: u32 = 0x200000;
pub const GFP_RECLAIM: u32 = GFP_DIRECT_RECLAIM | GFP_KSWAPD_RECLAIM;
pub const GFP_KERNEL: u32 = GFP_RECLAIM | GFP_IO | GFP_FS;
pub const GFP_ATOMIC: u32 = GFP_HIGH | GFP_KSWAPD_RECLAIM;
pub const GFP_NOWAIT: u32 = GFP_KSWAPD_RECLAIM | GFP_NOWARN;
pub const GFP_USER: u32 = GFP_KERNEL | GFP_HARDWALL;
pub const GFP_HIGHUSER_MOVABLE: u32 = GFP_USER | GFP_HIGHMEM | GFP_MOVABLE;

pub static NAMES: &[(&str, u32)] = &[
    ("GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE),
    ("GFP_USER", GFP_USER),
    ("GFP_KERNEL", GFP_KERNEL),
    ("GFP_ATOMIC", GFP_ATOMIC),
    ("GFP_NOWAIT", GFP_NOWAIT),
    ("__GFP_DMA", GFP_DMA),
    ("__GFP_HIGHMEM", GFP_HIGHMEM),
    ("__GFP_DMA32", GFP_DMA32),
    ("__GFP_MOVABLE", GFP_MOVABLE),
    ("__GFP_RECLAIMABLE", GFP_RECLAIMABLE),
    ("__GFP_HIGH", GFP_HIGH),
    ("__GFP_IO", GFP_IO),
    ("__GFP_FS", GFP_FS),
    ("__GFP_DIRECT_RECLAIM", GFP_DIRECT_RECLAIM),
    ("__GFP_KSWAPD_RECLAIM", GFP_KSWAPD_RECLAIM),
    ("__GFP_NOWARN", GFP_NOWARN),
    ("__GFP_RETRY_MAYFAIL", GFP_RETRY_MAYFAIL),
    ("__GFP_NORETRY", GFP_NORETRY),
    ("__GFP_MEMALLOC", GFP_MEMALLOC),
    ("__GFP_NOMEMALLOC", GFP_NOMEMALLOC),
    ("__GFP_HARDWALL", GFP_HARDWALL),
    ("__GFP_THISNODE", GFP_THISNODE),
];

pub const BITS: GfpBits = GfpBits {
    dma: GFP_DMA,
    highmem: GFP_HIGHMEM,
    dma32: GFP_DMA32,
    movable: GFP_MOVABLE,
    reclaimable: GFP_RECLAIMABLE,
    high: GFP_HIGH,
    direct_reclaim: GFP_DIRECT_RECLAIM,
    kswapd_reclaim: GFP_KSWAPD_RECLAIM,
    memalloc: GFP_MEMALLOC,
    nomemalloc: GFP_NOMEMALLOC,
    retry_mayfail: GFP_RETRY_MAYFAIL,
    thisnode: GFP_THISNODE,
    fs: GFP_FS,
};

/// The x86-64 test kernel: DMA=0, DMA32=1, Normal=2, Movable=3.
pub fn x86() -> Platform<'static> {
    Platform {
        gfp: BITS,
        zone_idx: [Some(0), Some(1), Some(2), None, Some(3), None],
        cma: true,
        mobility_disabled: false,
        gfp_names: NAMES,
    }
}

/// A 32-bit ARM board like seed 002's: Normal=0, HighMem=1, Movable=2.
pub fn arm_highmem() -> Platform<'static> {
    Platform {
        zone_idx: [None, None, Some(0), Some(1), Some(2), None],
        ..x86()
    }
}

/// An old ARM board like seed 003's: DMA=0, Normal=1, HighMem=2.
pub fn arm_dma() -> Platform<'static> {
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
pub fn zone_from_buddy(node: u16, idx: u8, kind: ZoneKind, buddy: &str) -> ZoneSnapshot {
    let mut z = ZoneSnapshot::empty(node, idx, kind, 11);
    let mut order = 0;
    for tok in buddy.split_whitespace() {
        if let Some((n, _)) = tok.split_once('*') {
            z.nr_free[order] = n.parse().unwrap();
            order += 1;
        } else if let Some(t) = tok.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
            for c in t.chars() {
                let mt = match c {
                    'U' | 'R' => Mt::Unmovable,
                    'M' => Mt::Movable,
                    'E' => Mt::Reclaimable,
                    'H' => Mt::HighAtomic,
                    'C' => Mt::Cma,
                    'I' => Mt::Isolate,
                    _ => panic!("unknown type {c}"),
                };
                z.nonempty[order - 1] |= mt.bit();
            }
        }
    }
    z.free = z.buddy_free_pages();
    z
}

/// Sets watermarks from the kernel's `min:`/`low:`/`high:` kB values.
pub fn marks(z: &mut ZoneSnapshot, min: u64, low: u64, high: u64) {
    z.wmark = [pages(min), pages(low), pages(high)];
}

/// A failed allocation's request, as the kprobe captures it.
pub fn alloc(order: i32, gfp: u32) -> oomfrag_engine::report::Request {
    use oomfrag_engine::report::{Request, Trigger};
    Request {
        trigger: Trigger::Alloc,
        order: Some(order),
        gfp: Some(gfp),
        ..Request::unknown(GFP_KERNEL)
    }
}
