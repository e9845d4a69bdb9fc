// SPDX-License-Identifier: GPL-2.0

//! Reading the running kernel: with the capture glue (`capture.rs`,
//! `oom_notifier.rs`), the only place with `unsafe`.
//!
//! [`platform()`] turns the kernel's bindings into the engine's
//! [`Platform`]; [`snapshot()`] walks online nodes and populated zones into
//! [`ZoneSnapshot`]s, either locklessly (as `__zone_watermark_ok()` itself
//! reads a zone: counters and `list_empty()` of the free lists) for the OOM
//! path, or with per-migratetype counts taken under `zone->lock` for
//! debugfs, one (order, migratetype) list per lock hold (see
//! [`COUNT_LIMIT`] and [`max_lock_ns()`]).

use crate::engine::platform::Platform;
use crate::engine::zone::{
    Mt,
    ZoneKind,
    ZoneSnapshot,
    MAX_ORDERS,
    MAX_ZONES,
    NR_MT,
    NR_ZONE_KINDS, //
};
use core::ptr::{
    addr_of,
    read_volatile, //
};
use kernel::{
    bindings,
    ffi, //
};

const NR_ORDERS: usize = bindings::NR_PAGE_ORDERS as usize;
const NR_ZONES: usize = bindings::MAX_NR_ZONES as usize;
const NR_MIGRATETYPES: usize = bindings::migratetype_MIGRATE_TYPES as usize;
// The engine's capacities cover this kernel's orders, zones and migrate types.
const _: () = assert!(NR_ORDERS <= MAX_ORDERS && NR_ZONES <= MAX_ZONES && NR_MIGRATETYPES <= NR_MT);

/// Per-list cap when counting free lists, as `/proc/pagetypeinfo` caps
/// (mm/vmstat.c, `pagetypeinfo_showfree_print()`): `zone->lock` is held
/// with interrupts off for one list at a time, at most this many entries,
/// with a `cond_resched()` between lists.  A list that reaches the cap is
/// counted as the cap and its zone reads `counts=capped`.
pub const COUNT_LIMIT: usize = 100_000;

unsafe extern "C" {
    fn oomfrag_count_order(
        zone: *mut ffi::c_void,
        order: ffi::c_uint,
        counts: *mut ffi::c_ulong,
        nr_mt: ffi::c_uint,
        limit: ffi::c_ulong,
    ) -> ffi::c_ulong;
    fn oomfrag_max_lock_ns() -> u64;
}

/// The longest single `zone->lock` hold (interrupts off) of a counted
/// snapshot since the module was loaded, in ns (`stats`: `max_lock_ns`).
pub fn max_lock_ns() -> u64 {
    // SAFETY: reads an atomic of the C shim; no precondition.
    unsafe { oomfrag_max_lock_ns() }
}

// The one gfp table (gfp.rs) is this kernel's: every flag and mask equals
// the bindings', or the module does not build.
const fn bit(b: u32) -> u32 {
    1 << b
}
const _: () = {
    use crate::engine::gfp::*;
    assert!(DMA == bit(bindings::___GFP_DMA_BIT));
    assert!(HIGHMEM == bit(bindings::___GFP_HIGHMEM_BIT));
    assert!(DMA32 == bit(bindings::___GFP_DMA32_BIT));
    assert!(MOVABLE == bit(bindings::___GFP_MOVABLE_BIT));
    assert!(RECLAIMABLE == bit(bindings::___GFP_RECLAIMABLE_BIT));
    assert!(HIGH == bit(bindings::___GFP_HIGH_BIT));
    assert!(IO == bit(bindings::___GFP_IO_BIT));
    assert!(FS == bit(bindings::___GFP_FS_BIT));
    assert!(ZERO == bit(bindings::___GFP_ZERO_BIT));
    assert!(DIRECT_RECLAIM == bit(bindings::___GFP_DIRECT_RECLAIM_BIT));
    assert!(KSWAPD_RECLAIM == bit(bindings::___GFP_KSWAPD_RECLAIM_BIT));
    assert!(WRITE == bit(bindings::___GFP_WRITE_BIT));
    assert!(NOWARN == bit(bindings::___GFP_NOWARN_BIT));
    assert!(RETRY_MAYFAIL == bit(bindings::___GFP_RETRY_MAYFAIL_BIT));
    assert!(NOFAIL == bit(bindings::___GFP_NOFAIL_BIT));
    assert!(NORETRY == bit(bindings::___GFP_NORETRY_BIT));
    assert!(MEMALLOC == bit(bindings::___GFP_MEMALLOC_BIT));
    assert!(COMP == bit(bindings::___GFP_COMP_BIT));
    assert!(NOMEMALLOC == bit(bindings::___GFP_NOMEMALLOC_BIT));
    assert!(HARDWALL == bit(bindings::___GFP_HARDWALL_BIT));
    assert!(THISNODE == bit(bindings::___GFP_THISNODE_BIT));
    assert!(ACCOUNT == bit(bindings::___GFP_ACCOUNT_BIT));
    assert!(KERNEL == bindings::GFP_KERNEL);
    assert!(KERNEL_ACCOUNT == bindings::GFP_KERNEL_ACCOUNT);
    assert!(ATOMIC == bindings::GFP_ATOMIC);
    assert!(NOWAIT == bindings::GFP_NOWAIT);
};

