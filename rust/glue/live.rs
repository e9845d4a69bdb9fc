// SPDX-License-Identifier: GPL-2.0

//! Reading the running kernel's zones.
//!
//! [`platform()`] turns the kernel's bindings into the engine's
//! [`Platform`]; [`snapshot()`] walks online nodes and their populated
//! zones ([`Zone`]) into [`ZoneSnapshot`]s, either locklessly (as
//! `__zone_watermark_ok()` itself reads a zone: counters and `list_empty()`
//! of the free lists) for the OOM path, or with per-migratetype counts
//! taken under `zone->lock` for debugfs, one (order, migratetype) list per
//! lock hold (see [`COUNT_LIMIT`] and [`max_lock_ns()`]).  The kernel's
//! inline helpers that read a zone are called from `live_shim.c`, which
//! also holds what differs between kernel versions.

use crate::engine::platform::{
    mobility_grouping_disabled,
    Platform, //
};
use crate::engine::zone::{
    MigrateType,
    ZoneSnapshot,
    ZoneType,
    MAX_ORDERS,
    MAX_ZONES, //
};
use kernel::{
    bindings,
    ffi,
    types::Opaque, //
};

const NR_ORDERS: usize = bindings::NR_PAGE_ORDERS as usize;
const NR_ZONES: usize = bindings::MAX_NR_ZONES as usize;
const NR_MIGRATETYPES: usize = bindings::migratetype_MIGRATE_TYPES as usize;
// The engine's capacities cover this kernel's orders, zones and migrate types.
const _: () = assert!(
    NR_ORDERS <= MAX_ORDERS && NR_ZONES <= MAX_ZONES && NR_MIGRATETYPES <= MigrateType::COUNT
);

/// Per-list cap when counting free lists, as `/proc/pagetypeinfo` caps
/// (mm/vmstat.c, `pagetypeinfo_showfree_print()`): `zone->lock` is held
/// with interrupts off for one list at a time, at most this many entries,
/// with a `cond_resched()` between lists.  A list that reaches the cap is
/// counted as the cap and its zone reads `counts=capped`.
pub(crate) const COUNT_LIMIT: usize = 100_000;

