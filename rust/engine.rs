// SPDX-License-Identifier: GPL-2.0

//! The oomfrag verdict engine: plain data in, verdict out.
//!
//! This file is pure: no `unsafe`, no kernel calls, no allocation, only `core`.
//! The kernel module includes it as a module; the host crate in `rust/host/`
//! includes the very same file for `cargo test`.
//!
//! Every rule cites the kernel 7.3 function it mirrors.  Flag *values* (gfp
//! bits, zone indices) are never hard-coded here: the caller passes a
//! [`Platform`] built from the kernel's bindings.

use core::cmp::{max, min};

/// Capacity for orders per zone (`NR_PAGE_ORDERS` is 11 on x86-64; the
/// kernel adapter asserts at build time that it fits).
pub const MAX_ORDERS: usize = 16;
/// Capacity for zone indices (`MAX_NR_ZONES`).
pub const MAX_ZONES: usize = 8;
/// `PAGE_ALLOC_COSTLY_ORDER`: `__alloc_pages_may_oom()` never invokes the OOM
/// killer above it ("The OOM killer will not help higher order allocs").
pub const COSTLY_ORDER: u8 = 3;

/// Migrate types, in the engine's own numbering.  The live-zone reader maps
/// the kernel's `enum migratetype` onto these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mt {
    /// `MIGRATE_UNMOVABLE`.
    Unmovable = 0,
    /// `MIGRATE_MOVABLE`.
    Movable = 1,
    /// `MIGRATE_RECLAIMABLE`.
    Reclaimable = 2,
    /// `MIGRATE_HIGHATOMIC`.
    HighAtomic = 3,
    /// `MIGRATE_CMA`.
    Cma = 4,
    /// `MIGRATE_ISOLATE`.
    Isolate = 5,
}

/// Number of [`Mt`] values.
pub const NR_MT: usize = 6;

impl Mt {
    /// All migrate types, in index order.
    pub const ALL: [Mt; NR_MT] = [
        Mt::Unmovable,
        Mt::Movable,
        Mt::Reclaimable,
        Mt::HighAtomic,
        Mt::Cma,
        Mt::Isolate,
    ];

    /// The name `/proc/pagetypeinfo` uses.
    pub const fn name(self) -> &'static str {
        match self {
            Mt::Unmovable => "Unmovable",
            Mt::Movable => "Movable",
            Mt::Reclaimable => "Reclaimable",
            Mt::HighAtomic => "HighAtomic",
            Mt::Cma => "CMA",
            Mt::Isolate => "Isolate",
        }
    }

    /// Bit of this type in [`ZoneSnapshot::nonempty`].
    pub const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Zone types, in the engine's own naming; [`Platform::zone_idx`] gives the
/// kernel's index of each type configured in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZoneKind {
    /// `ZONE_DMA`.
    Dma = 0,
    /// `ZONE_DMA32`.
    Dma32 = 1,
    /// `ZONE_NORMAL`.
    Normal = 2,
    /// `ZONE_HIGHMEM`.
    Highmem = 3,
    /// `ZONE_MOVABLE`.
    Movable = 4,
    /// `ZONE_DEVICE`.
    Device = 5,
}

/// Number of [`ZoneKind`] values.
pub const NR_ZONE_KINDS: usize = 6;

impl ZoneKind {
    /// The name the kernel gives the zone (`zone_names[]`, mm/page_alloc.c).
    pub const fn name(self) -> &'static str {
        match self {
            ZoneKind::Dma => "DMA",
            ZoneKind::Dma32 => "DMA32",
            ZoneKind::Normal => "Normal",
            ZoneKind::Highmem => "HighMem",
            ZoneKind::Movable => "Movable",
            ZoneKind::Device => "Device",
        }
    }
}

/// The gfp bits the engine needs, with the values the running kernel uses.
#[derive(Clone, Copy, Debug, Default)]
pub struct GfpBits {
    /// `__GFP_DMA`.
    pub dma: u32,
    /// `__GFP_HIGHMEM`.
    pub highmem: u32,
    /// `__GFP_DMA32`.
    pub dma32: u32,
    /// `__GFP_MOVABLE`.
    pub movable: u32,
    /// `__GFP_RECLAIMABLE`.
    pub reclaimable: u32,
    /// `__GFP_HIGH`.
    pub high: u32,
    /// `__GFP_DIRECT_RECLAIM`.
    pub direct_reclaim: u32,
    /// `__GFP_KSWAPD_RECLAIM`.
    pub kswapd_reclaim: u32,
    /// `__GFP_MEMALLOC`.
    pub memalloc: u32,
    /// `__GFP_NOMEMALLOC`.
    pub nomemalloc: u32,
    /// `__GFP_RETRY_MAYFAIL`.
    pub retry_mayfail: u32,
    /// `__GFP_THISNODE`.
    pub thisnode: u32,
    /// `__GFP_FS`.
    pub fs: u32,
}