/// The engine's kind for a kernel zone index.
fn zone_kind(idx: usize) -> Option<ZoneKind> {
    let idx = idx as u32;
    #[cfg(CONFIG_ZONE_DMA)]
    if idx == bindings::zone_type_ZONE_DMA {
        return Some(ZoneKind::Dma);
    }
    #[cfg(CONFIG_ZONE_DMA32)]
    if idx == bindings::zone_type_ZONE_DMA32 {
        return Some(ZoneKind::Dma32);
    }
    #[cfg(CONFIG_HIGHMEM)]
    if idx == bindings::zone_type_ZONE_HIGHMEM {
        return Some(ZoneKind::Highmem);
    }
    #[cfg(CONFIG_ZONE_DEVICE)]
    if idx == bindings::zone_type_ZONE_DEVICE {
        return Some(ZoneKind::Device);
    }
    if idx == bindings::zone_type_ZONE_NORMAL {
        Some(ZoneKind::Normal)
    } else if idx == bindings::zone_type_ZONE_MOVABLE {
        Some(ZoneKind::Movable)
    } else {
        None
    }
}

/// The engine's migrate type for a kernel `enum migratetype` value.
fn mt_of(mt: usize) -> Option<Mt> {
    let mt = mt as u32;
    #[cfg(CONFIG_CMA)]
    if mt == bindings::migratetype_MIGRATE_CMA {
        return Some(Mt::Cma);
    }
    #[cfg(CONFIG_MEMORY_ISOLATION)]
    if mt == bindings::migratetype_MIGRATE_ISOLATE {
        return Some(Mt::Isolate);
    }
    match mt {
        bindings::migratetype_MIGRATE_UNMOVABLE => Some(Mt::Unmovable),
        bindings::migratetype_MIGRATE_MOVABLE => Some(Mt::Movable),
        bindings::migratetype_MIGRATE_RECLAIMABLE => Some(Mt::Reclaimable),
        bindings::migratetype_MIGRATE_HIGHATOMIC => Some(Mt::HighAtomic),
        _ => None,
    }
}

/// The running kernel as the engine needs it.
pub fn platform() -> Platform {
    let mut zone_idx = [None; NR_ZONE_KINDS];
    for idx in 0..NR_ZONES {
        if let Some(k) = zone_kind(idx) {
            zone_idx[k as usize] = Some(idx as u8);
        }
    }
    Platform {
        zone_idx,
        cma: cfg!(CONFIG_CMA),
        // `page_group_by_mobility_disabled` is not exported to modules.  The
        // kernel sets it only when all memory is smaller than
        // `pageblock_nr_pages * MIGRATE_TYPES` pages (12 MB on x86-64), a
        // machine too small to run this module's tests; it is taken as false.
        mobility_disabled: false,
        page_shift: kernel::page::PAGE_SHIFT as u8,
        numa: cfg!(CONFIG_NUMA),
    }
}

/// The most zones [`snapshot()`] can ever return on this machine:
/// `nr_node_ids` (the possible nodes, hot-pluggable ones included) times
/// `MAX_NR_ZONES`.  The module sizes its buffers with it at load.
pub fn max_zones() -> usize {
    // SAFETY: `nr_node_ids` is set during early boot, before modules load,
    // and never changes after.
    let nodes = unsafe { bindings::nr_node_ids } as usize;
    nodes.clamp(1, bindings::MAX_NUMNODES as usize) * NR_ZONES
}

