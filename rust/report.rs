// SPDX-License-Identifier: GPL-2.0

//! Text formats of oomfrag: the OOM verdict lines and the debugfs files.
//!
//! Pure like the engine (no `unsafe`, no allocation): everything writes
//! through `core::fmt`, so the same code feeds `pr_info!` on the OOM path,
//! the debugfs files, and the host tests.  Every format is documented in
//! Documentation/oomfrag.rst; bump [`FORMAT_VERSION`] when one changes.

use crate::engine::{
    gfp_to_alloc_caps, summarize_at, usable_mt_mask, watermark_check, zone_verdict, Cause, Mt,
    Platform, Stage, Verdict, Wmark, ZoneSnapshot, ZoneVerdict, COSTLY_ORDER, MAX_ORDERS,
};
use core::fmt::{self, Display, Formatter, Write};

/// Version of the formats below (each file starts `# oomfrag <file> v1`).
pub const FORMAT_VERSION: u32 = 1;

/// Zones kept per event.  Zones beyond it are counted but not kept.
pub const MAX_EVENT_ZONES: usize = 32;

/// Converts pages to kB (4 kB pages).
pub const fn kb(pages: u64) -> u64 {
    pages.saturating_mul(4)
}

/// What made the kernel call `out_of_memory()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// A page allocation that failed after reclaim and compaction.
    Alloc,
    /// `echo f > /proc/sysrq-trigger` (order -1).
    Sysrq,
    /// A memory cgroup at its limit.
    Memcg,
    /// The request was not captured (no kprobe).
    Unknown,
    /// A request written to the debugfs `query` file.
    Query,
}

impl Trigger {
    /// The `trigger=` word.
    pub const fn name(self) -> &'static str {
        match self {
            Trigger::Alloc => "alloc",
            Trigger::Sysrq => "sysrq",
            Trigger::Memcg => "memcg",
            Trigger::Unknown => "unknown",
            Trigger::Query => "query",
        }
    }
}

/// The request as the OOM killer saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    /// What called the OOM killer.
    pub trigger: Trigger,
    /// `oom_control->order` (-1 for sysrq), `None` when not captured.
    pub order: Option<i32>,
    /// `oom_control->gfp_mask`, `None` when not captured.
    pub gfp: Option<u32>,
    /// The mask evaluated when `gfp` is missing or is no allocation's
    /// (sysrq): the kernel's `GFP_KERNEL`.
    pub fallback_gfp: u32,
    /// The allocation's nodemask (`oom_control->nodemask`), nodes 0..63 as
    /// bits; all ones when unrestricted.
    pub nodes: u64,
    /// Task that called the OOM killer (NUL-padded).
    pub comm: [u8; 16],
    /// Its pid.
    pub pid: i32,
}

impl Request {
    /// A request with nothing captured.
    pub const fn unknown(fallback_gfp: u32) -> Self {
        Self {
            trigger: Trigger::Unknown,
            order: None,
            gfp: None,
            fallback_gfp,
            nodes: u64::MAX,
            comm: [0; 16],
            pid: 0,
        }
    }
}

/// One OOM event's verdict, as logged and kept in the history.
#[derive(Clone, Copy, Debug)]
pub struct Event {
    /// Event number since load (1-based; 0 for a query).
    pub seq: u64,
    /// The request.
    pub req: Request,
    /// The order the zones were evaluated for.
    pub eval_order: u8,
    /// The gfp mask the zones were evaluated for.
    pub eval_gfp: u32,
    /// Summary verdict.
    pub verdict: Verdict,
    /// The allocator check the verdict was read from.
    pub stage: Stage,
    /// Zones seen (may exceed [`MAX_EVENT_ZONES`]).
    pub nr_zones: usize,
    /// Zones kept: `zones[..kept]` are valid.
    pub kept: usize,
    /// Per-zone verdicts.
    pub zones: [ZoneVerdict; MAX_EVENT_ZONES],
    /// Time to snapshot and evaluate, in ns.
    pub compute_ns: u64,
}