/// Facts about the running kernel that the rules depend on.
#[derive(Clone, Copy, Debug)]
pub struct Platform<'a> {
    /// Gfp bit values.
    pub gfp: GfpBits,
    /// Kernel zone index of each [`ZoneKind`], `None` if not configured.
    pub zone_idx: [Option<u8>; NR_ZONE_KINDS],
    /// `CONFIG_CMA`.
    pub cma: bool,
    /// `page_group_by_mobility_disabled` (then every request is unmovable).
    pub mobility_disabled: bool,
    /// Names of gfp flags and masks, composites first (for parsing and
    /// decoding masks); values from the kernel's bindings.
    pub gfp_names: &'a [(&'a str, u32)],
}

impl Platform<'_> {
    fn idx(&self, k: ZoneKind) -> Option<u8> {
        self.zone_idx[k as usize]
    }

    /// The kernel's `OPT_ZONE_*`: the zone if configured, else `ZONE_NORMAL`.
    fn opt(&self, k: ZoneKind) -> Option<u8> {
        self.idx(k).or(self.idx(ZoneKind::Normal))
    }

    /// `gfp_zone()` (include/linux/gfp.h): the highest zone index a request
    /// may use, from `GFP_ZONE_TABLE`.  `None` for the combinations in
    /// `GFP_ZONE_BAD`.
    pub fn gfp_zone(&self, gfp: u32) -> Option<u8> {
        let g = &self.gfp;
        let dma = gfp & g.dma != 0;
        let high = gfp & g.highmem != 0;
        let dma32 = gfp & g.dma32 != 0;
        let mov = gfp & g.movable != 0;
        match (dma, high, dma32, mov) {
            (false, false, false, _) => self.idx(ZoneKind::Normal),
            (true, false, false, _) => self.opt(ZoneKind::Dma),
            (false, true, false, false) => self.opt(ZoneKind::Highmem),
            (false, true, false, true) => self.idx(ZoneKind::Movable),
            (false, false, true, _) => self.opt(ZoneKind::Dma32),
            _ => None,
        }
    }

    /// Parses a gfp mask: a number (`0xcc0`, `3264`) or names joined by `|`
    /// (`GFP_KERNEL|__GFP_NOWARN`), names from [`Platform::gfp_names`].
    pub fn parse_gfp(&self, s: &str) -> Option<u32> {
        if let Some(v) = parse_u64(s) {
            return u32::try_from(v).ok();
        }
        let mut mask = 0u32;
        for part in s.split('|') {
            let part = part.trim();
            let (_, v) = self.gfp_names.iter().find(|(n, _)| *n == part)?;
            mask |= *v;
        }
        Some(mask)
    }

    /// Decodes `mask` into names the way the kernel's `%pGg` does: masks
    /// and flags in table order, each taken when all its bits are present,
    /// leftover bits in hex.
    pub fn gfp_decode(&self, mut mask: u32, out: &mut impl core::fmt::Write) -> core::fmt::Result {
        let mut first = true;
        for (name, v) in self.gfp_names {
            if *v != 0 && mask & v == *v {
                if !first {
                    out.write_char('|')?;
                }
                out.write_str(name)?;
                first = false;
                mask &= !v;
            }
        }
        if mask != 0 {
            if !first {
                out.write_char('|')?;
            }
            write!(out, "{mask:#x}")?;
        } else if first {
            out.write_str("none")?;
        }
        Ok(())
    }
}

/// Parses a decimal or `0x` hexadecimal unsigned number.
pub fn parse_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if h.is_empty() {
            return None;
        }
        u64::from_str_radix(h, 16).ok()
    } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

/// Watermark index (`enum zone_watermarks`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wmark {
    /// `WMARK_MIN`.
    Min = 0,
    /// `WMARK_LOW`.
    Low = 1,
    /// `WMARK_HIGH`.
    High = 2,
}

impl Wmark {
    /// All three, lowest first.
    pub const ALL: [Wmark; 3] = [Wmark::Min, Wmark::Low, Wmark::High];

    /// `min`, `low` or `high`.
    pub const fn name(self) -> &'static str {
        match self {
            Wmark::Min => "min",
            Wmark::Low => "low",
            Wmark::High => "high",
        }
    }
}

