// SPDX-License-Identifier: GPL-2.0

//! The numbers behind a zone's chart (`--json`'s `lists`, drawn by the
//! page in web/): the zone's free blocks by order as its buddy line printed
//! them, each order's migrate types split into those the request may use
//! and those it may not, and the watermark check of the explanation (free
//! pages as counted against `min` or `high`, with `lowmem_reserve`).
//!
//! A buddy line prints, per order, the number of free blocks and the letters
//! of the migrate types whose lists are not empty, not a count per type:
//! an order whose letters mix usable and unusable types is `mixed`, and how
//! its blocks split is not in the report.
//!
//! Which types the request may use is the engine's own rule
//! (`usable_mt_mask()` of the slow path's flags, as `Event::evaluate` and
//! the zone lines' `largest_order=` use it), read from the evaluated event.

use crate::analysis::{mt_bits, order_of, Analysis, HostEvent, ZoneOut};
use crate::fields::{BuddyLine, LETTERS, ZONE_NAMES};
use crate::segment::{RawReport, RawZone};
use oomfrag_engine::alloc_flags::slowpath_flags;
use oomfrag_engine::platform::Platform;
use oomfrag_engine::watermark::usable_mt_mask;
use oomfrag_engine::zone::{MigrateType, ZoneType, MAX_ORDERS};

/// One order of a buddy line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderList {
    /// The order, `None` when the block size is not a power-of-two number
    /// of pages (then the engine skipped it too).
    pub order: Option<u8>,
    /// Free blocks.
    pub count: u64,
    /// Block size in kB.
    pub block_kb: u64,
    /// Migrate type letters printed (`UMEHCIR`).
    pub types: String,
    /// Those of `types` the request may use.
    pub usable: String,
    /// `usable`, `unusable`, `mixed`, `empty` (no free block), `assumed`
    /// (no letters on the line: taken as usable, as the engine takes them)
    /// or `untyped` (free blocks without letters on a line that has them:
    /// the engine counts them as unusable).
    pub class: &'static str,
}

/// The chart of one zone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZoneLists {
    /// Node.
    pub node: u16,
    /// Zone name.
    pub zone: &'static str,
    /// Page size in kB.
    pub page_kb: u64,
    /// The report printed the zone's buddy line.
    pub printed: bool,
    /// The buddy line prints migrate type letters.
    pub letters: bool,
    /// A letter the analyzer does not know was printed (ignored).
    pub odd_letter: bool,
    /// The `= NkB` total the line printed.
    pub total_kb: Option<u64>,
    /// The migrate type letters the request may use.
    pub usable_types: String,
    /// Orders as printed.
    pub orders: Vec<OrderList>,
    /// The watermark of the decisive check: `min` (the slow path) or
    /// `high` (the last-chance check).
    pub check_mark: &'static str,
    /// That watermark as printed, with boost (kB).
    pub check_mark_kb: u64,
    /// After the request's reductions (`ALLOC_HIGH` halves it, ...).
    pub check_min_kb: i64,
    /// What free pages are checked against: `check_min_kb` plus
    /// `lowmem_reserve` for the request's highest zone.
    pub check_kb: i64,
    /// Free pages as the explanation counts them: free, less free CMA
    /// pages the request may not use and the high-atomic pages.
    pub check_free_kb: i64,
}

/// Letters of migrate type bits ([`LETTERS`] order, engine types).
fn letters_of_engine(mask: u8) -> String {
    let mut s = String::new();
    for (i, &c) in LETTERS.iter().enumerate() {
        // 'R' (MIGRATE_RESERVE, before 4.4) is a fallback anyone may use:
        // mt_bits() maps it onto Unmovable.
        if mt_bits(1 << i) & mask != 0 {
            s.push(c as char);
        }
    }
    s
}

/// The migrate types (engine bits) the request may use, by the engine's
/// rule for the slow path (see the module's doc).
pub fn usable_mask(a: &Analysis, ev: &HostEvent) -> u8 {
    let p = Platform {
        zone_idx: [None; ZoneType::COUNT],
        cma: a.cma,
        mobility_disabled: false,
        page_shift: (a.page_kb.max(1).trailing_zeros() + 10) as u8,
        numa: true,
    };
    // The order of the zone lines: the request's, or 0 where
    // `Event::evaluate` judged at 0 (no order, sysrq, out of range).
    let order = a
        .order
        .filter(|o| (0..MAX_ORDERS as i32).contains(o))
        .unwrap_or(0) as u8;
    let s = &ev.summary;
    usable_mt_mask(&slowpath_flags(&p, s.eval_gfp, order, &s.req.alloc_task()))
}

fn order_list(b: &BuddyLine, usable: u8, page_kb: u64) -> Vec<OrderList> {
    let all =
        MigrateType::Unmovable.bit() | MigrateType::Movable.bit() | MigrateType::Reclaimable.bit();
    b.orders
        .iter()
        .map(|o| {
            let mts = if b.has_letters {
                mt_bits(o.letters)
            } else {
                all
            };
            let types: String = LETTERS
                .iter()
                .enumerate()
                .filter(|(i, _)| o.letters & (1 << i) != 0)
                .map(|(_, &c)| c as char)
                .collect();
            let usable_letters: String = LETTERS
                .iter()
                .enumerate()
                .filter(|(i, _)| o.letters & (1 << i) != 0 && mt_bits(1 << i) & usable != 0)
                .map(|(_, &c)| c as char)
                .collect();
            let class = if o.count == 0 {
                "empty"
            } else if !b.has_letters {
                "assumed"
            } else if o.letters == 0 {
                "untyped"
            } else if mts & usable == 0 {
                "unusable"
            } else if mts & !usable != 0 {
                "mixed"
            } else {
                "usable"
            };
            OrderList {
                order: order_of(o, page_kb).map(|x| x as u8),
                count: o.count,
                block_kb: o.block_kb,
                types,
                usable: usable_letters,
                class,
            }
        })
        .collect()
}

