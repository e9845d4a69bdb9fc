// SPDX-License-Identifier: GPL-2.0

//! `build_all_zonelists()`'s mobility-grouping threshold for each page size
//! a kernel is built with, in the kernel's own numbers: `pageblock_order` is
//! `min(HPAGE_PMD_ORDER, PAGE_BLOCK_MAX_ORDER)` (`pageblock-flags.h`), with
//! `HPAGE_PMD_ORDER = PMD_SHIFT - PAGE_SHIFT`.

use oomfrag_engine::platform::mobility_grouping_disabled;

/// (page size in kB, `PAGE_SHIFT`, `PMD_SHIFT`, `MAX_PAGE_ORDER`): x86-64
/// and arm64 4K, arm64 16K and 64K (`arch/arm64/Kconfig`,
/// `ARCH_FORCE_MAX_ORDER`).
const PAGE_SIZES: [(u64, u32, u32, u32); 3] = [(4, 12, 21, 10), (16, 14, 25, 11), (64, 16, 29, 13)];

/// `MIGRATE_TYPES` with `CONFIG_CMA` and `CONFIG_MEMORY_ISOLATION`.
const MIGRATE_TYPES: u8 = 6;

fn pageblock_order(page_shift: u32, pmd_shift: u32, max_page_order: u32) -> u8 {
    (pmd_shift - page_shift).min(max_page_order) as u8
}

#[test]
fn threshold_in_megabytes_per_page_size() {
    // The figures the kernel's documentation and the arm64 boards give:
    // 12 MB, 192 MB, 3 GB.
    let want_mb = [12, 192, 3072];
    for ((kb, shift, pmd, max), want) in PAGE_SIZES.into_iter().zip(want_mb) {
        let order = pageblock_order(shift, pmd, max);
        let threshold_pages = (1u64 << order) * u64::from(MIGRATE_TYPES);
        assert_eq!(threshold_pages * kb / 1024, want, "{kb} kB pages");
        assert!(mobility_grouping_disabled(
            threshold_pages - 1,
            order,
            MIGRATE_TYPES
        ));
        assert!(!mobility_grouping_disabled(
            threshold_pages,
            order,
            MIGRATE_TYPES
        ));
    }
}

#[test]
fn small_guests() {
    // A 160 MB guest with 16 KB pages is below the threshold; with 4 KB
    // pages it is far above.
    let pages_16k = 160 * 1024 / 16;
    assert!(mobility_grouping_disabled(pages_16k, 11, MIGRATE_TYPES));
    let pages_4k = 160 * 1024 / 4;
    assert!(!mobility_grouping_disabled(pages_4k, 9, MIGRATE_TYPES));
    // Without CMA and memory isolation there are 4 types: 8 MB on 4 KB.
    assert!(mobility_grouping_disabled(2047, 9, 4));
    assert!(!mobility_grouping_disabled(2048, 9, 4));
}

#[test]
fn no_overflow() {
    assert!(mobility_grouping_disabled(u64::MAX - 1, 64, 6));
    assert!(!mobility_grouping_disabled(0, 0, 0));
}