/// The allocator's `ALLOC_*` capabilities (mm/page_alloc.h), as booleans.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AllocCaps {
    /// `ALLOC_CMA`: may take `MIGRATE_CMA` pages.
    pub cma: bool,
    /// `ALLOC_MIN_RESERVE`: `__GFP_HIGH`, half the min reserve.
    pub min_reserve: bool,
    /// `ALLOC_NON_BLOCK`: cannot block, a further quarter.
    pub non_block: bool,
    /// `ALLOC_HIGHATOMIC`: may use `MIGRATE_HIGHATOMIC` blocks.
    pub highatomic: bool,
    /// `ALLOC_OOM`: an OOM victim's request.
    pub oom: bool,
    /// `ALLOC_NO_WATERMARKS`: `__GFP_MEMALLOC`; no watermark check at all.
    pub no_watermarks: bool,
}

impl AllocCaps {
    /// `ALLOC_RESERVES`: any flag that allows going below min.
    pub fn reserves(&self) -> bool {
        self.non_block || self.min_reserve || self.highatomic || self.oom
    }
}

/// `gfp_migratetype()` is `MIGRATE_MOVABLE` (include/linux/gfp.h).
pub fn gfp_is_movable(p: &Platform<'_>, gfp: u32) -> bool {
    !p.mobility_disabled && gfp & p.gfp.movable != 0 && gfp & p.gfp.reclaimable == 0
}

/// The capabilities of the allocator's slow path, where the OOM decision is
/// made: `alloc_flags_slowpath()` with `alloc_flags_nonblocking()` and
/// `alloc_flags_cma()`, plus the `__GFP_MEMALLOC` part of
/// `__gfp_pfmemalloc_flags()` (mm/page_alloc.c).  Task-dependent flags
/// (real-time tasks, `PF_MEMALLOC`, OOM victims) are not visible from the gfp
/// mask and are not set.
pub fn gfp_to_alloc_caps(p: &Platform<'_>, gfp: u32, order: u8) -> AllocCaps {
    let g = &p.gfp;
    let mut c = AllocCaps {
        // alloc_flags_slowpath(): "if (gfp_mask & __GFP_HIGH) ALLOC_MIN_RESERVE"
        min_reserve: gfp & g.high != 0,
        // alloc_flags_cma(): "gfp_migratetype(gfp_mask) == MIGRATE_MOVABLE"
        cma: p.cma && gfp_is_movable(p, gfp),
        ..AllocCaps::default()
    };
    // alloc_flags_nonblocking(): nothing for blocking or __GFP_NOMEMALLOC.
    if gfp & g.direct_reclaim == 0 && gfp & g.nomemalloc == 0 {
        c.non_block = true;
        if order > 0 && gfp & g.high != 0 {
            c.highatomic = true;
        }
    }
    // __gfp_pfmemalloc_flags(): __GFP_MEMALLOC unless __GFP_NOMEMALLOC.
    if gfp & g.nomemalloc == 0 && gfp & g.memalloc != 0 {
        c.no_watermarks = true;
    }
    c
}

/// One zone, as read from `struct zone` (all counts in pages/blocks).
#[derive(Clone, Copy, Debug)]
pub struct ZoneSnapshot {
    /// Node id.
    pub node: u16,
    /// Kernel zone index (`zone_idx()`), used to index `lowmem_reserve`.
    pub zone_idx: u8,
    /// Zone type.
    pub kind: ZoneKind,
    /// `zone->present_pages`.
    pub present: u64,
    /// `zone_managed_pages()`.
    pub managed: u64,
    /// `zone_page_state(z, NR_FREE_PAGES)`.
    pub free: u64,
    /// `zone_page_state(z, NR_FREE_CMA_PAGES)`.
    pub free_cma: u64,
    /// `zone_page_state(z, NR_UNACCEPTED)` (0 without
    /// `CONFIG_UNACCEPTED_MEMORY`).
    pub unaccepted: u64,
    /// `zone->nr_free_highatomic`.
    pub free_highatomic: u64,
    /// `zone->nr_reserved_highatomic`.
    pub reserved_highatomic: u64,
    /// `zone->_watermark[WMARK_MIN..=WMARK_HIGH]`, without boost.
    pub wmark: [u64; 3],
    /// `zone->watermark_boost`.
    pub boost: u64,
    /// `zone->lowmem_reserve[]`, indexed by the request's highest zone.
    pub lowmem_reserve: [u64; MAX_ZONES],
    /// Number of valid orders (`NR_PAGE_ORDERS`).
    pub nr_orders: u8,
    /// `zone->free_area[o].nr_free`: free blocks of order `o`.
    pub nr_free: [u64; MAX_ORDERS],
    /// Bit `Mt::bit()` set when `free_area[o].free_list[mt]` is not empty.
    pub nonempty: [u8; MAX_ORDERS],
    /// Free blocks per order and migrate type, when counted.
    pub blocks: [[u64; NR_MT]; MAX_ORDERS],
    /// Whether `blocks` holds exact counts (counted under `zone->lock`).
    pub blocks_exact: bool,
}

