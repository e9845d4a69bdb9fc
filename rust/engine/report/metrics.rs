// SPDX-License-Identifier: GPL-2.0

//! The debugfs `metrics` file, in the Prometheus text format.

use super::{
    Header,
    FORMAT_VERSION, //
};
use crate::engine::gfp_types;
use crate::engine::oom::{
    Constraint,
    NoKill, //
};
use crate::engine::platform::Platform;
use crate::engine::request::Trigger;
use crate::engine::stats::Stats;
use crate::engine::verdict::Verdict;
use crate::engine::watermark::watermark_row;
use crate::engine::zone::{
    MigrateType,
    Wmark,
    ZoneSnapshot,
    COSTLY_ORDER, //
};
use core::fmt::{
    self,
    Display,
    Formatter, //
};

/// The requests of the `metrics` file's `oomfrag_zone_watermark_ok`
/// gauges, by their `request` label: one that may use neither CMA nor
/// `ZONE_MOVABLE` (`GFP_KERNEL`) and a movable one that may use both
/// (`GFP_HIGHUSER_MOVABLE`).
const METRICS_REQUESTS: [(&str, u32); 2] = [
    ("nomovable", gfp_types::KERNEL),
    ("movable", gfp_types::HIGHUSER_MOVABLE),
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
                for mt in MigrateType::ALL {
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