impl Event {
    /// An empty event (for preallocated storage).
    pub const EMPTY: Event = Event {
        seq: 0,
        req: Request::unknown(0),
        eval_order: 0,
        eval_gfp: 0,
        verdict: Verdict::None,
        stage: Stage::SlowPath,
        nr_zones: 0,
        kept: 0,
        zones: [ZoneVerdict::EMPTY; MAX_EVENT_ZONES],
        compute_ns: 0,
    };

    /// The kept zone verdicts.
    pub fn zones(&self) -> &[ZoneVerdict] {
        &self.zones[..self.kept]
    }

    /// Evaluates `zones` for `req` and fills this event (no allocation).
    ///
    /// A known order is judged as is.  A sysrq OOM or an uncaptured order is
    /// judged for the first order from 0 to `PAGE_ALLOC_COSTLY_ORDER` for
    /// which no zone passes (0 if every order passes somewhere), with
    /// `fallback_gfp` when no allocation's mask was captured.  A failed
    /// allocation whose slow-path check passes again by now is judged by the
    /// last-chance check that invoked the OOM killer ([`Stage`]).
    pub fn evaluate(&mut self, p: &Platform<'_>, zones: &[ZoneSnapshot], req: Request) {
        self.req = req;
        self.nr_zones = zones.len();
        let memcg = req.trigger == Trigger::Memcg;
        let gfp = match (req.trigger, req.gfp) {
            (Trigger::Sysrq, _) | (_, None) => req.fallback_gfp,
            (_, Some(g)) => g,
        };
        self.eval_gfp = gfp;
        let known = match req.order {
            Some(o) if req.trigger != Trigger::Sysrq && (0..MAX_ORDERS as i32).contains(&o) => {
                Some(o as u8)
            }
            _ => None,
        };
        let (first, last) = match known {
            Some(o) => (o, o),
            None => (0, COSTLY_ORDER),
        };
        self.stage = Stage::SlowPath;
        for order in first..=last {
            self.fill(p, zones, order, gfp);
            self.verdict = summarize_at(self.zones(), order, memcg, Stage::SlowPath);
            if self.verdict != Verdict::None {
                return;
            }
        }
        if last != first {
            self.fill(p, zones, first, gfp);
            self.verdict = summarize_at(self.zones(), first, memcg, Stage::SlowPath);
        }
        if req.trigger == Trigger::Alloc {
            let v = summarize_at(self.zones(), self.eval_order, memcg, Stage::LastChance);
            if v != Verdict::None {
                self.verdict = v;
                self.stage = Stage::LastChance;
            }
        }
    }

    fn fill(&mut self, p: &Platform<'_>, zones: &[ZoneSnapshot], order: u8, gfp: u32) {
        self.eval_order = order;
        self.kept = zones.len().min(MAX_EVENT_ZONES);
        let nodes = self.req.nodes;
        for (slot, z) in self.zones.iter_mut().zip(zones) {
            *slot = zone_verdict(p, z, order, gfp);
            // A nodemask (mempolicy) limits the zones the request may use,
            // as for_each_zone_zonelist_nodemask() does.
            let allowed = match 1u64.checked_shl(u32::from(z.node)) {
                Some(bit) => nodes & bit != 0,
                None => nodes == u64::MAX,
            };
            slot.eligible &= allowed;
        }
    }

    /// Whether the snapshot contradicts the failure: the allocator failed,
    /// yet an eligible zone passes even the last-chance check now (memory
    /// came back between the failure and the snapshot).
    pub fn drifted(&self) -> bool {
        self.req.trigger == Trigger::Alloc && self.verdict == Verdict::None
    }
}