impl ZoneSnapshot {
    /// An empty zone of `kind` with index `zone_idx` on `node`.
    pub const fn empty(node: u16, zone_idx: u8, kind: ZoneKind, nr_orders: u8) -> Self {
        Self {
            node,
            zone_idx,
            kind,
            present: 0,
            managed: 0,
            free: 0,
            free_cma: 0,
            unaccepted: 0,
            free_highatomic: 0,
            reserved_highatomic: 0,
            wmark: [0; 3],
            boost: 0,
            lowmem_reserve: [0; MAX_ZONES],
            nr_orders,
            nr_free: [0; MAX_ORDERS],
            nonempty: [0; MAX_ORDERS],
            blocks: [[0; NR_MT]; MAX_ORDERS],
            blocks_exact: false,
        }
    }

    /// Number of orders, bounded by the engine's capacity.
    pub fn orders(&self) -> usize {
        min(self.nr_orders as usize, MAX_ORDERS)
    }

    /// `wmark_pages()` (include/linux/mmzone.h): watermark plus boost.
    pub fn mark(&self, w: Wmark) -> u64 {
        self.wmark[w as usize].saturating_add(self.boost)
    }

    /// `lowmem_reserve[highest_zoneidx]`, 0 out of range.
    pub fn reserve_for(&self, highest_zoneidx: u8) -> u64 {
        self.lowmem_reserve
            .get(highest_zoneidx as usize)
            .copied()
            .unwrap_or(0)
    }

    /// Sets exact per-migratetype counts and derives `nr_free` and
    /// `nonempty` from them (for fixtures and the locked debugfs read).
    pub fn set_blocks(&mut self, order: usize, mt: Mt, count: u64) {
        if order >= MAX_ORDERS {
            return;
        }
        let old = self.blocks[order][mt as usize];
        self.blocks[order][mt as usize] = count;
        self.nr_free[order] = self.nr_free[order] - old + count;
        if count > 0 {
            self.nonempty[order] |= mt.bit();
        } else {
            self.nonempty[order] &= !mt.bit();
        }
    }

    /// Sum of free pages held in the buddy lists (`sum nr_free << order`).
    pub fn buddy_free_pages(&self) -> u64 {
        (0..self.orders()).fold(0u64, |acc, o| acc.saturating_add(self.nr_free[o] << o))
    }
}

/// Which migrate types a request may take blocks from in the free-list scan
/// of `__zone_watermark_ok()`: the PCP types always, `MIGRATE_CMA` with
/// `ALLOC_CMA`, `MIGRATE_HIGHATOMIC` with `ALLOC_HIGHATOMIC | ALLOC_OOM`.
pub fn usable_mt_mask(caps: &AllocCaps) -> u8 {
    let mut m = Mt::Unmovable.bit() | Mt::Movable.bit() | Mt::Reclaimable.bit();
    if caps.cma {
        m |= Mt::Cma.bit();
    }
    if caps.highatomic || caps.oom {
        m |= Mt::HighAtomic.bit();
    }
    m
}

/// Why a zone fails a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cause {
    /// Passes.
    None,
    /// Below the mark even counting every free page.
    Exhaustion,
    /// Passes only if `lowmem_reserve[highest_zoneidx]` is not counted.
    LowmemReserve,
    /// Would pass if the request could use CMA pages or blocks.
    Cma,
    /// Would pass if the request could use the high-atomic reserve.
    HighAtomic,
    /// The order-0 check passes, but no usable block of the order is free.
    Fragmentation,
}

impl Cause {
    /// The `cause=` word.
    pub const fn name(self) -> &'static str {
        match self {
            Cause::None => "none",
            Cause::Exhaustion => "exhaustion",
            Cause::LowmemReserve => "lowmem_reserve",
            Cause::Cma => "cma",
            Cause::HighAtomic => "highatomic",
            Cause::Fragmentation => "fragmentation",
        }
    }
}

/// One watermark check of one zone, in detail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Check {
    /// `__zone_watermark_ok()`'s answer.
    pub ok: bool,
    /// Why not (`Cause::None` when ok).
    pub cause: Cause,
    /// The mark after the reserve reductions (`min` in the kernel).
    pub min: i64,
    /// `free_pages` after subtracting the unusable free pages.
    pub usable: i64,
}