/// How to read the free lists.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Counters and `list_empty()` only, no lock (the OOM path).
    Lockless,
    /// Per-migratetype counts under `zone->lock`, one list at a time, each
    /// capped at [`COUNT_LIMIT`]; may sleep between lists.
    Counted,
}

/// `node_data[nid]` (or `&contig_page_data` without NUMA).
fn pgdat(nid: usize) -> *mut bindings::pglist_data {
    #[cfg(CONFIG_NUMA)]
    {
        // SAFETY: `node_data` is the exported array of `MAX_NUMNODES`
        // pointers (declared with unknown length in the bindings); the
        // caller only passes online node ids, which are < MAX_NUMNODES.
        unsafe {
            addr_of!(bindings::node_data)
                .cast::<*mut bindings::pglist_data>()
                .add(nid)
                .read_volatile()
        }
    }
    #[cfg(not(CONFIG_NUMA))]
    {
        let _ = nid;
        // SAFETY: taking the address of an exported static does not read it.
        unsafe { core::ptr::addr_of_mut!(bindings::contig_page_data) }
    }
}

/// Whether node `nid` is in `node_states[N_ONLINE]`.
fn node_online(nid: usize) -> bool {
    const BITS: usize = 8 * core::mem::size_of::<ffi::c_ulong>();
    // SAFETY: `node_states` is an exported array of nodemasks indexed by
    // `enum node_states`; N_ONLINE is in range and `nid < MAX_NUMNODES`
    // keeps the word index inside the mask.  Bits change only on node
    // hotplug; a racy word read is what `node_state()` does.
    let word = unsafe {
        let mask = addr_of!(bindings::node_states[bindings::node_states_N_ONLINE as usize]);
        read_volatile(addr_of!((*mask).bits[nid / BITS]))
    };
    word & (1 << (nid % BITS)) != 0
}

/// `zone_page_state()`: an `atomic_long_t` counter, negative read as 0.
///
/// # Safety
///
/// `zone` must point to a live `struct zone`.
unsafe fn zone_stat(zone: *const bindings::zone, item: u32) -> u64 {
    // SAFETY: the caller guarantees `zone` is live; `item` is a valid
    // `enum zone_stat_item`; the counter is read as `atomic_long_read()` does.
    let v = unsafe { read_volatile(addr_of!((*zone).vm_stat[item as usize].counter)) };
    v.max(0) as u64
}