/// An event's summary, small enough to build anywhere (the memcg path runs
/// in a kprobe handler and keeps no zones).
#[derive(Clone, Copy, Debug)]
pub struct Summary {
    /// See [`Event::seq`].
    pub seq: u64,
    /// See [`Event::req`].
    pub req: Request,
    /// See [`Event::verdict`].
    pub verdict: Verdict,
    /// See [`Event::stage`].
    pub stage: Stage,
    /// See [`Event::eval_order`].
    pub eval_order: u8,
    /// See [`Event::eval_gfp`].
    pub eval_gfp: u32,
    /// See [`Event::nr_zones`].
    pub nr_zones: usize,
    /// Kept zones the request may use.
    pub eligible: usize,
    /// See [`Event::drifted`].
    pub drift: bool,
    /// See [`Event::compute_ns`].
    pub compute_ns: u64,
}

impl Event {
    /// The summary of this event.
    pub fn summary(&self) -> Summary {
        Summary {
            seq: self.seq,
            req: self.req,
            verdict: self.verdict,
            stage: self.stage,
            eval_order: self.eval_order,
            eval_gfp: self.eval_gfp,
            nr_zones: self.nr_zones,
            eligible: self.zones().iter().filter(|z| z.eligible).count(),
            drift: self.drifted(),
            compute_ns: self.compute_ns,
        }
    }
}

/// Writes a NUL-padded task name.
fn write_comm(f: &mut Formatter<'_>, comm: &[u8; 16]) -> fmt::Result {
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
pub struct Gfp<'a>(pub &'a Platform<'a>, pub u32);

impl Display for Gfp<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}(", self.1)?;
        self.0.gfp_decode(self.1, f)?;
        f.write_char(')')
    }
}

/// The summary line of an event (without the module prefix).
pub struct SummaryLine<'a>(pub &'a Platform<'a>, pub &'a Summary);

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
        match e.req.order {
            Some(o) => write!(f, " order={o}")?,
            None => f.write_str(" order=unknown")?,
        }
        match e.req.gfp {
            Some(g) => write!(f, " gfp={}", Gfp(p, g))?,
            None => f.write_str(" gfp=unknown")?,
        }
        if e.req.order != Some(i32::from(e.eval_order)) || e.req.gfp != Some(e.eval_gfp) {
            write!(
                f,
                " eval_order={} eval_gfp={}",
                e.eval_order,
                Gfp(p, e.eval_gfp)
            )?;
        }
        if e.req.nodes != u64::MAX {
            write!(f, " nodemask={:#x}", e.req.nodes)?;
        }
        f.write_str(" comm=")?;
        write_comm(f, &e.req.comm)?;
        write!(
            f,
            " pid={} zones={} eligible={} decided={} drift={} compute_ns={}",
            e.req.pid,
            e.nr_zones,
            e.eligible,
            e.stage.name(),
            u8::from(e.drift),
            e.compute_ns
        )
    }
}

/// One zone line of an event (without the module prefix).
pub struct ZoneLine<'a>(pub &'a Event, pub &'a ZoneVerdict);

impl Display for ZoneLine<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let (e, z) = (self.0, self.1);
        let c = z.at(e.stage);
        write!(
            f,
            "event=zone seq={} node={} zone={} eligible={} free_kb={} min_kb={} low_kb={} high_kb={} boost_kb={} reserve_kb={} free_cma_kb={} highatomic_kb={} usable_kb={} largest_order={} largest_any={} ok={} ok_low={} ok_high={} ok_last={} cause={} unusable_idx={} frag_idx={}",
            e.seq,
            z.node,
            z.kind.name(),
            u8::from(z.eligible),
            kb(z.free),
            kb(z.marks[0]),
            kb(z.marks[1]),
            kb(z.marks[2]),
            kb(z.boost),
            kb(z.reserve),
            kb(z.free_cma),
            kb(z.free_highatomic),
            kb(z.usable_free),
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
pub struct ZoneSnapshotText<'a>(pub &'a ZoneSnapshot);