/// `__zone_watermark_unusable_free()` (mm/page_alloc.c): the `(1 << order) - 1`
/// term, high-atomic free pages without `ALLOC_RESERVES`, CMA free pages
/// without `ALLOC_CMA`.
pub fn unusable_free(z: &ZoneSnapshot, order: u8, caps: &AllocCaps, cma_configured: bool) -> i64 {
    let mut u: i64 = (1i64 << min(order, 62)) - 1;
    if !caps.reserves() {
        u = u.saturating_add(z.free_highatomic as i64);
    }
    if cma_configured && !caps.cma {
        u = u.saturating_add(z.free_cma as i64);
    }
    u
}

/// The reserve reductions of `__zone_watermark_ok()`: `min -= min / 2` for
/// `ALLOC_MIN_RESERVE`, then `min -= min / 4` for `ALLOC_NON_BLOCK`, and
/// `min -= min / 2` for `ALLOC_OOM`.
pub fn adjusted_min(mark: u64, caps: &AllocCaps) -> i64 {
    let mut m = mark as i64;
    if caps.reserves() {
        if caps.min_reserve {
            m -= m / 2;
            if caps.non_block {
                m -= m / 4;
            }
        }
        if caps.oom {
            m -= m / 2;
        }
    }
    m
}

/// The free-list scan of `__zone_watermark_ok()`: is a block of `order` or
/// larger free on a list in `mask`?  Honours the `if (!area->nr_free)
/// continue;` short cut.
pub fn has_block(z: &ZoneSnapshot, order: u8, mask: u8) -> bool {
    (order as usize..z.orders()).any(|o| z.nr_free[o] != 0 && z.nonempty[o] & mask != 0)
}

/// Largest order with a free block on a list in `mask`, if any.
pub fn largest_order(z: &ZoneSnapshot, mask: u8) -> Option<u8> {
    (0..z.orders())
        .rev()
        .find(|&o| z.nr_free[o] != 0 && z.nonempty[o] & mask != 0)
        .map(|o| o as u8)
}

/// `__zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
/// free_pages)` with `free_pages = zone_page_state(z, NR_FREE_PAGES)`, as
/// `zone_watermark_ok()` calls it, and, when it fails, why.
///
/// The cause is found by relaxing one restriction at a time, in the order
/// the kernel applies them: the order-0 check with every free page counted
/// and no reserve (`exhaustion`), then with `lowmem_reserve`
/// (`lowmem_reserve`), then without the CMA or high-atomic pages the request
/// may not use (`cma`, `highatomic`, when lifting that restriction makes the
/// whole check pass); if the order-0 check passes, the free-list scan (`cma`
/// or `highatomic` if only such blocks are free, else `fragmentation`).
pub fn watermark_check(
    p: &Platform<'_>,
    z: &ZoneSnapshot,
    order: u8,
    w: Wmark,
    highest_zoneidx: u8,
    caps: &AllocCaps,
) -> Check {
    let mark = z.mark(w);
    let m = adjusted_min(mark, caps);
    let reserve = z.reserve_for(highest_zoneidx) as i64;
    let free = z.free as i64;
    let usable = free - unusable_free(z, order, caps, p.cma);
    let thr = m.saturating_add(reserve);
    let mut check = Check {
        ok: false,
        cause: Cause::None,
        min: m,
        usable,
    };
    if caps.no_watermarks {
        // ALLOC_NO_WATERMARKS: get_page_from_freelist() skips the check.
        check.ok = true;
        return check;
    }
    if usable <= thr {
        let all = free - ((1i64 << min(order, 62)) - 1);
        let ha = if caps.reserves() {
            0
        } else {
            z.free_highatomic as i64
        };
        let cma = if p.cma && !caps.cma {
            z.free_cma as i64
        } else {
            0
        };
        check.cause = if all <= m {
            Cause::Exhaustion
        } else if all <= thr {
            Cause::LowmemReserve
        } else if usable + cma > thr && (usable + ha <= thr || cma >= ha) {
            Cause::Cma
        } else if usable + ha > thr {
            Cause::HighAtomic
        } else if cma >= ha {
            Cause::Cma
        } else {
            Cause::HighAtomic
        };
        // A reserve is only the cause if lifting it would be enough: with
        // no free block of the order even on the CMA and high-atomic lists,
        // the request fails for want of a block whatever it may use.
        let any = usable_mt_mask(caps) | Mt::Cma.bit() | Mt::HighAtomic.bit();
        if matches!(check.cause, Cause::Cma | Cause::HighAtomic)
            && order > 0
            && !has_block(z, order, any)
        {
            check.cause = Cause::Fragmentation;
        }
        return check;
    }
    if order == 0 {
        check.ok = true;
        return check;
    }
    if has_block(z, order, usable_mt_mask(caps)) {
        check.ok = true;
        return check;
    }
    check.cause = if p.cma && !caps.cma && has_block(z, order, Mt::Cma.bit()) {
        Cause::Cma
    } else if !(caps.highatomic || caps.oom) && has_block(z, order, Mt::HighAtomic.bit()) {
        Cause::HighAtomic
    } else {
        Cause::Fragmentation
    };
    check
}

