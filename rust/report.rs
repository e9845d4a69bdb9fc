// SPDX-License-Identifier: GPL-2.0

//! Text formats of oomfrag: the OOM verdict lines and the debugfs files.
//!
//! Formatting only: every number printed here was decided by the engine
//! (`verdict.rs`, `watermark.rs`, `frag.rs`) or read by it; nothing here
//! judges.  Pure like the engine (no `unsafe`, no allocation): everything
//! writes through `core::fmt`, so the same code feeds `pr_info!` on the OOM
//! path, the debugfs files, the host tests and the offline analyzer.  Every
//! format is documented in Documentation/oomfrag.rst; bump
//! [`FORMAT_VERSION`] when one changes.

use crate::oom::{
    Constraint,
    Kill,
    NoKill, //
};
use crate::platform::Platform;
use crate::verdict::{
    Event,
    Stats,
    Summary,
    Trigger,
    Verdict,
    ZoneVerdict,
    COMM_LEN, //
};
use crate::watermark::watermark_row;
use crate::zone::{
    Mt,
    NodeMask,
    Wmark,
    ZoneSnapshot, //
};
use core::fmt::{
    self,
    Display,
    Formatter,
    Write, //
};

/// Version of the formats below (each debugfs file starts with a
/// [`Header`]).
pub const FORMAT_VERSION: u32 = 2;

/// The first line of debugfs file `name`: `# oomfrag <name> v1`.
pub struct Header(pub &'static str);

impl Display for Header {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "# oomfrag {} v{FORMAT_VERSION}", self.0)
    }
}

/// Writes a NUL-padded task name.
fn write_comm(f: &mut Formatter<'_>, comm: &[u8; COMM_LEN]) -> fmt::Result {
    if comm[0] == 0 {
        return f.write_char('-');
    }
    for &b in comm.iter().take_while(|&&b| b != 0) {
        let c = if b.is_ascii_graphic() { b as char } else { '?' };
        f.write_char(c)?;
    }
    Ok(())
}

/// Writes an index in thousandths as the kernel's debugfs files do
/// (`%d.%03d`), e.g. `0.912`, `-1.000`.
pub struct Index(pub i32);

impl Display for Index {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:03}", a / 1000, a % 1000)
    }
}

/// An optional order, `-` when there is none.
pub struct OptOrder(pub Option<u8>);

impl Display for OptOrder {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(o) => write!(f, "{o}"),
            None => f.write_str("-"),
        }
    }
}

/// A gfp mask as `0xcc0(GFP_KERNEL)`.
pub struct Gfp(pub u32);

impl Display for Gfp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}(", self.0)?;
        crate::gfp::decode(self.0, f)?;
        f.write_char(')')
    }
}

/// A node set as the kernel prints a nodemask (`%*pbl`): `0-1,4`.
pub struct NodeList<'a>(pub &'a NodeMask);

impl Display for NodeList<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (a, b) in self.0.runs() {
            if !first {
                f.write_char(',')?;
            }
            first = false;
            if a == b {
                write!(f, "{a}")?;
            } else {
                write!(f, "{a}-{b}")?;
            }
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

/// The summary line of an event (without the module prefix).
pub struct SummaryLine<'a>(pub &'a Platform, pub &'a Summary);

impl Display for SummaryLine<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let (p, e) = (self.0, self.1);
        write!(
            f,
            "event=oom seq={} trigger={} verdict={}",
            e.seq,
            e.req.trigger.name(),
            e.verdict.name()
        )?;
        if let Some(u) = e.unknown {
            write!(f, " missing={}", u.name())?;
        }
        match e.req.order {
            Some(o) => write!(f, " order={o}")?,
            None => f.write_str(" order=unknown")?,
        }
        match e.req.gfp {
            Some(g) => write!(f, " gfp={}", Gfp(g))?,
            None => f.write_str(" gfp=unknown")?,
        }
        if e.req.order != Some(i32::from(e.eval_order)) || e.req.gfp != Some(e.eval_gfp) {
            write!(
                f,
                " eval_order={} eval_gfp={}",
                e.eval_order,
                Gfp(e.eval_gfp)
            )?;
        }
        write!(f, " constraint={}", e.constraint.name())?;
        if !e.req.nodes.is_all() {
            write!(f, " nodemask={}", NodeList(&e.req.nodes))?;
        }
        let cs = &e.req.task.cpuset;
        if cs.enabled && !cs.mems_allowed.is_all() {
            write!(f, " mems_allowed={}", NodeList(&cs.mems_allowed))?;
        }
        if e.req.trigger != Trigger::Query {
            write!(f, " kill={}", e.kill.name())?;
            match e.kill {
                Kill::No(r) => write!(f, " reason={}", r.name())?,
                Kill::Unknown => f.write_str(" reason=task_exiting_shared_mm")?,
                Kill::Yes => {}
            }
        }
        let t = &e.req.task;
        if t.memalloc || t.oom_victim || t.rt {
            f.write_str(" task=")?;
            let flags = [
                (t.memalloc, "memalloc"),
                (t.oom_victim, "oom_victim"),
                (t.rt, "rt"),
            ];
            let mut first = true;
            for (_, name) in flags.iter().filter(|(on, _)| *on) {
                if !first {
                    f.write_char('|')?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        f.write_str(" comm=")?;
        write_comm(f, &e.req.comm)?;
        write!(
            f,
            " pid={} zones={} eligible={} free_ineligible_kb={} decided={} drift={} compute_ns={}",
            e.req.pid,
            e.nr_zones,
            e.eligible,
            p.kb(e.free_ineligible),
            e.stage.name(),
            u8::from(e.drift),
            e.compute_ns
        )
    }
}

/// One zone line of an event (without the module prefix).
pub struct ZoneLine<'a, S>(pub &'a Platform, pub &'a Event<S>, pub &'a ZoneVerdict);

impl<S> Display for ZoneLine<'_, S> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let (p, e, z) = (self.0, self.1, self.2);
        let c = z.at(e.stage);
        write!(
            f,
            "event=zone seq={} node={} zone={} eligible={} free_kb={} min_kb={} low_kb={} high_kb={} boost_kb={} reserve_kb={} free_cma_kb={} highatomic_kb={} usable_kb={} largest_order={} largest_any={} ok={} ok_low={} ok_high={} ok_last={} cause={} unusable_idx={} frag_idx={}",
            e.seq,
            z.node,
            z.kind.name(),
            u8::from(z.eligible_at(e.stage)),
            p.kb(z.free),
            p.kb(z.marks[0]),
            p.kb(z.marks[1]),
            p.kb(z.marks[2]),
            p.kb(z.boost),
            p.kb(z.reserve),
            p.kb(z.free_cma),
            p.kb(z.free_highatomic),
            p.kb(z.usable_free),
            OptOrder(z.largest_usable),
            OptOrder(z.largest_any),
            u8::from(z.decisive().ok),
            u8::from(z.checks[Wmark::Low as usize].ok),
            u8::from(z.checks[Wmark::High as usize].ok),
            u8::from(z.last_chance.ok),
            c.cause.name(),
            Index(z.unusable_index),
            Index(z.frag_index),
        )
    }
}

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
        for mt in Mt::ALL {
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
        writeln!(f, "{}", SummaryLine(self.0, &self.1.summary()))?;
        for z in self.1.zones() {
            writeln!(f, "{}", ZoneLine(self.0, self.1, z))?;
        }
        Ok(())
    }
}