impl Display for ZoneSnapshotText<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let z = self.0;
        writeln!(
            f,
            "zone node={} zone={} idx={} present_kb={} managed_kb={} free_kb={} min_kb={} low_kb={} high_kb={} boost_kb={} free_cma_kb={} unaccepted_kb={} highatomic_free_kb={} highatomic_reserved_kb={} counts={}",
            z.node,
            z.kind.name(),
            z.zone_idx,
            kb(z.present),
            kb(z.managed),
            kb(z.free),
            kb(z.mark(Wmark::Min)),
            kb(z.mark(Wmark::Low)),
            kb(z.mark(Wmark::High)),
            kb(z.boost),
            kb(z.free_cma),
            kb(z.unaccepted),
            kb(z.free_highatomic),
            kb(z.reserved_highatomic),
            if z.blocks_exact { "exact" } else { "lists" },
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
/// min/low/high for a request that may use CMA (`GFP_HIGHUSER_MOVABLE`-like:
/// the fallback mask plus movable) and one that may not (the fallback mask).
pub struct WatermarkTable<'a> {
    /// Platform.
    pub p: &'a Platform<'a>,
    /// Zone.
    pub z: &'a ZoneSnapshot,
    /// Mask of a request that may not use CMA (`GFP_KERNEL`).
    pub gfp_nocma: u32,
    /// Mask of a request that may (`GFP_HIGHUSER_MOVABLE`).
    pub gfp_cma: u32,
}

impl Display for WatermarkTable<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let (p, z) = (self.p, self.z);
        for (label, gfp) in [("nocma", self.gfp_nocma), ("cma", self.gfp_cma)] {
            // The request's own highest zone decides lowmem_reserve, as in
            // the allocator; a zone above it is reported as not eligible.
            let hz = p.gfp_zone(gfp);
            let eligible = hz.is_some_and(|h| z.zone_idx <= h);
            for order in 0..z.orders() as u8 {
                let caps = gfp_to_alloc_caps(p, gfp, order);
                write!(
                    f,
                    "wmark node={} zone={} order={} alloc={} gfp={:#x} eligible={}",
                    z.node,
                    z.kind.name(),
                    order,
                    label,
                    gfp,
                    u8::from(eligible)
                )?;
                for w in Wmark::ALL {
                    let c = watermark_check(p, z, order, w, hz.unwrap_or(0), &caps);
                    let cause = if c.ok { Cause::None } else { c.cause };
                    write!(
                        f,
                        " {}={}:{}",
                        w.name(),
                        if c.ok { "pass" } else { "fail" },
                        cause.name()
                    )?;
                }
                let mask = usable_mt_mask(&caps);
                writeln!(
                    f,
                    " largest_usable={}",
                    OptOrder(crate::engine::largest_order(z, mask))
                )?;
            }
        }
        Ok(())
    }
}

/// Counters for the `stats` file.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// OOM events seen.
    pub events: u64,
    /// Events by verdict, in `Verdict::ALL` order.
    pub by_verdict: [u64; 7],
    /// Lines not printed because of rate limiting.
    pub suppressed: u64,
    /// Compute time of the last event, ns.
    pub last_ns: u64,
    /// Largest compute time seen, ns.
    pub max_ns: u64,
    /// Whether the request-capturing kprobe is active.
    pub kprobe: bool,
}

impl Stats {
    /// Counts an event.
    pub fn record(&mut self, e: &Event) {
        self.events += 1;
        if let Some(i) = Verdict::ALL.iter().position(|v| *v == e.verdict) {
            self.by_verdict[i] += 1;
        }
        self.last_ns = e.compute_ns;
        self.max_ns = self.max_ns.max(e.compute_ns);
    }
}

impl Display for Stats {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(f, "# oomfrag stats v{FORMAT_VERSION}")?;
        writeln!(f, "events {}", self.events)?;
        for (v, n) in Verdict::ALL.iter().zip(self.by_verdict) {
            writeln!(f, "verdict_{} {}", v.name(), n)?;
        }
        writeln!(f, "suppressed_lines {}", self.suppressed)?;
        writeln!(f, "compute_ns_last {}", self.last_ns)?;
        writeln!(f, "compute_ns_max {}", self.max_ns)?;
        writeln!(f, "kprobe {}", u8::from(self.kprobe))
    }
}

/// An event in full: summary line then one line per kept zone, each
/// preceded by `prefix` (the log prefix, or nothing in debugfs).
pub struct EventText<'a>(pub &'a Platform<'a>, pub &'a Event);