/// `struct contig_page_info` of mm/vmstat.c.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ContigInfo {
    /// Free base pages.
    pub free_pages: u64,
    /// Free blocks of any order.
    pub free_blocks_total: u64,
    /// Free blocks of the suitable order (larger ones counted as several).
    pub free_blocks_suitable: u64,
}

/// `fill_contig_page_info()` (mm/vmstat.c) over per-order block counts.
pub fn contig_info(blocks: &[u64], suitable_order: u8) -> ContigInfo {
    let mut info = ContigInfo::default();
    for (o, &b) in blocks.iter().enumerate() {
        info.free_blocks_total = info.free_blocks_total.saturating_add(b);
        info.free_pages = info.free_pages.saturating_add(b << o);
        if o >= suitable_order as usize {
            info.free_blocks_suitable = info
                .free_blocks_suitable
                .saturating_add(b << (o - suitable_order as usize));
        }
    }
    info
}

/// `__fragmentation_index()` (mm/vmstat.c), in thousandths: -1000 when a
/// suitable block exists, 0 with no free blocks; towards 0 the failure is
/// from lack of memory, towards 1000 from fragmentation.
pub fn fragmentation_index(order: u8, info: &ContigInfo) -> i32 {
    let requested = 1u64 << min(order, 62);
    if info.free_blocks_total == 0 {
        return 0;
    }
    if info.free_blocks_suitable != 0 {
        return -1000;
    }
    let x = (1000 + info.free_pages.saturating_mul(1000) / requested) / info.free_blocks_total;
    1000 - x as i32
}

/// `unusable_free_index()` (mm/vmstat.c), in thousandths: the share of free
/// memory in blocks too small for the order.
pub fn unusable_index(order: u8, info: &ContigInfo) -> i32 {
    if info.free_pages == 0 {
        return 1000;
    }
    let suitable_pages = info.free_blocks_suitable << order;
    (info
        .free_pages
        .saturating_sub(suitable_pages)
        .saturating_mul(1000)
        / info.free_pages) as i32
}

/// Per-order block counts restricted to the lists a request may use, when
/// the snapshot has exact per-migratetype counts.
pub fn usable_blocks(z: &ZoneSnapshot, mask: u8) -> Option<[u64; MAX_ORDERS]> {
    if !z.blocks_exact {
        return None;
    }
    let mut out = [0u64; MAX_ORDERS];
    for (o, slot) in out.iter_mut().enumerate().take(z.orders()) {
        *slot = Mt::ALL
            .iter()
            .filter(|mt| mask & mt.bit() != 0)
            .map(|mt| z.blocks[o][*mt as usize])
            .sum();
    }
    Some(out)
}

/// Which of the allocator's checks before the OOM killer a verdict is read
/// from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The slow path's attempts at the min watermark with
    /// `alloc_flags_slowpath()`'s flags, after reclaim and compaction.
    SlowPath,
    /// `__alloc_pages_may_oom()`'s last attempt just before
    /// `out_of_memory()`: `get_page_from_freelist()` at `ALLOC_WMARK_HIGH`
    /// with the request's base `ac->alloc_flags` (no `ALLOC_CMA`, no
    /// reserves).  Used when the slow-path check passes again by the time of
    /// the snapshot: this failed check is the one that invoked the OOM killer.
    LastChance,
}

impl Stage {
    /// The `decided=` word.
    pub const fn name(self) -> &'static str {
        match self {
            Stage::SlowPath => "min",
            Stage::LastChance => "last_chance",
        }
    }
}

