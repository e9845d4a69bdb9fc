// SPDX-License-Identifier: GPL-2.0

//! Rules of kernels older than the engine's, used only for reports of those
//! kernels.  The engine mirrors Linux 7.3; these are what changed since.
//!
//! Before 4.4, `__zone_watermark_ok()` (mm/page_alloc.c, until commit
//! 97a16fc82a7c "mm, page_alloc: only enforce watermarks for order-0
//! allocations") did not look for a free block of the order on a usable
//! list.  After the order-0 test it walked the lower orders, subtracting
//! each one's free pages and halving `min`:
//!
//! ```c
//!     free_pages -= (1 << order) - 1;
//!     if (alloc_flags & ALLOC_HIGH)
//!             min -= min / 2;
//!     if (alloc_flags & ALLOC_HARDER)
//!             min -= min / 4;
//!     if (free_pages - free_cma <= min + z->lowmem_reserve[classzone_idx])
//!             return false;
//!     for (o = 0; o < order; o++) {
//!             /* At the next order, this order's pages become unavailable */
//!             free_pages -= z->free_area[o].nr_free << o;
//!             /* Require fewer higher order pages to be free */
//!             min >>= 1;
//!             if (free_pages <= min)
//!                     return false;
//!     }
//!     return true;
//! ```
//!
//! (`ALLOC_HARDER` was set for requests that could not sleep, with or
//! without `__GFP_HIGH`; there was no high-atomic reserve; the loop counts
//! CMA pages.)  This file is the only one here that judges; it works on the
//! engine's types and is called from the engine adapter only.

use oomfrag_engine::alloc_flags::AllocFlags;
use oomfrag_engine::watermark::{Cause, Check};
use oomfrag_engine::zone::ZoneSnapshot;

/// Where the pre-4.4 check failed, for the explanation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoopFail {
    /// The lower order whose pages were just taken away.
    pub order: u8,
    /// Free pages left above it.
    pub free_left: i64,
    /// `min` halved `order + 1` times.
    pub min_left: i64,
}

/// `__zone_watermark_ok()` before 4.4 for `z` at watermark value `mark`
/// (with boost; there was none then), and where its order loop failed.
pub fn pre_4_4_check(
    z: &ZoneSnapshot,
    order: u8,
    mark: u64,
    reserve: u64,
    caps: &AllocFlags,
    cma_configured: bool,
) -> (Check, Option<LoopFail>) {
    let mut min = mark as i64;
    if caps.min_reserve {
        min -= min / 2;
    }
    if caps.non_block {
        min -= min / 4;
    }
    let mut free = z.free as i64 - ((1i64 << order.min(62)) - 1);
    let cma = if cma_configured && !caps.cma {
        z.free_cma as i64
    } else {
        0
    };
    let reserve = reserve as i64;
    let mut check = Check {
        ok: false,
        cause: Cause::None,
        min,
        usable: free - cma,
    };
    if caps.no_watermarks {
        check.ok = true;
        return (check, None);
    }
    if free - cma <= min + reserve {
        check.cause = if free <= min {
            Cause::Exhaustion
        } else if free <= min + reserve {
            Cause::LowmemReserve
        } else {
            Cause::Cma
        };
        return (check, None);
    }
    for o in 0..order.min(15) {
        free -= (z.nr_free[o as usize] as i64) << o;
        min >>= 1;
        if free <= min {
            check.cause = Cause::Fragmentation;
            return (
                check,
                Some(LoopFail {
                    order: o,
                    free_left: free,
                    min_left: min,
                }),
            );
        }
    }
    check.ok = true;
    (check, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oomfrag_engine::zone::ZoneType;

    #[test]
    fn high_order_needs_free_pages_above_each_order() {
        // 1000 free pages, all order 0 but 10 blocks of order 3 (80 pages):
        // the modern check passes order 3 (a block exists); the old one
        // fails it at order 0: 1000 - 7 - 920 = 73 > 50, then order 1/2
        // have none: 73 > 25, 73 > 12: passes.  With min 400: 73 <= 200.
        let mut z = ZoneSnapshot::empty(0, 0, ZoneType::Normal, 11);
        z.nr_free[0] = 920;
        z.nr_free[3] = 10;
        z.free = 1000;
        let caps = AllocFlags::default();
        assert!(pre_4_4_check(&z, 3, 100, 0, &caps, false).0.ok);
        let (c, f) = pre_4_4_check(&z, 3, 400, 0, &caps, false);
        assert_eq!((c.ok, c.cause), (false, Cause::Fragmentation));
        assert_eq!(
            f,
            Some(LoopFail {
                order: 0,
                free_left: 73,
                min_left: 200
            })
        );
    }
}