impl Display for EventText<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", SummaryLine(self.0, &self.1.summary()))?;
        for z in self.1.zones() {
            writeln!(f, "{}", ZoneLine(self.1, z))?;
        }
        Ok(())
    }
}

/// A request written to the debugfs `query` file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuerySpec {
    /// Order, 0..`nr_orders`.
    pub order: u8,
    /// Gfp mask.
    pub gfp: u32,
    /// Only this node's zones, if given.
    pub node: Option<u16>,
}

/// Why a `query` write was refused (the text goes to the kernel log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryError {
    /// Longer than the buffer.
    TooLong,
    /// Not UTF-8 or holds control characters.
    NotText,
    /// A word that is not `key=value`, or an unknown key.
    UnknownKey,
    /// A key given twice.
    Duplicate,
    /// `order=` not a number below the number of orders.
    BadOrder,
    /// `gfp=` neither a number nor known names, or a zone combination
    /// `gfp_zone()` rejects.
    BadGfp,
    /// `node=` not a number or not online.
    BadNode,
}

impl QueryError {
    /// What to tell the user.
    pub const fn message(self) -> &'static str {
        match self {
            QueryError::TooLong => "query too long",
            QueryError::NotText => "query is not plain text",
            QueryError::UnknownKey => "expected 'order=N gfp=MASK [node=N]'",
            QueryError::Duplicate => "a key is given twice",
            QueryError::BadOrder => "order must be a number from 0 to the largest page order",
            QueryError::BadGfp => "gfp must be a number or GFP_* / __GFP_* names joined by '|', with a valid zone modifier",
            QueryError::BadNode => "node must be an online node id",
        }
    }
}

/// Longest `query` write accepted, in bytes.
pub const QUERY_MAX: usize = 256;

/// Parses a `query` write: `order=N gfp=MASK [node=N]` in any order,
/// separated by blanks; `order` defaults to 0 and `gfp` to `default_gfp`.
/// `node_ok` says whether a node id is online.
pub fn parse_query(
    p: &Platform<'_>,
    input: &[u8],
    nr_orders: u8,
    default_gfp: u32,
    node_ok: impl Fn(u64) -> bool,
) -> Result<QuerySpec, QueryError> {
    if input.len() > QUERY_MAX {
        return Err(QueryError::TooLong);
    }
    let s = core::str::from_utf8(input).map_err(|_| QueryError::NotText)?;
    if s.chars()
        .any(|c| c.is_control() && !c.is_ascii_whitespace())
    {
        return Err(QueryError::NotText);
    }
    let (mut order, mut gfp, mut node) = (None, None, None);
    for word in s.split_ascii_whitespace() {
        let (k, v) = word.split_once('=').ok_or(QueryError::UnknownKey)?;
        match k {
            "order" => {
                if order.is_some() {
                    return Err(QueryError::Duplicate);
                }
                let o = crate::engine::parse_u64(v).ok_or(QueryError::BadOrder)?;
                if o >= u64::from(nr_orders) {
                    return Err(QueryError::BadOrder);
                }
                order = Some(o as u8);
            }
            "gfp" => {
                if gfp.is_some() {
                    return Err(QueryError::Duplicate);
                }
                let g = p.parse_gfp(v).ok_or(QueryError::BadGfp)?;
                p.gfp_zone(g).ok_or(QueryError::BadGfp)?;
                gfp = Some(g);
            }
            "node" => {
                if node.is_some() {
                    return Err(QueryError::Duplicate);
                }
                let n = crate::engine::parse_u64(v).ok_or(QueryError::BadNode)?;
                if n > u64::from(u16::MAX) || !node_ok(n) {
                    return Err(QueryError::BadNode);
                }
                node = Some(n as u16);
            }
            _ => return Err(QueryError::UnknownKey),
        }
    }
    Ok(QuerySpec {
        order: order.unwrap_or(0),
        gfp: gfp.unwrap_or(default_gfp),
        node,
    })
}