/// The analysis of one zone for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZoneVerdict {
    /// Node id.
    pub node: u16,
    /// Zone index.
    pub zone_idx: u8,
    /// Zone type.
    pub kind: ZoneKind,
    /// Whether the request may use this zone at all (`gfp_zone()`).
    pub eligible: bool,
    /// Pass/fail at min, low, high.
    pub checks: [Check; 3],
    /// `__alloc_pages_may_oom()`'s last-chance check (see [`Stage`]).
    pub last_chance: Check,
    /// `lowmem_reserve[highest_zoneidx]`.
    pub reserve: u64,
    /// Free pages, free CMA pages, free high-atomic pages (copied for the
    /// report).
    pub free: u64,
    /// See [`ZoneSnapshot::free_cma`].
    pub free_cma: u64,
    /// See [`ZoneSnapshot::free_highatomic`].
    pub free_highatomic: u64,
    /// Watermarks with boost.
    pub marks: [u64; 3],
    /// See [`ZoneSnapshot::boost`].
    pub boost: u64,
    /// Free pages the request may use: free minus unusable free (as at
    /// order 0: CMA and high-atomic pages it may not use).
    pub usable_free: u64,
    /// Largest order with a free block the request may use.
    pub largest_usable: Option<u8>,
    /// Largest order with any free block.
    pub largest_any: Option<u8>,
    /// `unusable_free_index()` and `__fragmentation_index()` for the order.
    pub unusable_index: i32,
    /// See [`fragmentation_index`].
    pub frag_index: i32,
    /// The same over only the blocks the request may use (exact counts only).
    pub unusable_index_usable: Option<i32>,
    /// See [`fragmentation_index`].
    pub frag_index_usable: Option<i32>,
}

impl ZoneVerdict {
    /// A placeholder for preallocated storage.
    pub const EMPTY: ZoneVerdict = ZoneVerdict {
        node: 0,
        zone_idx: 0,
        kind: ZoneKind::Normal,
        eligible: false,
        checks: [Check {
            ok: false,
            cause: Cause::None,
            min: 0,
            usable: 0,
        }; 3],
        last_chance: Check {
            ok: false,
            cause: Cause::None,
            min: 0,
            usable: 0,
        },
        reserve: 0,
        free: 0,
        free_cma: 0,
        free_highatomic: 0,
        marks: [0; 3],
        boost: 0,
        usable_free: 0,
        largest_usable: None,
        largest_any: None,
        unusable_index: 0,
        frag_index: 0,
        unusable_index_usable: None,
        frag_index_usable: None,
    };

    /// The check that decides the OOM: the slow path's attempts are made at
    /// the min watermark (`alloc_flags_slowpath()` sets `ALLOC_WMARK_MIN`).
    pub fn decisive(&self) -> &Check {
        &self.checks[Wmark::Min as usize]
    }

    /// The check of `stage`.
    pub fn at(&self, stage: Stage) -> &Check {
        match stage {
            Stage::SlowPath => self.decisive(),
            Stage::LastChance => &self.last_chance,
        }
    }
}

/// Analyses one zone for a request of `order` with `gfp`.
pub fn zone_verdict(p: &Platform<'_>, z: &ZoneSnapshot, order: u8, gfp: u32) -> ZoneVerdict {
    let caps = gfp_to_alloc_caps(p, gfp, order);
    let hz = p.gfp_zone(gfp);
    let highest = hz.unwrap_or(0);
    let eligible = hz.is_some_and(|h| z.zone_idx <= h);
    let checks = Wmark::ALL.map(|w| watermark_check(p, z, order, w, highest, &caps));
    // ac->alloc_flags is 0 for an ordinary allocation: no ALLOC_CMA (that
    // goes to the fast path's own flags) and no reserves.
    let last = watermark_check(p, z, order, Wmark::High, highest, &AllocCaps::default());
    let mask = usable_mt_mask(&caps);
    let info = contig_info(&z.nr_free[..z.orders()], order);
    let usable = usable_blocks(z, mask).map(|b| contig_info(&b[..z.orders()], order));
    let usable0 = z.free as i64 - unusable_free(z, 0, &caps, p.cma);
    ZoneVerdict {
        node: z.node,
        zone_idx: z.zone_idx,
        kind: z.kind,
        eligible,
        checks,
        last_chance: last,
        reserve: z.reserve_for(highest),
        free: z.free,
        free_cma: z.free_cma,
        free_highatomic: z.free_highatomic,
        marks: Wmark::ALL.map(|w| z.mark(w)),
        boost: z.boost,
        usable_free: max(usable0, 0) as u64,
        largest_usable: largest_order(z, mask),
        largest_any: largest_order(z, 0xff),
        unusable_index: unusable_index(order, &info),
        frag_index: fragmentation_index(order, &info),
        unusable_index_usable: usable.map(|i| unusable_index(order, &i)),
        frag_index_usable: usable.map(|i| fragmentation_index(order, &i)),
    }
}