/// Reads one populated zone into `s`, in place: every field is written
/// (`blocks` is cleared only if it held counts), so that no 1 KB snapshot
/// is built and copied (struct copies are most of a snapshot's cost under
/// emulation; see "Cost" in Documentation/oomfrag.rst).
///
/// # Safety
///
/// `zone` must point to a live, populated `struct zone` of node `nid`.
unsafe fn read_zone(
    s: &mut ZoneSnapshot,
    zone: *mut bindings::zone,
    nid: usize,
    idx: usize,
    mode: Mode,
) {
    s.node = nid as u16;
    s.zone_idx = idx as u8;
    s.kind = zone_kind(idx).unwrap_or(ZoneKind::Normal);
    s.nr_orders = NR_ORDERS as u8;
    s.unaccepted = 0;
    s.free_cma = 0;
    s.lowmem_reserve = [0; MAX_ZONES];
    s.nr_free = [0; MAX_ORDERS];
    s.nonempty = [0; MAX_ORDERS];
    if s.blocks_exact {
        s.blocks = [[0; NR_MT]; MAX_ORDERS];
    }
    s.blocks_exact = false;
    s.blocks_capped = false;
    s.lists_read = true;
    // SAFETY: per the function's contract `zone` is live for the whole
    // call (zones are never freed); every field is read with one volatile
    // load, as READ_ONCE() does, since the allocator updates them
    // concurrently.
    unsafe {
        let z = zone.cast_const();
        s.present = read_volatile(addr_of!((*z).present_pages)) as u64;
        s.managed = read_volatile(addr_of!((*z).managed_pages.counter)).max(0) as u64;
        s.free = zone_stat(z, bindings::zone_stat_item_NR_FREE_PAGES);
        #[cfg(CONFIG_CMA)]
        {
            s.free_cma = zone_stat(z, bindings::zone_stat_item_NR_FREE_CMA_PAGES);
        }
        #[cfg(CONFIG_UNACCEPTED_MEMORY)]
        {
            s.unaccepted = zone_stat(z, bindings::zone_stat_item_NR_UNACCEPTED);
        }
        s.free_highatomic = read_volatile(addr_of!((*z).nr_free_highatomic)) as u64;
        s.reserved_highatomic = read_volatile(addr_of!((*z).nr_reserved_highatomic)) as u64;
        for w in 0..3 {
            s.wmark[w] = read_volatile(addr_of!((*z)._watermark[w])) as u64;
        }
        s.boost = read_volatile(addr_of!((*z).watermark_boost)) as u64;
        for r in 0..NR_ZONES {
            s.lowmem_reserve[r] = read_volatile(addr_of!((*z).lowmem_reserve[r])).max(0) as u64;
        }
        for o in 0..NR_ORDERS {
            let area = addr_of!((*z).free_area[o]);
            s.nr_free[o] = read_volatile(addr_of!((*area).nr_free)) as u64;
            for mt in 0..NR_MIGRATETYPES {
                let head = addr_of!((*area).free_list[mt]);
                // list_empty(): head->next == head.
                let next = read_volatile(addr_of!((*head).next));
                if let Some(m) = mt_of(mt) {
                    if !core::ptr::eq(next.cast_const(), head) {
                        s.nonempty[o] |= m.bit();
                    }
                }
            }
        }
    }
    if mode == Mode::Counted {
        let mut counts = [0 as ffi::c_ulong; NR_MIGRATETYPES];
        for o in 0..NR_ORDERS {
            // SAFETY: `zone` is live (contract); `counts` has room for
            // `NR_MIGRATETYPES` entries; the shim takes `zone->lock` itself,
            // per list, and may sleep between lists (`Mode::Counted` is
            // for process context only).
            let nr_free = unsafe {
                oomfrag_count_order(
                    zone.cast(),
                    o as ffi::c_uint,
                    counts.as_mut_ptr(),
                    NR_MIGRATETYPES as ffi::c_uint,
                    COUNT_LIMIT as ffi::c_ulong,
                )
            };
            s.nr_free[o] = nr_free as u64;
            s.nonempty[o] = 0;
            for (mt, &c) in counts.iter().enumerate() {
                if let Some(m) = mt_of(mt) {
                    s.blocks[o][m as usize] = c as u64;
                    s.blocks_capped |= c >= COUNT_LIMIT;
                    if c > 0 {
                        s.nonempty[o] |= m.bit();
                    }
                }
            }
        }
        s.blocks_exact = true;
    }
}

/// Walks online nodes and their populated zones into `out`, in node then
/// zone order (as `/proc/zoneinfo` lists them).  Returns how many zones
/// exist; only the first `out.len()` are written.  Bounded: at most
/// `MAX_NUMNODES * MAX_NR_ZONES` zones are looked at.
pub fn snapshot(out: &mut [ZoneSnapshot], mode: Mode) -> usize {
    let mut n = 0;
    for nid in 0..bindings::MAX_NUMNODES as usize {
        if !node_online(nid) {
            continue;
        }
        let pgdat = pgdat(nid);
        if pgdat.is_null() {
            continue;
        }
        for idx in 0..NR_ZONES {
            // SAFETY: an online node's `pglist_data` is live and never
            // freed while online; `idx < MAX_NR_ZONES` is in bounds of
            // `node_zones`.
            let zone = unsafe { addr_of!((*pgdat).node_zones[idx]).cast_mut() };
            // populated_zone(): present_pages != 0.
            // SAFETY: as above, `zone` points into a live pglist_data.
            let present = unsafe { read_volatile(addr_of!((*zone).present_pages)) };
            if present == 0 {
                continue;
            }
            if let Some(slot) = out.get_mut(n) {
                // SAFETY: `zone` is live and populated (checked above).
                unsafe { read_zone(slot, zone, nid, idx, mode) };
            }
            n += 1;
        }
    }
    n
}

/// `NR_PAGE_ORDERS` as the engine's order type.
pub const NR_ORDERS_U8: u8 = NR_ORDERS as u8;

/// Whether `nid` names an online node (for `query`'s `node=`).
pub fn node_id_online(nid: u64) -> bool {
    nid < u64::from(bindings::MAX_NUMNODES) && node_online(nid as usize)
}
