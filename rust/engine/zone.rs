// SPDX-License-Identifier: GPL-2.0

//! A zone as the verdict rules read it: [`ZoneSnapshot`], a plain copy of the
//! fields of `struct zone` (include/linux/mmzone.h) that the page allocator's
//! watermark check looks at, and the kernel's enums it is indexed by.

use core::cmp::min;

/// `PAGE_ALLOC_COSTLY_ORDER`: `__alloc_pages_may_oom()` never invokes the OOM
/// killer above it ("The OOM killer will not help higher order allocs").
pub const COSTLY_ORDER: u8 = 3;

/// Capacity for orders per zone (`NR_PAGE_ORDERS` is 11 on x86-64; the
/// kernel adapter asserts at build time that it fits).
pub const MAX_ORDERS: usize = 16;
/// Capacity for zone indices (`MAX_NR_ZONES`).
pub const MAX_ZONES: usize = 8;
/// Capacity for node ids (`MAX_NUMNODES` is at most 1024:
/// `CONFIG_NODES_SHIFT` <= 10; the kernel adapter asserts it fits).
pub const MAX_NODES: usize = 1024;

/// A set of node ids, as the kernel's `nodemask_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeMask {
    words: [u64; NODE_WORDS],
}

/// 64-bit words of a [`NodeMask`].
pub const NODE_WORDS: usize = MAX_NODES / 64;

impl NodeMask {
    /// Every node: an allocation without a nodemask.
    pub const ALL: NodeMask = NodeMask {
        words: [u64::MAX; NODE_WORDS],
    };
    /// No node.
    pub const NONE: NodeMask = NodeMask {
        words: [0; NODE_WORDS],
    };

    /// The set of one node; empty if `node` is beyond [`MAX_NODES`].
    pub fn single(node: u16) -> Self {
        let mut m = Self::NONE;
        m.set(node);
        m
    }

    /// The set whose bits are `words` (`nodemask_t.bits`, least
    /// significant node first); nodes beyond `words` are not in it.
    pub fn from_words(words: &[u64]) -> Self {
        let mut m = Self::NONE;
        for (d, s) in m.words.iter_mut().zip(words) {
            *d = *s;
        }
        m
    }

    /// The set's words, least significant node first.
    pub fn words(&self) -> &[u64; NODE_WORDS] {
        &self.words
    }

    /// Adds `node` (ignored beyond [`MAX_NODES`]).
    pub fn set(&mut self, node: u16) {
        if let Some(w) = self.words.get_mut(usize::from(node) / 64) {
            *w |= 1 << (node % 64);
        }
    }

    /// Whether `node` is in the set.
    pub fn contains(&self, node: u16) -> bool {
        self.words
            .get(usize::from(node) / 64)
            .is_some_and(|w| w & (1 << (node % 64)) != 0)
    }

    /// `nodes_subset(*self, *of)`: every node of this mask is in `of`.
    pub fn is_subset(&self, of: &NodeMask) -> bool {
        self.words.iter().zip(&of.words).all(|(a, b)| a & !b == 0)
    }

    /// Whether this is [`NodeMask::ALL`] (no restriction).
    pub fn is_all(&self) -> bool {
        *self == Self::ALL
    }

    /// The set's node if it holds exactly one.
    pub fn single_node(&self) -> Option<u16> {
        let ones: u32 = self.words.iter().map(|w| w.count_ones()).sum();
        if ones != 1 {
            return None;
        }
        let (i, w) = self.words.iter().enumerate().find(|(_, w)| **w != 0)?;
        u16::try_from(i * 64 + w.trailing_zeros() as usize).ok()
    }

    /// The runs of consecutive nodes, as `(first, last)`, lowest first (for
    /// printing as the kernel's `%*pbl` does).
    pub fn runs(&self) -> impl Iterator<Item = (u16, u16)> + '_ {
        let max = MAX_NODES as u16;
        let mut n = 0u16;
        core::iter::from_fn(move || {
            while n < max && !self.contains(n) {
                n += 1;
            }
            if n >= max {
                return None;
            }
            let first = n;
            while n < max && self.contains(n) {
                n += 1;
            }
            Some((first, n - 1))
        })
    }
}