/// The summary verdict classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Some eligible zone would satisfy the request now.
    None,
    /// A memory cgroup hit its limit: not a zone shortage.
    Memcg,
    /// Every eligible zone is below its mark.
    Exhaustion,
    /// Free memory, but no usable block of the order.
    Fragmentation,
    /// Free memory, but in CMA, which the request may not use.
    Cma,
    /// Free memory, but in the high-atomic reserve.
    HighAtomic,
    /// Free memory, but protected by `lowmem_reserve[]`.
    LowmemReserve,
}

impl Verdict {
    /// The `verdict=` word.
    pub const fn name(self) -> &'static str {
        match self {
            Verdict::None => "none",
            Verdict::Memcg => "memcg",
            Verdict::Exhaustion => "exhaustion",
            Verdict::Fragmentation => "fragmentation",
            Verdict::Cma => "cma",
            Verdict::HighAtomic => "highatomic",
            Verdict::LowmemReserve => "lowmem_reserve",
        }
    }

    /// Every class, in the order `stats` lists them.
    pub const ALL: [Verdict; 7] = [
        Verdict::None,
        Verdict::Memcg,
        Verdict::Exhaustion,
        Verdict::Fragmentation,
        Verdict::Cma,
        Verdict::HighAtomic,
        Verdict::LowmemReserve,
    ];

    fn of_cause(c: Cause) -> Verdict {
        match c {
            Cause::None => Verdict::None,
            Cause::Exhaustion => Verdict::Exhaustion,
            Cause::LowmemReserve => Verdict::LowmemReserve,
            Cause::Cma => Verdict::Cma,
            Cause::HighAtomic => Verdict::HighAtomic,
            Cause::Fragmentation => Verdict::Fragmentation,
        }
    }
}

/// Free pages a zone held that the request could not use because of its
/// cause at `stage` (the weight of that cause in the summary).
pub fn blocked_pages(v: &ZoneVerdict, order: u8, stage: Stage) -> u64 {
    let c = v.at(stage);
    let above_min = |x: i64| max(x - c.min, 0) as u64;
    match c.cause {
        Cause::None | Cause::Exhaustion => 0,
        Cause::LowmemReserve => above_min(v.free as i64 - ((1i64 << min(order, 62)) - 1)),
        Cause::Cma => v.free_cma,
        Cause::HighAtomic => v.free_highatomic,
        Cause::Fragmentation => above_min(c.usable),
    }
}

/// The summary over the zones a request may use, read from the slow path's
/// min-watermark check; see [`summarize_at`].
pub fn summarize(verdicts: &[ZoneVerdict], order: u8, memcg: bool) -> Verdict {
    summarize_at(verdicts, order, memcg, Stage::SlowPath)
}

/// The summary over the zones a request may use, from the checks of
/// `stage`.
///
/// Precedence (documented in Documentation/oomfrag.rst):
///
/// 1. `memcg` for a memory-cgroup OOM (zones are not the limit);
/// 2. `none` if an eligible zone passes its check now;
/// 3. otherwise each failing zone's cause is weighed by the free pages it
///    held that the request could not use ([`blocked_pages`]), summed per
///    cause; the heaviest cause wins (ties: fragmentation, cma, highatomic,
///    lowmem_reserve).  If some zone is exhausted, that cause must also
///    outweigh the high watermarks of the eligible zones together: memory
///    that would not even have lifted the zones to their high watermark did
///    not prevent the OOM, so the verdict is `exhaustion`.
pub fn summarize_at(verdicts: &[ZoneVerdict], order: u8, memcg: bool, stage: Stage) -> Verdict {
    if memcg {
        return Verdict::Memcg;
    }
    let eligible = || verdicts.iter().filter(|v| v.eligible);
    if eligible().any(|v| v.at(stage).ok) {
        return Verdict::None;
    }
    let order_of = [
        Cause::Fragmentation,
        Cause::Cma,
        Cause::HighAtomic,
        Cause::LowmemReserve,
    ];
    let mut best: Option<(Cause, u64)> = None;
    for cause in order_of {
        let sum: u64 = eligible()
            .filter(|v| v.at(stage).cause == cause)
            .map(|v| blocked_pages(v, order, stage))
            .sum();
        let any = eligible().any(|v| v.at(stage).cause == cause);
        if any && best.is_none_or(|(_, b)| sum > b) {
            best = Some((cause, sum));
        }
    }
    let exhausted = eligible().any(|v| v.at(stage).cause == Cause::Exhaustion);
    let high: u64 = eligible().map(|v| v.marks[Wmark::High as usize]).sum();
    match best {
        Some((cause, sum)) if !exhausted || sum > high => Verdict::of_cause(cause),
        _ => Verdict::Exhaustion,
    }
}
