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

use super::oom::{
    Constraint,
    Kill,
    NoKill, //
};
use super::platform::Platform;
use super::verdict::{
    Event,
    Stats,
    Summary,
    Trigger,
    Verdict,
    ZoneVerdict,
    COMM_LEN,
    COSTLY_ORDER, //
};
use super::watermark::watermark_row;
use super::zone::{
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

/// Writes a NUL-padded task name as one logfmt value: bytes that are not
/// printable ASCII, and `=` and `"` (which would end or quote a logfmt
/// value), print as `?`.
fn write_comm(f: &mut Formatter<'_>, comm: &[u8; COMM_LEN]) -> fmt::Result {
    if comm[0] == 0 {
        return f.write_char('-');
    }
    for &b in comm.iter().take_while(|&&b| b != 0) {
        let plain = b.is_ascii_graphic() && b != b'=' && b != b'"';
        let c = if plain { b as char } else { '?' };
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
        super::gfp::decode(self.0, f)?;
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
        if e.cpuset_limited {
            write!(
                f,
                " mems_allowed={}",
                NodeList(&e.req.task.cpuset.mems_allowed)
            )?;
        }
        if super::verdict::called_oom(e.req.trigger) {
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
            u8::from(z.ok_low),
            u8::from(z.ok_high),
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
        writeln!(f, "{}", SummaryLine(self.0, &self.1.summary()))?;
        for z in self.1.zones() {
            writeln!(f, "{}", ZoneLine(self.0, self.1, z))?;
        }
        Ok(())
    }
}

/// The requests of the `metrics` file's `oomfrag_zone_watermark_ok`
/// gauges, by their `request` label: one that may use neither CMA nor
/// `ZONE_MOVABLE` (`GFP_KERNEL`) and a movable one that may use both
/// (`GFP_HIGHUSER_MOVABLE`).
pub const METRICS_REQUESTS: [(&str, u32); 2] = [
    ("nomovable", super::gfp::KERNEL),
    ("movable", super::gfp::HIGHUSER_MOVABLE),
];

/// Nanoseconds written as seconds, exactly (`0.000273132`).
struct Seconds(u64);

impl Display for Seconds {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:09}",
            self.0 / 1_000_000_000,
            self.0 % 1_000_000_000
        )
    }
}

/// The `# HELP` and `# TYPE` lines of metric `oomfrag_<name>`.
fn family(f: &mut Formatter<'_>, name: &str, kind: &str, help: &str) -> fmt::Result {
    writeln!(f, "# HELP oomfrag_{name} {help}")?;
    writeln!(f, "# TYPE oomfrag_{name} {kind}")
}

/// The `node` and `zone` labels of a zone.
struct ZoneLabels<'a>(&'a ZoneSnapshot);

impl Display for ZoneLabels<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "node=\"{}\",zone=\"{}\"",
            self.0.node,
            self.0.kind.name()
        )
    }
}

/// The debugfs `metrics` file: the `stats` counters and the zones, in the
/// Prometheus text exposition format (version 0.0.4), ready for
/// node_exporter's textfile collector.  Every metric is documented in
/// Documentation/oomfrag.rst.  Label values come from fixed sets (the
/// engine's names, zones, orders), so the number of series is bounded by
/// the machine's zones.
pub struct Metrics<'a> {
    /// Platform.
    pub p: &'a Platform,
    /// The counters, as the `stats` file prints them.
    pub stats: &'a Stats,
    /// The zones, with per-migratetype counts (`live::Mode::Counted`) for
    /// `oomfrag_zone_free_blocks`; zones without exact counts have no such
    /// samples.
    pub zones: &'a [ZoneSnapshot],
    /// `stats`'s `max_lock_ns`.
    pub max_lock_ns: u64,
}

