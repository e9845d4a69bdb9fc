// SPDX-License-Identifier: GPL-2.0

//! The lines oomfrag logs for an OOM event: one summary line, one line per
//! zone (logfmt, without the module's `oomfrag: ` prefix).

use super::{
    write_comm,
    Gfp,
    Index,
    NodeList,
    OptOrder, //
};
use crate::engine::event::Summary;
use crate::engine::oom::Kill;
use crate::engine::platform::Platform;
use crate::engine::verdict::ZoneVerdict;
use core::fmt::{
    self,
    Display,
    Formatter,
    Write, //
};

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
        if !e.missing.is_empty() {
            f.write_str(" missing=")?;
            for (i, u) in e.missing.iter().enumerate() {
                if i > 0 {
                    f.write_char(',')?;
                }
                f.write_str(u.name())?;
            }
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
        if e.cpuset_limited {
            write!(
                f,
                " mems_allowed={}",
                NodeList(&e.req.task.cpuset.mems_allowed)
            )?;
        }
        if e.called_oom() {
            write!(f, " kill={}", e.kill.name())?;
            match e.kill {
                Kill::No(r) => write!(f, " reason={}", r.name())?,
                Kill::Unknown(r) => write!(f, " reason={}", r.name())?,
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
            u8::from(e.drifted()),
            e.compute_ns
        )
    }
}

/// One zone line of an event (without the module prefix).
pub struct ZoneLine<'a>(pub &'a Platform, pub &'a Summary, pub &'a ZoneVerdict);

impl Display for ZoneLine<'_> {
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
            u8::from(z.ok_low),
            u8::from(z.ok_high),
            u8::from(z.last_chance.ok),
            c.cause.name(),
            Index(z.unusable_index),
            Index(z.frag_index),
        )
    }
}
