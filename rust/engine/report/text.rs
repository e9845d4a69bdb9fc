// SPDX-License-Identifier: GPL-2.0

//! The debugfs files' text: `zones`, `buddy`, `watermarks`, `stats`, and
//! the events of `last` and `query`.

use super::{
    log::{
        SummaryLine,
        ZoneLine, //
    },
    Header,
    OptOrder, //
};
use crate::engine::event::Event;
use crate::engine::oom::{
    Constraint,
    NoKill, //
};
use crate::engine::platform::Platform;
use crate::engine::request::Trigger;
use crate::engine::stats::Stats;
use crate::engine::verdict::{
    Verdict,
    ZoneVerdict, //
};
use crate::engine::watermark::watermark_row;
use crate::engine::zone::{
    MigrateType,
    Wmark,
    ZoneSnapshot, //
};
use core::fmt::{
    self,
    Display,
    Formatter,
    Write, //
};

/// The debugfs `zones` file, one zone.
pub struct ZoneSnapshotText<'a>(pub &'a Platform, pub &'a ZoneSnapshot);

impl Display for ZoneSnapshotText<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let (p, z) = (self.0, self.1);
        writeln!(
            f,
            "zone node={} zone={} idx={} present_kb={} managed_kb={} free_kb={} min_kb={} low_kb={} high_kb={} boost_kb={} free_cma_kb={} unaccepted_kb={} highatomic_free_kb={} highatomic_reserved_kb={} counts={}",
            z.node,
            z.kind.name(),
            z.zone_idx,
            p.kb(z.present),
            p.kb(z.managed),
            p.kb(z.free),
            p.kb(z.mark(Wmark::Min)),
            p.kb(z.mark(Wmark::Low)),
            p.kb(z.mark(Wmark::High)),
            p.kb(z.boost),
            p.kb(z.free_cma),
            p.kb(z.unaccepted),
            p.kb(z.free_highatomic),
            p.kb(z.reserved_highatomic),
            match (z.blocks_exact, z.blocks_capped) {
                (true, true) => "capped",
                (true, false) => "exact",
                _ => "lists",
            },
        )?;
        f.write_str("  lowmem_reserve")?;
        for r in &z.lowmem_reserve {
            write!(f, " {r}")?;
        }
        f.write_str("\n  blocks total")?;
        for o in 0..z.orders() {
            write!(f, " {}", z.nr_free[o])?;
        }
        f.write_char('\n')?;
        for mt in MigrateType::ALL {
            write!(f, "  blocks {:<11}", mt.name())?;
            for o in 0..z.orders() {
                if z.blocks_exact {
                    write!(f, " {}", z.blocks[o][mt as usize])?;
                } else {
                    let c = if z.nonempty[o] & mt.bit() != 0 {
                        '+'
                    } else {
                        '0'
                    };
                    write!(f, " {c}")?;
                }
            }
            f.write_char('\n')?;
        }
        Ok(())
    }
}

/// The debugfs `buddy` file, one zone: free blocks by order, the zone's
/// `free_area[order].nr_free` as `/proc/buddyinfo` shows them, read without
/// `zone->lock` (`live::Mode::Lockless`).
pub struct BuddyLine<'a>(pub &'a ZoneSnapshot);

impl Display for BuddyLine<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let z = self.0;
        write!(f, "zone node={} zone={} blocks", z.node, z.kind.name())?;
        for o in 0..z.orders() {
            write!(f, " {}", z.nr_free[o])?;
        }
        f.write_char('\n')
    }
}

/// The debugfs `watermarks` file, one zone: per order, pass/fail at
/// min/low/high for each of `gfps` (label, mask), as
/// [`watermark_row`] decides.
pub struct WatermarkTable<'a> {
    /// Platform.
    pub p: &'a Platform,
    /// Zone.
    pub z: &'a ZoneSnapshot,
    /// The requests, labelled (`nocma` for `GFP_KERNEL`, `cma` for
    /// `GFP_HIGHUSER_MOVABLE`).
    pub gfps: &'a [(&'a str, u32)],
}

impl Display for WatermarkTable<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let z = self.z;
        for &(label, gfp) in self.gfps {
            for order in 0..z.orders() as u8 {
                let row = watermark_row(self.p, z, gfp, order);
                write!(
                    f,
                    "wmark node={} zone={} order={} alloc={} gfp={:#x} eligible={}",
                    z.node,
                    z.kind.name(),
                    row.order,
                    label,
                    row.gfp,
                    u8::from(row.eligible)
                )?;
                for (w, c) in Wmark::ALL.iter().zip(&row.checks) {
                    write!(
                        f,
                        " {}={}:{}",
                        w.name(),
                        if c.ok { "pass" } else { "fail" },
                        c.cause.name()
                    )?;
                }
                writeln!(f, " largest_usable={}", OptOrder(row.largest_usable))?;
            }
        }
        Ok(())
    }
}

impl Display for Stats {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", Header("stats"))?;
        writeln!(f, "events {}", self.events)?;
        for (v, n) in Verdict::ALL.iter().zip(self.by_verdict) {
            writeln!(f, "verdict_{} {}", v.name(), n)?;
        }
        for (t, n) in Trigger::ALL.iter().zip(self.by_trigger) {
            writeln!(f, "trigger_{} {}", t.name(), n)?;
        }
        for (c, n) in Constraint::ALL.iter().zip(self.by_constraint) {
            writeln!(f, "constraint_{} {}", c.name(), n)?;
        }
        writeln!(f, "kill {}", self.kill)?;
        for (r, n) in NoKill::ALL.iter().zip(self.no_kill) {
            writeln!(f, "nokill_{} {}", r.name(), n)?;
        }
        writeln!(f, "kill_unknown {}", self.kill_unknown)?;
        writeln!(f, "suppressed_lines {}", self.suppressed)?;
        writeln!(f, "compute_ns_last {}", self.last_ns)?;
        writeln!(f, "compute_ns_max {}", self.max_ns)?;
        writeln!(f, "kprobe {}", u8::from(self.kprobe))
    }
}

/// An event in full: its summary line, then one line per kept zone (the
/// `last` and `query` files).
pub struct EventText<'a, S>(pub &'a Platform, pub &'a Event<S>);

impl<S: core::ops::DerefMut<Target = [ZoneVerdict]>> Display for EventText<'_, S> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", SummaryLine(self.0, &self.1.summary))?;
        for z in self.1.zones() {
            writeln!(f, "{}", ZoneLine(self.0, &self.1.summary, z))?;
        }
        Ok(())
    }
}