/// The printed zone of `z`: the first of its node and name (a zone
/// printed twice keeps its first print, as the segmenter does).
fn raw_zone<'r>(r: &'r RawReport, z: &ZoneOut) -> Option<&'r RawZone> {
    r.zones.iter().find(|rz| {
        rz.line.node.unwrap_or(0) == z.node && ZONE_NAMES.get(rz.line.kind) == Some(&z.name)
    })
}

/// The charts of a report's zones, one per zone line (none for a memcg
/// OOM, which prints no zone line).
pub fn zone_lists(a: &Analysis, r: &RawReport, ev: &HostEvent) -> Vec<ZoneLists> {
    if a.lines.len() != a.zones.len() + 1 {
        return Vec::new();
    }
    let usable = usable_mask(a, ev);
    a.zones
        .iter()
        .map(|z| {
            let buddy = raw_zone(r, z).and_then(|rz| rz.buddy.as_ref());
            let mut check_free = z.free_kb as i64;
            if a.cma && !a.may_cma {
                check_free -= z.free_cma_kb as i64;
            }
            check_free -= z.highatomic_kb as i64;
            ZoneLists {
                node: z.node,
                zone: z.name,
                page_kb: a.page_kb,
                printed: buddy.is_some(),
                letters: buddy.is_some_and(|b| b.has_letters),
                odd_letter: buddy.is_some_and(|b| b.odd_letter),
                total_kb: buddy.and_then(|b| b.total_kb),
                usable_types: letters_of_engine(usable),
                orders: buddy.map_or_else(Vec::new, |b| order_list(b, usable, a.page_kb)),
                check_mark: if a.last_chance { "high" } else { "min" },
                check_mark_kb: z.mark_kb,
                check_min_kb: z.min_kb,
                check_kb: z.min_kb + z.reserve_kb as i64,
                check_free_kb: check_free,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run_input_with;

    /// Every fixture: one chart per zone line, and the largest order with a
    /// usable (or assumed) free block is the engine's `largest_order=`.
    #[test]
    fn charts_agree_with_the_zone_lines() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testing/fixtures/reports");
        let mut zones = 0;
        let mut mixed = 0;
        for f in std::fs::read_dir(dir).unwrap() {
            let path = f.unwrap().path();
            let text = std::fs::read(&path).unwrap();
            let mut ev = Box::new(crate::analysis::new_event());
            let mut seq = 0;
            let mut seen = Vec::new();
            run_input_with("t", &text[..], &mut seq, &mut ev, |a, r, ev| {
                seen.push((a.clone(), zone_lists(a, r, ev)));
                Ok(())
            })
            .unwrap();
            for (a, lists) in seen {
                if a.memcg {
                    assert!(lists.is_empty());
                    continue;
                }
                assert_eq!(lists.len(), a.lines.len() - 1, "{path:?}");
                for (l, line) in lists.iter().zip(&a.lines[1..]) {
                    zones += 1;
                    let largest = l
                        .orders
                        .iter()
                        .filter(|o| {
                            o.order.is_some() && ["usable", "mixed", "assumed"].contains(&o.class)
                        })
                        .filter_map(|o| o.order)
                        .max();
                    mixed += l.orders.iter().filter(|o| o.class == "mixed").count();
                    let want = match largest {
                        Some(o) => format!(" largest_order={o} "),
                        None => " largest_order=- ".into(),
                    };
                    if l.printed {
                        assert!(line.contains(&want), "{path:?}: {want} in {line}");
                    }
                    assert!(line.contains(&format!(" zone={} ", l.zone)), "{line}");
                }
            }
        }
        assert!(
            zones > 40 && mixed > 0,
            "{zones} zones, {mixed} mixed orders"
        );
    }

    #[test]
    fn seed002_normal_zone() {
        let text = include_str!("../../testing/fixtures/reports/arm-3.14-cma-seed002.log");
        let mut ev = Box::new(crate::analysis::new_event());
        let mut seq = 0;
        let mut first = None;
        run_input_with("t", text.as_bytes(), &mut seq, &mut ev, |a, r, ev| {
            first.get_or_insert_with(|| zone_lists(a, r, ev));
            Ok(())
        })
        .unwrap();
        let l = &first.unwrap()[0];
        assert_eq!(
            (l.zone, l.check_mark, l.check_kb, l.check_free_kb),
            ("Normal", "min", 2488, 2344)
        );
        // GFP_KERNEL|__GFP_RECLAIMABLE: not CMA, not high-atomic.
        assert_eq!(l.usable_types, "UMER");
        let o0 = &l.orders[0];
        assert_eq!(
            (o0.count, o0.types.as_str(), o0.usable.as_str(), o0.class),
            (1165, "MCR", "MR", "mixed")
        );
        assert_eq!(l.orders[3].class, "unusable");
        assert_eq!(l.orders[6].class, "empty");
        assert_eq!(l.orders[9].class, "usable");
    }
}