impl Metrics<'_> {
    fn counters(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let st = self.stats;
        family(
            f,
            "oom_events_total",
            "counter",
            "OOM events (calls of out_of_memory()) by oomfrag's verdict; summed over verdict, every event.",
        )?;
        for (v, n) in Verdict::ALL.iter().zip(st.by_verdict) {
            writeln!(
                f,
                "oomfrag_oom_events_total{{verdict=\"{}\"}} {n}",
                v.name()
            )?;
        }
        family(
            f,
            "oom_events_by_trigger_total",
            "counter",
            "OOM events by what called the OOM killer.",
        )?;
        for (t, n) in Trigger::ALL.iter().zip(st.by_trigger) {
            writeln!(
                f,
                "oomfrag_oom_events_by_trigger_total{{trigger=\"{}\"}} {n}",
                t.name()
            )?;
        }
        family(
            f,
            "oom_events_by_constraint_total",
            "counter",
            "OOM events by constrained_alloc()'s constraint.",
        )?;
        for (c, n) in Constraint::ALL.iter().zip(st.by_constraint) {
            writeln!(
                f,
                "oomfrag_oom_events_by_constraint_total{{constraint=\"{}\"}} {n}",
                c.name()
            )?;
        }
        family(
            f,
            "oom_kills_total",
            "counter",
            "OOM events after which out_of_memory() goes on to choose a victim.",
        )?;
        writeln!(f, "oomfrag_oom_kills_total {}", st.kill)?;
        family(
            f,
            "oom_no_kill_total",
            "counter",
            "OOM events where out_of_memory() returns without killing, by reason.",
        )?;
        for (r, n) in NoKill::ALL.iter().zip(st.no_kill) {
            writeln!(
                f,
                "oomfrag_oom_no_kill_total{{reason=\"{}\"}} {n}",
                r.name()
            )?;
        }
        family(
            f,
            "oom_kill_unknown_total",
            "counter",
            "OOM events where oomfrag cannot tell whether out_of_memory() kills.",
        )?;
        writeln!(f, "oomfrag_oom_kill_unknown_total {}", st.kill_unknown)?;
        family(
            f,
            "log_suppressed_events_total",
            "counter",
            "OOM events whose lines the print rate limit suppressed.",
        )?;
        writeln!(f, "oomfrag_log_suppressed_events_total {}", st.suppressed)
    }

    fn gauges(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let st = self.stats;
        family(
            f,
            "last_compute_seconds",
            "gauge",
            "Time the last OOM event's verdict took to compute.",
        )?;
        writeln!(f, "oomfrag_last_compute_seconds {}", Seconds(st.last_ns))?;
        family(
            f,
            "max_compute_seconds",
            "gauge",
            "Longest time an OOM event's verdict took to compute.",
        )?;
        writeln!(f, "oomfrag_max_compute_seconds {}", Seconds(st.max_ns))?;
        family(
            f,
            "max_zone_lock_seconds",
            "gauge",
            "Longest zone->lock hold (interrupts off) of oomfrag's readers since load.",
        )?;
        writeln!(
            f,
            "oomfrag_max_zone_lock_seconds {}",
            Seconds(self.max_lock_ns)
        )?;
        family(
            f,
            "kprobe_active",
            "gauge",
            "1 if the out_of_memory() kprobe capturing the request is registered.",
        )?;
        writeln!(f, "oomfrag_kprobe_active {}", u8::from(st.kprobe))
    }

    fn zone_sizes(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let p = self.p;
        type Pages = fn(&ZoneSnapshot) -> u64;
        let sizes: [(&str, &str, Pages); 8] = [
            ("free", "Free memory (NR_FREE_PAGES).", |z| z.free),
            ("min", "The min watermark, boost included.", |z| {
                z.mark(Wmark::Min)
            }),
            ("low", "The low watermark, boost included.", |z| {
                z.mark(Wmark::Low)
            }),
            ("high", "The high watermark, boost included.", |z| {
                z.mark(Wmark::High)
            }),
            ("boost", "The watermark boost (watermark_boost).", |z| {
                z.boost
            }),
            ("free_cma", "Free CMA memory (NR_FREE_CMA_PAGES).", |z| {
                z.free_cma
            }),
            (
                "free_highatomic",
                "Free memory in high-atomic pageblocks.",
                |z| z.free_highatomic,
            ),
            ("managed", "Memory managed by the buddy allocator.", |z| {
                z.managed
            }),
        ];
        for (name, help, pages) in sizes {
            writeln!(f, "# HELP oomfrag_zone_{name}_bytes {help}")?;
            writeln!(f, "# TYPE oomfrag_zone_{name}_bytes gauge")?;
            for z in self.zones {
                writeln!(
                    f,
                    "oomfrag_zone_{name}_bytes{{{}}} {}",
                    ZoneLabels(z),
                    p.kb(pages(z)).saturating_mul(1024)
                )?;
            }
        }
        Ok(())
    }

    fn zone_blocks(&self, f: &mut Formatter<'_>) -> fmt::Result {
        family(
            f,
            "zone_free_blocks",
            "gauge",
            "Free blocks of 2^order pages by migrate type, counted under zone->lock one list at a time.",
        )?;
        for z in self.zones.iter().filter(|z| z.blocks_exact) {
            for o in 0..z.orders() {
                for mt in Mt::ALL {
                    writeln!(
                        f,
                        "oomfrag_zone_free_blocks{{{},order=\"{o}\",migratetype=\"{}\"}} {}",
                        ZoneLabels(z),
                        mt.name(),
                        z.blocks[o][mt as usize]
                    )?;
                }
            }
        }
        family(
            f,
            "zone_free_blocks_capped",
            "gauge",
            "1 if a free list of the zone was longer than oomfrag counts (the count stops at the cap).",
        )?;
        for z in self.zones.iter().filter(|z| z.blocks_exact) {
            writeln!(
                f,
                "oomfrag_zone_free_blocks_capped{{{}}} {}",
                ZoneLabels(z),
                u8::from(z.blocks_capped)
            )?;
        }
        Ok(())
    }

    fn zone_checks(&self, f: &mut Formatter<'_>) -> fmt::Result {
        family(
            f,
            "zone_watermark_ok",
            "gauge",
            "1 if a request of the order would pass the zone's min watermark check now (request: nomovable GFP_KERNEL, movable GFP_HIGHUSER_MOVABLE); zones the request may not use have no sample.",
        )?;
        for z in self.zones {
            for (label, gfp) in METRICS_REQUESTS {
                for order in 0..=COSTLY_ORDER.min(z.orders().saturating_sub(1) as u8) {
                    let row = watermark_row(self.p, z, gfp, order);
                    if !row.eligible {
                        continue;
                    }
                    writeln!(
                        f,
                        "oomfrag_zone_watermark_ok{{{},order=\"{order}\",request=\"{label}\"}} {}",
                        ZoneLabels(z),
                        u8::from(row.checks[Wmark::Min as usize].ok)
                    )?;
                }
            }
        }
        Ok(())
    }
}

impl Display for Metrics<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", Header("metrics"))?;
        family(
            f,
            "format_info",
            "gauge",
            "The version of oomfrag's text formats, as a label; always 1.",
        )?;
        writeln!(f, "oomfrag_format_info{{version=\"{FORMAT_VERSION}\"}} 1")?;
        self.counters(f)?;
        self.gauges(f)?;
        self.zone_sizes(f)?;
        self.zone_blocks(f)?;
        self.zone_checks(f)
    }
}