named_enum! {
    /// Migrate types, in the engine's own numbering.  The live-zone reader maps
    /// the kernel's `enum migratetype` onto these.
    pub enum MigrateType {
        /// `MIGRATE_UNMOVABLE`.
        Unmovable = 0 => "Unmovable",
        /// `MIGRATE_MOVABLE`.
        Movable = 1 => "Movable",
        /// `MIGRATE_RECLAIMABLE`.
        Reclaimable = 2 => "Reclaimable",
        /// `MIGRATE_HIGHATOMIC`.
        HighAtomic = 3 => "HighAtomic",
        /// `MIGRATE_CMA`.
        Cma = 4 => "CMA",
        /// `MIGRATE_ISOLATE`.
        Isolate = 5 => "Isolate",
    }
}

impl MigrateType {
    /// Bit of this type in [`ZoneSnapshot::nonempty`].
    pub const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

named_enum! {
    /// Zone types, in the engine's own naming; [`super::platform::Platform`]
    /// gives the kernel's index of each type configured in.
    pub enum ZoneType {
        /// `ZONE_DMA`.
        Dma = 0 => "DMA",
        /// `ZONE_DMA32`.
        Dma32 = 1 => "DMA32",
        /// `ZONE_NORMAL`.
        Normal = 2 => "Normal",
        /// `ZONE_HIGHMEM`.
        Highmem = 3 => "HighMem",
        /// `ZONE_MOVABLE`.
        Movable = 4 => "Movable",
        /// `ZONE_DEVICE`.
        Device = 5 => "Device",
    }
}

named_enum! {
    /// Watermark index (`enum zone_watermarks`), also the watermark bits of
    /// the allocator's flags (`alloc_flags & ALLOC_WMARK_MASK`,
    /// mm/page_alloc.h); the default is `ALLOC_DEFAULT`'s, `WMARK_MIN`.
    #[derive(Default)]
    pub enum Wmark {
        /// `WMARK_MIN`.
        #[default]
        Min = 0 => "min",
        /// `WMARK_LOW`.
        Low = 1 => "low",
        /// `WMARK_HIGH`.
        High = 2 => "high",
    }
}

/// One zone, as read from `struct zone` (all counts in pages/blocks).
#[derive(Clone, Copy, Debug)]
pub struct ZoneSnapshot {
    /// Node id.
    pub node: u16,
    /// Kernel zone index (`zone_idx()`), used to index `lowmem_reserve`.
    pub zone_idx: u8,
    /// Zone type.
    pub kind: ZoneType,
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
    /// Bit `MigrateType::bit()` set when `free_area[o].free_list[mt]` is not empty.
    pub nonempty: [u8; MAX_ORDERS],
    /// Free blocks per order and migrate type, when counted.
    pub blocks: [[u64; MigrateType::COUNT]; MAX_ORDERS],
    /// Whether `blocks` holds exact counts (counted under `zone->lock`).
    pub blocks_exact: bool,
    /// Whether some list's count stopped at the cap (`live::COUNT_LIMIT`).
    pub blocks_capped: bool,
    /// Whether `nr_free` and `nonempty` were read (always, from a live
    /// zone; from a log, only when the report has the zone's buddy line).
    /// Without them no free list can be judged empty.
    pub lists_read: bool,
}

impl ZoneSnapshot {
    /// An empty zone of `kind` with index `zone_idx` on `node`.
    pub const fn empty(node: u16, zone_idx: u8, kind: ZoneType, nr_orders: u8) -> Self {
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
            blocks: [[0; MigrateType::COUNT]; MAX_ORDERS],
            blocks_exact: false,
            blocks_capped: false,
            lists_read: false,
        }
    }

    /// A placeholder for preallocated storage.
    pub const EMPTY: ZoneSnapshot = ZoneSnapshot::empty(0, 0, ZoneType::Normal, 0);

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
}
