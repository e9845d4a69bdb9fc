// SPDX-License-Identifier: GPL-2.0

//! Gfp masks: the one table of their bits and names
//! (include/linux/gfp_types.h), parsing and printing them.
//!
//! The bits are those of `enum { ___GFP_*_BIT }` in
//! include/linux/gfp_types.h, Linux 7.3: the bits below `___GFP_ZEROTAGS_BIT`
//! do not depend on the kernel's configuration.  The module asserts at build
//! time that every value here equals the kernel's bindings (`glue/live.rs`); the
//! host tests, the stress sample and the harness (tools/testing) read this
//! file instead of keeping copies.

const fn bit(n: u32) -> u32 {
    1 << n
}

/// `__GFP_DMA`.
pub const DMA: u32 = bit(0);
/// `__GFP_HIGHMEM`.
pub const HIGHMEM: u32 = bit(1);
/// `__GFP_DMA32`.
pub const DMA32: u32 = bit(2);
/// `__GFP_MOVABLE`.
pub const MOVABLE: u32 = bit(3);
/// `__GFP_RECLAIMABLE`.
pub const RECLAIMABLE: u32 = bit(4);
/// `__GFP_HIGH`.
pub const HIGH: u32 = bit(5);
/// `__GFP_IO`.
pub const IO: u32 = bit(6);
/// `__GFP_FS`.
pub const FS: u32 = bit(7);
/// `__GFP_ZERO`.
pub const ZERO: u32 = bit(8);
/// `__GFP_DIRECT_RECLAIM` (bit 9 is unused).
pub const DIRECT_RECLAIM: u32 = bit(10);
/// `__GFP_KSWAPD_RECLAIM`.
pub const KSWAPD_RECLAIM: u32 = bit(11);
/// `__GFP_WRITE`.
pub const WRITE: u32 = bit(12);
/// `__GFP_NOWARN`.
pub const NOWARN: u32 = bit(13);
/// `__GFP_RETRY_MAYFAIL`.
pub const RETRY_MAYFAIL: u32 = bit(14);
/// `__GFP_NOFAIL`.
pub const NOFAIL: u32 = bit(15);
/// `__GFP_NORETRY`.
pub const NORETRY: u32 = bit(16);
/// `__GFP_MEMALLOC`.
pub const MEMALLOC: u32 = bit(17);
/// `__GFP_COMP`.
pub const COMP: u32 = bit(18);
/// `__GFP_NOMEMALLOC`.
pub const NOMEMALLOC: u32 = bit(19);
/// `__GFP_HARDWALL`.
pub const HARDWALL: u32 = bit(20);
/// `__GFP_THISNODE`.
pub const THISNODE: u32 = bit(21);
/// `__GFP_ACCOUNT`.
pub const ACCOUNT: u32 = bit(22);

/// `__GFP_RECLAIM`.
pub const RECLAIM: u32 = DIRECT_RECLAIM | KSWAPD_RECLAIM;
/// `GFP_ATOMIC`.
pub const ATOMIC: u32 = HIGH | KSWAPD_RECLAIM;
/// `GFP_KERNEL`.
pub const KERNEL: u32 = RECLAIM | IO | FS;
/// `GFP_KERNEL_ACCOUNT`.
pub const KERNEL_ACCOUNT: u32 = KERNEL | ACCOUNT;
/// `GFP_NOWAIT`.
pub const NOWAIT: u32 = KSWAPD_RECLAIM | NOWARN;
/// `GFP_NOIO`.
pub const NOIO: u32 = RECLAIM;
/// `GFP_NOFS`.
pub const NOFS: u32 = RECLAIM | IO;
/// `GFP_USER`.
pub const USER: u32 = RECLAIM | IO | FS | HARDWALL;
/// `GFP_HIGHUSER`.
pub const HIGHUSER: u32 = USER | HIGHMEM;
/// `GFP_HIGHUSER_MOVABLE`: the typical request that may use CMA.
pub const HIGHUSER_MOVABLE: u32 = HIGHUSER | MOVABLE;

/// Names of masks and flags, in the order of the kernel's
/// `__def_gfpflag_names` (include/trace/events/mmflags.h: composites first),
/// as `%pGg` prints them; the last few are accepted when parsing only.
pub static NAMES: [(&str, u32); 36] = [
    ("GFP_HIGHUSER_MOVABLE", HIGHUSER_MOVABLE),
    ("GFP_HIGHUSER", HIGHUSER),
    ("GFP_USER", USER),
    ("GFP_KERNEL_ACCOUNT", KERNEL_ACCOUNT),
    ("GFP_KERNEL", KERNEL),
    ("GFP_NOFS", NOFS),
    ("GFP_ATOMIC", ATOMIC),
    ("GFP_NOIO", NOIO),
    ("GFP_NOWAIT", NOWAIT),
    ("GFP_DMA", DMA),
    ("__GFP_HIGHMEM", HIGHMEM),
    ("GFP_DMA32", DMA32),
    ("__GFP_HIGH", HIGH),
    ("__GFP_IO", IO),
    ("__GFP_FS", FS),
    ("__GFP_ZERO", ZERO),
    ("__GFP_DIRECT_RECLAIM", DIRECT_RECLAIM),
    ("__GFP_KSWAPD_RECLAIM", KSWAPD_RECLAIM),
    ("__GFP_WRITE", WRITE),
    ("__GFP_NOWARN", NOWARN),
    ("__GFP_RETRY_MAYFAIL", RETRY_MAYFAIL),
    ("__GFP_NOFAIL", NOFAIL),
    ("__GFP_NORETRY", NORETRY),
    ("__GFP_COMP", COMP),
    ("__GFP_NOMEMALLOC", NOMEMALLOC),
    ("__GFP_MEMALLOC", MEMALLOC),
    ("__GFP_HARDWALL", HARDWALL),
    ("__GFP_THISNODE", THISNODE),
    ("__GFP_RECLAIMABLE", RECLAIMABLE),
    ("__GFP_MOVABLE", MOVABLE),
    ("__GFP_ACCOUNT", ACCOUNT),
    ("__GFP_RECLAIM", RECLAIM),
    // Accepted when parsing; never printed (the entries above come first).
    ("__GFP_DMA", DMA),
    ("__GFP_DMA32", DMA32),
    ("GFP_NOWARN", NOWARN),
    ("GFP_HIGH", HIGH),
];

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

/// Parses a gfp mask: a number (`0xcc0`, `3264`) or names of [`NAMES`]
/// joined by `|` (`GFP_KERNEL|__GFP_NOWARN`).
pub fn parse(s: &str) -> Option<u32> {
    if let Some(v) = parse_u64(s) {
        return u32::try_from(v).ok();
    }
    let mut mask = 0u32;
    for part in s.split('|') {
        let part = part.trim();
        let (_, v) = NAMES.iter().find(|(n, _)| *n == part)?;
        mask |= *v;
    }
    Some(mask)
}

/// Decodes `mask` into names the way the kernel's `%pGg` does: masks and
/// flags in table order, each taken when all its bits are present, leftover
/// bits in hex, `none` for 0.
pub fn decode(mut mask: u32, out: &mut impl core::fmt::Write) -> core::fmt::Result {
    let mut first = true;
    for (name, v) in &NAMES {
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