unsafe extern "C" {
    fn oomfrag_platform_read(p: *mut PlatformRaw);
    fn oomfrag_nr_node_ids() -> ffi::c_uint;
    fn oomfrag_node_online(nid: ffi::c_uint) -> bool;
    fn oomfrag_populated_zone(nid: ffi::c_uint, idx: ffi::c_uint) -> *mut ffi::c_void;
    fn oomfrag_zone_read(zone: *mut ffi::c_void, z: *mut ZoneRaw);
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
pub(crate) fn max_lock_ns() -> u64 {
    // SAFETY: reads an atomic of the C shim; no precondition.
    unsafe { oomfrag_max_lock_ns() }
}

// The one gfp table (gfp_types.rs) is this kernel's: every flag and mask equals
// the bindings', or the module does not build.
const fn bit(b: u32) -> u32 {
    1 << b
}
const _: () = {
    use crate::engine::gfp_types::*;
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
fn zone_type(idx: usize) -> Option<ZoneType> {
    let idx = idx as u32;
    #[cfg(CONFIG_ZONE_DMA)]
    if idx == bindings::zone_type_ZONE_DMA {
        return Some(ZoneType::Dma);
    }
    #[cfg(CONFIG_ZONE_DMA32)]
    if idx == bindings::zone_type_ZONE_DMA32 {
        return Some(ZoneType::Dma32);
    }
    #[cfg(CONFIG_HIGHMEM)]
    if idx == bindings::zone_type_ZONE_HIGHMEM {
        return Some(ZoneType::Highmem);
    }
    #[cfg(CONFIG_ZONE_DEVICE)]
    if idx == bindings::zone_type_ZONE_DEVICE {
        return Some(ZoneType::Device);
    }
    if idx == bindings::zone_type_ZONE_NORMAL {
        Some(ZoneType::Normal)
    } else if idx == bindings::zone_type_ZONE_MOVABLE {
        Some(ZoneType::Movable)
    } else {
        None
    }
}

/// The engine's migrate type for a kernel `enum migratetype` value.
fn migrate_type(mt: usize) -> Option<MigrateType> {
    let mt = mt as u32;
    #[cfg(CONFIG_CMA)]
    if mt == bindings::migratetype_MIGRATE_CMA {
        return Some(MigrateType::Cma);
    }
    #[cfg(CONFIG_MEMORY_ISOLATION)]
    if mt == bindings::migratetype_MIGRATE_ISOLATE {
        return Some(MigrateType::Isolate);
    }
    match mt {
        bindings::migratetype_MIGRATE_UNMOVABLE => Some(MigrateType::Unmovable),
        bindings::migratetype_MIGRATE_MOVABLE => Some(MigrateType::Movable),
        bindings::migratetype_MIGRATE_RECLAIMABLE => Some(MigrateType::Reclaimable),
        bindings::migratetype_MIGRATE_HIGHATOMIC => Some(MigrateType::HighAtomic),
        _ => None,
    }
}

/// `struct oomfrag_platform` of shim.h: what `build_all_zonelists()`
/// decided grouping by mobility from.
#[repr(C)]
#[derive(Default)]
struct PlatformRaw {
    boot_total_pages: ffi::c_ulong,
    pageblock_shift: ffi::c_uint,
    migrate_types: ffi::c_uint,
}

/// The figures behind [`Platform::mobility_disabled`], for the load line.
#[derive(Clone, Copy)]
pub(crate) struct Mobility {
    /// `vm_total_pages` of `build_all_zonelists()` at boot.
    pub(crate) total_pages: u64,
    /// `pageblock_order`.
    pub(crate) pageblock_order: u8,
    /// `MIGRATE_TYPES`.
    pub(crate) migrate_types: u8,
    /// `page_group_by_mobility_disabled`, decided from the above.
    pub(crate) disabled: bool,
}

/// Whether the kernel groups pages by mobility, decided from what
/// `build_all_zonelists()` decided it from at boot
/// (`oomfrag_platform_read()`): `page_group_by_mobility_disabled` itself is
/// not exported to modules.
pub(crate) fn mobility() -> Mobility {
    let mut raw = PlatformRaw::default();
    // SAFETY: `raw` has the layout of `struct oomfrag_platform`, which the
    // shim fills from boot-time zone fields and constants.
    unsafe { oomfrag_platform_read(&mut raw) };
    let pageblock_order = u8::try_from(raw.pageblock_shift).unwrap_or(u8::MAX);
    let migrate_types = u8::try_from(raw.migrate_types).unwrap_or(u8::MAX);
    let total_pages = raw.boot_total_pages as u64;
    Mobility {
        total_pages,
        pageblock_order,
        migrate_types,
        disabled: mobility_grouping_disabled(total_pages, pageblock_order, migrate_types),
    }
}

/// The running kernel as the engine needs it.
pub(crate) fn platform() -> Platform {
    let mut zone_idx = [None; ZoneType::COUNT];
    for idx in 0..NR_ZONES {
        if let Some(k) = zone_type(idx) {
            zone_idx[k as usize] = Some(idx as u8);
        }
    }
    Platform {
        zone_idx,
        cma: cfg!(CONFIG_CMA),
        mobility_disabled: mobility().disabled,
        page_shift: kernel::page::PAGE_SHIFT as u8,
        numa: cfg!(CONFIG_NUMA),
    }
}

/// `nr_node_ids`: one more than the highest possible node id, at most
/// `MAX_NUMNODES`.
fn nr_node_ids() -> usize {
    // SAFETY: no arguments; it reads a value set during early boot, before
    // modules load (a constant without `CONFIG_NUMA`).
    let nodes = unsafe { oomfrag_nr_node_ids() } as usize;
    nodes.clamp(1, bindings::MAX_NUMNODES as usize)
}

/// The most zones [`snapshot()`] can ever return on this machine:
/// `nr_node_ids` (the possible nodes, hot-pluggable ones included) times
/// `MAX_NR_ZONES`.  The module sizes its buffers with it at load.
pub(crate) fn max_zones() -> usize {
    nr_node_ids() * NR_ZONES
}

/// How to read the free lists.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Counters and `list_empty()` only, no lock (the OOM path).
    Lockless,
    /// Per-migratetype counts under `zone->lock`, one list at a time, each
    /// capped at [`COUNT_LIMIT`]; may sleep between lists.
    Counted,
}

/// `struct oomfrag_zone` of shim.h: one zone as `oomfrag_zone_read()`
/// reads it with the kernel's own helpers.
#[repr(C)]
#[derive(Default)]
struct ZoneRaw {
    present: ffi::c_ulong,
    managed: ffi::c_ulong,
    free: ffi::c_ulong,
    free_cma: ffi::c_ulong,
    unaccepted: ffi::c_ulong,
    free_highatomic: ffi::c_ulong,
    reserved_highatomic: ffi::c_ulong,
    wmark: [ffi::c_ulong; 3],
    boost: ffi::c_ulong,
    lowmem_reserve: [ffi::c_long; NR_ZONES],
    nr_free: [ffi::c_ulong; NR_ORDERS],
    nonempty: [ffi::c_uint; NR_ORDERS],
}

/// A zone of the running kernel (`struct zone`).
///
/// # Invariants
///
/// The zone is one of `node_zones[]` of an online node's `pglist_data`,
/// populated when it was looked up.  A node's `pglist_data` is never freed
/// (memory hot-remove leaves it in place), so the zone is valid for the
/// module's lifetime.  The allocator changes its fields concurrently: they
/// are only read through the kernel's helpers or under `zone->lock`.
#[repr(transparent)]
pub(crate) struct Zone(Opaque<bindings::zone>);

impl Zone {
    /// Zone `idx` of node `nid`, if the node is online and the zone
    /// populated (`populated_zone()`).
    pub(crate) fn get(nid: usize, idx: usize) -> Option<&'static Zone> {
        let (nid, idx) = (u32::try_from(nid).ok()?, u32::try_from(idx).ok()?);
        // SAFETY: the shim checks both indices and the node's state; it
        // returns NULL or a zone of an online node.
        let zone = unsafe { oomfrag_populated_zone(nid, idx) };
        // SAFETY: a non-null result is a populated zone of an online node,
        // valid for the module's lifetime; `Zone` is a transparent
        // `Opaque<bindings::zone>`.
        (!zone.is_null()).then(|| unsafe { &*zone.cast::<Zone>() })
    }

    /// The `struct zone *` to hand the shim (declared there as `void *`:
    /// `struct zone` is not FFI-safe in Rust's eyes).
    fn as_raw(&self) -> *mut ffi::c_void {
        self.0.get().cast()
    }

    /// Reads the zone, as zone `idx` of node `nid`, into `s`, in place:
    /// every field is written (`blocks` is cleared only if it held counts),
    /// so that no 1 KB snapshot is built and copied (struct copies are most
    /// of a snapshot's cost under emulation; see "Cost" in
    /// Documentation/oomfrag.rst).
    fn read(&self, s: &mut ZoneSnapshot, nid: usize, idx: usize, mode: Mode) {
        let mut raw = ZoneRaw::default();
        // SAFETY: the zone is valid (type invariant); `raw` has the layout
        // of `struct oomfrag_zone`, which the shim fills without a lock.
        unsafe { oomfrag_zone_read(self.as_raw(), &mut raw) };
        s.node = nid as u16;
        s.zone_idx = idx as u8;
        s.kind = zone_type(idx).unwrap_or(ZoneType::Normal);
        s.nr_orders = NR_ORDERS as u8;
        s.present = raw.present as u64;
        s.managed = raw.managed as u64;
        s.free = raw.free as u64;
        s.free_cma = raw.free_cma as u64;
        s.unaccepted = raw.unaccepted as u64;
        s.free_highatomic = raw.free_highatomic as u64;
        s.reserved_highatomic = raw.reserved_highatomic as u64;
        s.wmark = raw.wmark.map(|w| w as u64);
        s.boost = raw.boost as u64;
        s.lowmem_reserve = [0; MAX_ZONES];
        for (d, &r) in s.lowmem_reserve.iter_mut().zip(&raw.lowmem_reserve) {
            *d = r.max(0) as u64;
        }
        s.nr_free = [0; MAX_ORDERS];
        s.nonempty = [0; MAX_ORDERS];
        for o in 0..NR_ORDERS {
            s.nr_free[o] = raw.nr_free[o] as u64;
            for mt in 0..NR_MIGRATETYPES {
                if raw.nonempty[o] & (1 << mt) != 0 {
                    if let Some(m) = migrate_type(mt) {
                        s.nonempty[o] |= m.bit();
                    }
                }
            }
        }
        if s.blocks_exact {
            s.blocks = [[0; MigrateType::COUNT]; MAX_ORDERS];
        }
        s.blocks_exact = false;
        s.blocks_capped = false;
        s.lists_read = true;
        if mode == Mode::Counted {
            self.count(s);
        }
    }

    /// Counts the free lists of every order into `s.blocks`, each list
    /// under `zone->lock` (see [`COUNT_LIMIT`]).  May sleep.
    fn count(&self, s: &mut ZoneSnapshot) {
        let mut counts = [0 as ffi::c_ulong; NR_MIGRATETYPES];
        for o in 0..NR_ORDERS {
            // SAFETY: the zone is valid (type invariant); `counts` has room
            // for `NR_MIGRATETYPES` entries; the shim takes `zone->lock`
            // itself, per list, and may sleep between lists (`Mode::Counted`
            // is for process context only).
            let nr_free = unsafe {
                oomfrag_count_order(
                    self.as_raw(),
                    o as ffi::c_uint,
                    counts.as_mut_ptr(),
                    NR_MIGRATETYPES as ffi::c_uint,
                    COUNT_LIMIT as ffi::c_ulong,
                )
            };
            s.nr_free[o] = nr_free as u64;
            s.nonempty[o] = 0;
            for (mt, &c) in counts.iter().enumerate() {
                if let Some(m) = migrate_type(mt) {
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
/// `nr_node_ids * MAX_NR_ZONES` zones are looked at.
pub(crate) fn snapshot(out: &mut [ZoneSnapshot], mode: Mode) -> usize {
    let mut n = 0;
    for nid in 0..nr_node_ids() {
        for idx in 0..NR_ZONES {
            let Some(zone) = Zone::get(nid, idx) else {
                continue;
            };
            if let Some(slot) = out.get_mut(n) {
                zone.read(slot, nid, idx, mode);
            }
            n += 1;
        }
    }
    n
}

/// `NR_PAGE_ORDERS` as the engine's order type.
pub(crate) const NR_ORDERS_U8: u8 = NR_ORDERS as u8;

/// Whether `nid` names an online node (for `query`'s `node=`).
pub(crate) fn node_id_online(nid: u64) -> bool {
    // SAFETY: the shim checks the range; `node_online()` reads a bitmap.
    u32::try_from(nid).is_ok_and(|nid| unsafe { oomfrag_node_online(nid) })
}
