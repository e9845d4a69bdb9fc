// SPDX-License-Identifier: GPL-2.0

//! Which zone types the reporting kernel had, and their indices, read from
//! the report itself: `lowmem_reserve[]` has `MAX_NR_ZONES` entries, and a
//! zone's own entry and every entry below it are 0
//! (`setup_per_zone_lowmem_reserve()` only sets `lowmem_reserve[j]` for
//! `j` above the zone's index), so a zone's index is below the first
//! non-zero entry.  The kinds a report does not name are filled in the way
//! the kernels that printed it were configured: `Movable` (2.6.23 on)
//! first, then `DMA`, `DMA32`, `Device`; never both `DMA32` (64-bit) and
//! `HighMem` (32-bit).

use crate::fields::ZONE_NAMES;

/// Kernel zone index of each kind of [`ZONE_NAMES`], `None` if not
/// configured, and whether it was inferred from `lowmem_reserve[]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZoneLayout {
    /// Index per kind.
    pub idx: [Option<u8>; 6],
    /// The number of configured zones was read from `lowmem_reserve[]`.
    pub from_reserve: bool,
}

impl ZoneLayout {
    /// `DMA=0 Normal=1 ...`, for the output.
    pub fn describe(&self) -> String {
        let mut v: Vec<(u8, &str)> = self
            .idx
            .iter()
            .zip(ZONE_NAMES)
            .filter_map(|(i, n)| i.map(|i| (i, n)))
            .collect();
        v.sort();
        v.iter()
            .map(|(i, n)| format!("{n}={i}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

const PREF: [i32; 6] = [2, 1, 0, -4, 3, 0];

/// Infers the layout from the kinds seen (every zone line, populated or
/// not) and their `lowmem_reserve[]` arrays.
pub fn infer(zones: &[(usize, Option<&[u64]>)]) -> ZoneLayout {
    let mut seen = [false; 6];
    seen[2] = true; // ZONE_NORMAL is always configured.
    let mut len = 0;
    for &(k, r) in zones {
        seen[k] = true;
        if let Some(r) = r {
            len = len.max(r.len());
        }
    }
    let nseen = seen.iter().filter(|s| **s).count();
    if len >= nseen && len <= 6 {
        let mut best: Option<(i32, u8)> = None;
        for set in 0u8..64 {
            if set.count_ones() as usize != len
                || (0..6).any(|k| seen[k] && set & (1 << k) == 0)
                || (set & 0b10 != 0 && set & 0b1000 != 0)
            {
                continue;
            }
            let lay = layout_of(set);
            let consistent = zones.iter().all(|&(k, r)| {
                let (Some(i), Some(r)) = (lay[k], r) else {
                    return true;
                };
                r.iter().take(i as usize + 1).all(|&x| x == 0)
            });
            if !consistent {
                continue;
            }
            let score: i32 = (0..6)
                .filter(|&k| set & (1 << k) != 0 && !seen[k])
                .map(|k| PREF[k])
                .sum();
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, set));
            }
        }
        if let Some((_, set)) = best {
            return ZoneLayout {
                idx: layout_of(set),
                from_reserve: true,
            };
        }
    }
    let mut set = 0u8;
    for (k, s) in seen.iter().enumerate() {
        if *s {
            set |= 1 << k;
        }
    }
    ZoneLayout {
        idx: layout_of(set),
        from_reserve: false,
    }
}

fn layout_of(set: u8) -> [Option<u8>; 6] {
    let mut idx = [None; 6];
    let mut n = 0;
    for (k, slot) in idx.iter_mut().enumerate() {
        if set & (1 << k) != 0 {
            *slot = Some(n);
            n += 1;
        }
    }
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        // x86-64, ZONE_DEVICE: five entries.
        let l = infer(&[
            (0, Some(&[0, 1907, 15862, 15862, 15862])),
            (1, Some(&[0, 0, 13955, 13955, 13955])),
            (2, Some(&[0, 0, 0, 0, 0])),
        ]);
        assert_eq!(l.describe(), "DMA=0,DMA32=1,Normal=2,Movable=3,Device=4");
        // Seed 002: ARM Normal + HighMem, three entries, Normal's second is set.
        let l = infer(&[(2, Some(&[0, 10168, 10168])), (3, Some(&[0, 0, 0]))]);
        assert_eq!(l.describe(), "Normal=0,HighMem=1,Movable=2");
        // i386.
        let l = infer(&[
            (0, Some(&[0, 865, 2021, 2021])),
            (2, Some(&[0, 0, 9247, 9247])),
            (3, Some(&[0, 0, 0, 0])),
        ]);
        assert_eq!(l.describe(), "DMA=0,Normal=1,HighMem=2,Movable=3");
        // Seed 003: early 2.6 ARM.
        let l = infer(&[
            (0, Some(&[0, 0, 0])),
            (2, Some(&[0, 0, 0])),
            (3, Some(&[0, 0, 0])),
        ]);
        assert_eq!(l.describe(), "DMA=0,Normal=1,HighMem=2");
        // A small x86-64 guest: DMA and DMA32 only, four entries.
        let l = infer(&[(0, Some(&[0, 479, 479, 479])), (1, Some(&[0, 0, 0, 0]))]);
        assert_eq!(l.describe(), "DMA=0,DMA32=1,Normal=2,Movable=3");
        // No lowmem_reserve at all.
        let l = infer(&[(0, None), (2, None)]);
        assert_eq!(
            (l.describe().as_str(), l.from_reserve),
            ("DMA=0,Normal=1", false)
        );
    }
}
