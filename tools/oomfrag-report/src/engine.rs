// SPDX-License-Identifier: GPL-2.0

//! The one adapter between the analyzer and the engine: builds the
//! engine's `Platform`, `ZoneSnapshot`s and `Request` from a parsed report,
//! calls `Event::evaluate` (the module's own entry point), prints with
//! report.rs's `SummaryLine` and `ZoneLine`, and hands the rest of the
//! analyzer plain numbers ([`Analysis`]).  Every use of the engine's API is
//! here (and in legacy.rs, the pre-4.4 rule it calls), so an engine API
//! change is adapted in this file.

use crate::fields::{parse_node_list, BuddyOrder, LETTERS, ZONE_NAMES};
use crate::gfp_layout::{
    self, decode, decode_names, guess_layout, layout_for, version_key, Flag, Flags,
};
use crate::legacy::{pre_4_4_check, LoopFail};
use crate::segment::RawReport;
use crate::zone_layout::{infer, ZoneLayout};
use oomfrag_engine::gfp::{self, gfp_zone, last_chance_caps, slowpath_caps};
use oomfrag_engine::platform::Platform;
use oomfrag_engine::report::{SummaryLine, ZoneLine};
use oomfrag_engine::task::{Cpuset, Task};
use oomfrag_engine::verdict::{
    summarize_at, Event, Request, Stage, Trigger, Verdict, ZoneVerdict, COMM_LEN,
};

/// An event whose zone verdicts live in a `Vec` (room for every zone a
/// report may hold).
pub type HostEvent = Event<Vec<ZoneVerdict>>;

/// A new event with room for `MAX_REPORT_ZONES` zones.
pub fn new_event() -> HostEvent {
    Event::new(vec![ZoneVerdict::EMPTY; MAX_REPORT_ZONES])
}

/// Zones kept per report (the segmenter's cap).
pub const MAX_REPORT_ZONES: usize = 256;
use oomfrag_engine::zone::{Mt, NodeMask, Wmark, ZoneKind, ZoneSnapshot, MAX_ORDERS};

/// A zone's outcome, in kB, for the explanation and `--json`.
#[derive(Clone, Debug, Default)]
pub struct ZoneOut {
    /// Node.
    pub node: u16,
    /// Zone name.
    pub name: &'static str,
    /// The request may use it.
    pub eligible: bool,
    /// Numbers as the kernel printed them (kB).
    pub free_kb: u64,
    /// `min` (with boost) before the request's reductions.
    pub mark_kb: u64,
    /// `min` after them (`ALLOC_HIGH` halves it, ...).
    pub min_kb: i64,
    /// `lowmem_reserve[]` for the request's highest zone.
    pub reserve_kb: u64,
    /// `free_cma`.
    pub free_cma_kb: u64,
    /// The high-atomic pages the check subtracts.
    pub highatomic_kb: u64,
    /// The cause word.
    pub cause: &'static str,
    /// Its free lists hold a block the request may take (or were not
    /// printed): see `ZoneVerdict::passes_at`.
    pub supplies: bool,
    /// The report printed its buddy line.
    pub lists_read: bool,
    /// Largest order on a usable list, and on any list.
    pub largest_usable: Option<u8>,
    /// See `largest_usable`.
    pub largest_any: Option<u8>,
    /// Orders whose letters mix usable and unusable lists: (order, letters).
    pub mixed: Vec<(u8, String)>,
    /// The pre-4.4 loop's failure, if that rule judged.
    pub legacy_fail: Option<(u8, i64, i64)>,
}

/// What the analyzer reports for one report.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// The summary line and the zone lines, `oomfrag: ` included.
    pub lines: Vec<String>,
    /// The verdict word printed.
    pub verdict: String,
    /// `missing=` reasons (verdict `unknown`).
    pub missing: Vec<&'static str>,
    /// `assumed=` words.
    pub assumed: Vec<String>,
    /// Plain-language notes for `--explain`.
    pub notes: Vec<String>,
    /// Per zone.
    pub zones: Vec<ZoneOut>,
    /// The request as judged.
    pub order: Option<i32>,
    /// Names of the mask judged (engine names).
    pub gfp_names: String,
    /// The request may use CMA / reserves.
    pub may_cma: bool,
    /// The highest zone the request may use.
    pub highest: Option<&'static str>,
    /// CMA is configured (the report prints `free_cma`).
    pub cma: bool,
    /// A memcg OOM.
    pub memcg: bool,
    /// A page-fault OOM (`gfp_mask=0x0`).
    pub page_fault: bool,
    /// `decided=last_chance`.
    pub last_chance: bool,
    /// The kernel release, if printed.
    pub kernel: Option<String>,
    /// For a report without an order: (order, verdict) for each order.
    pub per_order: Vec<(u8, &'static str)>,
    /// The pre-4.4 rule judged the high orders.
    pub legacy: bool,
    /// Page size in kB.
    pub page_kb: u64,
    /// Without a release, the mask's layout says the kernel predates 4.4.
    pub pre_4_4_layout: bool,
}

const KINDS: [ZoneKind; 6] = [
    ZoneKind::Dma,
    ZoneKind::Dma32,
    ZoneKind::Normal,
    ZoneKind::Highmem,
    ZoneKind::Movable,
    ZoneKind::Device,
];

const MT_OF_LETTER: [Mt; 7] = [
    Mt::Unmovable,
    Mt::Movable,
    Mt::Reclaimable,
    Mt::HighAtomic,
    Mt::Cma,
    Mt::Isolate,
    // MIGRATE_RESERVE (before 4.4): a fallback every request could use.
    Mt::Unmovable,
];

/// The engine's bits for decoded flags.
fn engine_mask(f: Flags) -> u32 {
    use Flag::*;
    let table: [(Flag, u32); 22] = [
        (Dma, gfp::DMA),
        (Highmem, gfp::HIGHMEM),
        (Dma32, gfp::DMA32),
        (Movable, gfp::MOVABLE),
        (Reclaimable, gfp::RECLAIMABLE),
        (High, gfp::HIGH),
        (Io, gfp::IO),
        (Fs, gfp::FS),
        (Zero, gfp::ZERO),
        (DirectReclaim, gfp::DIRECT_RECLAIM),
        (KswapdReclaim, gfp::KSWAPD_RECLAIM),
        (Write, gfp::WRITE),
        (Nowarn, gfp::NOWARN),
        (RetryMayfail, gfp::RETRY_MAYFAIL),
        (Nofail, gfp::NOFAIL),
        (Noretry, gfp::NORETRY),
        (Memalloc, gfp::MEMALLOC),
        (Comp, gfp::COMP),
        (Nomemalloc, gfp::NOMEMALLOC),
        (Hardwall, gfp::HARDWALL),
        (Thisnode, gfp::THISNODE),
        (Account, gfp::ACCOUNT),
    ];
    table
        .iter()
        .filter(|(fl, _)| f.has(*fl))
        .fold(0, |m, (_, b)| m | b)
}

/// The request's mask in the engine's bits, and how it was read.
fn request_gfp(r: &RawReport, a: &mut Analysis) -> Option<u32> {
    let hex = r.start.gfp_hex?;
    if let Some(names) = r.start.gfp_names.as_deref() {
        if let Some(f) = decode_names(names) {
            return Some(engine_mask(f));
        }
        a.notes.push(format!(
            "The mask's names ({names}) include one this tool does not know; it was decoded from its hex value."
        ));
    }
    let layout = match &r.version {
        Some((maj, min, rel)) => {
            let patch = rel
                .split(['.', '-'])
                .nth(2)
                .and_then(|p| p.parse().ok())
                .unwrap_or(0);
            layout_for(version_key(*maj, *min, patch))
        }
        None => {
            let l =
                guess_layout(hex).unwrap_or(&gfp_layout::LAYOUTS[gfp_layout::LAYOUTS.len() - 1]);
            a.pre_4_4_layout = l.since < (4, 4);
            if hex != 0 {
                a.assumed.push(format!("gfp_layout:{}", l.name));
                a.notes.push(format!(
                    "The report names no kernel release, so the bare mask {hex:#x} was read with the bit layout of {}, the newest in which it can enter direct reclaim (as an OOM's request does).",
                    l.name
                ));
            }
            l
        }
    };
    let (f, left) = decode(layout, hex);
    if left != 0 {
        a.notes.push(format!(
            "Bits {left:#x} of the mask mean nothing in the {} layout; they were ignored.",
            layout.name
        ));
    }
    Some(engine_mask(f))
}

fn kb_to_pages(kb: u64, page_kb: u64) -> u64 {
    kb / page_kb.max(1)
}

/// The snapshot of one printed zone.
fn snapshot(
    z: &crate::segment::RawZone,
    lay: &ZoneLayout,
    page_kb: u64,
    nr_orders: u8,
) -> Option<ZoneSnapshot> {
    let l = &z.line;
    let idx = lay.idx[l.kind]?;
    let mut s = ZoneSnapshot::empty(l.node.unwrap_or(0), idx, KINDS[l.kind], nr_orders);
    let p = |kb| kb_to_pages(kb, page_kb);
    s.free = p(l.free);
    let boost = l.boost.unwrap_or(0);
    s.boost = p(boost);
    for (w, m) in s.wmark.iter_mut().zip(l.wmark) {
        *w = p(m.unwrap_or(0).saturating_sub(boost));
    }
    s.free_cma = p(l.free_cma.unwrap_or(0));
    // Before free_highatomic was printed the check subtracted the whole
    // reserve (`z->nr_reserved_highatomic`, 4.4 on).
    s.free_highatomic = p(l.free_highatomic.or(l.reserved_highatomic).unwrap_or(0));
    s.reserved_highatomic = p(l.reserved_highatomic.unwrap_or(0));
    s.present = p(l.present.unwrap_or(0));
    s.managed = p(l.managed.unwrap_or(0));
    if let Some(r) = &z.reserve {
        for (d, v) in s.lowmem_reserve.iter_mut().zip(r) {
            *d = *v;
        }
    }
    if let Some(b) = &z.buddy {
        s.lists_read = true;
        for o in &b.orders {
            let Some(order) = order_of(o, page_kb) else {
                continue;
            };
            s.nr_free[order] = o.count;
            if o.count == 0 {
                continue;
            }
            if b.has_letters {
                for (i, mt) in MT_OF_LETTER.iter().enumerate() {
                    if o.letters & (1 << i) != 0 {
                        s.nonempty[order] |= mt.bit();
                    }
                }
            } else {
                s.nonempty[order] = Mt::Unmovable.bit() | Mt::Movable.bit() | Mt::Reclaimable.bit();
            }
        }
    }
    Some(s)
}

/// The order of a buddy entry from its block size.
fn order_of(o: &BuddyOrder, page_kb: u64) -> Option<usize> {
    if page_kb == 0 || !o.block_kb.is_multiple_of(page_kb) {
        return None;
    }
    let n = o.block_kb / page_kb;
    (n.is_power_of_two() && (n.trailing_zeros() as usize) < MAX_ORDERS)
        .then(|| n.trailing_zeros() as usize)
}

fn letters_of(bits: u8) -> String {
    LETTERS
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, &c)| c as char)
        .collect()
}

/// Replaces the `verdict=` word of a summary line.
fn with_verdict(line: &str, word: &str) -> String {
    match line.find(" verdict=") {
        Some(i) => {
            let rest = &line[i + 9..];
            let end = rest.find(' ').unwrap_or(rest.len());
            format!("{} verdict={word}{}", &line[..i], &rest[end..])
        }
        None => line.to_string(),
    }
}

/// Re-judges an evaluated event by the pre-4.4 rule (legacy.rs): each
/// zone's min and last-chance checks, then the summary as
/// `Event::evaluate` reads it (min first; the last-chance check for a
/// failed allocation whose min check passes).
fn apply_pre_4_4(
    e: &mut HostEvent,
    zones: &[ZoneSnapshot],
    p: &Platform,
    trigger: Trigger,
) -> Vec<Option<LoopFail>> {
    let caps = slowpath_caps(p, e.eval_gfp, e.eval_order, &e.req.task);
    let hz = gfp_zone(p, e.eval_gfp).unwrap_or(0);
    let mut fails = vec![None; e.kept];
    for (i, z) in zones.iter().enumerate().take(e.kept) {
        // Every watermark by the old rule, so ok_low/ok_high agree with it.
        let old_rule =
            |w: Wmark| pre_4_4_check(z, e.eval_order, z.mark(w), z.reserve_for(hz), &caps, p.cma);
        let (c, f) = old_rule(Wmark::Min);
        let zv = &mut e.storage[i];
        zv.min_check = c;
        zv.ok_low = old_rule(Wmark::Low).0.ok;
        zv.ok_high = old_rule(Wmark::High).0.ok;
        fails[i] = f;
        let (lc, _) = pre_4_4_check(
            z,
            e.eval_order,
            z.mark(Wmark::High),
            z.reserve_for(hz),
            &last_chance_caps(p, e.eval_gfp, &caps),
            p.cma,
        );
        e.storage[i].last_chance = lc;
    }
    let memcg = trigger == Trigger::Memcg;
    e.stage = Stage::SlowPath;
    e.verdict = summarize_at(e.zones(), e.eval_order, memcg, Stage::SlowPath);
    if e.verdict == Verdict::None && trigger == Trigger::Alloc {
        let v = summarize_at(e.zones(), e.eval_order, memcg, Stage::LastChance);
        if v != Verdict::None {
            e.verdict = v;
            e.stage = Stage::LastChance;
        }
    }
    fails
}

/// Analyses one report: the event is the caller's preallocated storage.
pub fn analyze(r: &RawReport, seq: u64, e: &mut HostEvent) -> Analysis {
    let mut a = Analysis {
        kernel: r.version.as_ref().map(|v| v.2.clone()),
        memcg: r.memcg,
        ..Analysis::default()
    };
    let gfp = request_gfp(r, &mut a);
    let order = r.start.order;
    a.order = order;
    a.page_fault =
        r.start.oom && !r.memcg && r.start.gfp_hex == Some(0) && !r.sysrq && order != Some(-1);

    // The zones: populated ones only, as the zonelists hold them.
    let kinds: Vec<(usize, Option<&[u64]>)> = r
        .zones
        .iter()
        .map(|z| (z.line.kind, z.reserve.as_deref()))
        .collect();
    let lay = infer(&kinds);
    if !r.zones.is_empty() && !lay.from_reserve {
        // No "=" inside a logfmt value: "zones:DMA:0,DMA32:1".
        a.assumed
            .push(format!("zones:{}", lay.describe().replace('=', ":")));
    }
    let page_kb = r
        .zones
        .iter()
        .filter_map(|z| z.buddy.as_ref()?.orders.first().map(|o| o.block_kb))
        .find(|&k| k.is_power_of_two())
        .unwrap_or(4);
    a.page_kb = page_kb;
    let nr_orders = r
        .zones
        .iter()
        .filter_map(|z| z.buddy.as_ref())
        .filter_map(|b| b.orders.last().and_then(|o| order_of(o, page_kb)))
        .max()
        .map_or(11, |o| o as u8 + 1);
    a.cma = r.zones.iter().any(|z| {
        z.line.free_cma.is_some()
            || z.buddy
                .as_ref()
                .is_some_and(|b| b.orders.iter().any(|o| o.letters & (1 << 4) != 0))
    });
    let p = Platform {
        zone_idx: lay.idx,
        cma: a.cma,
        mobility_disabled: false,
        page_shift: (page_kb.trailing_zeros() + 10) as u8,
        numa: true,
    };
    let mut zones: Vec<ZoneSnapshot> = Vec::new();
    let mut printed: Vec<&crate::segment::RawZone> = Vec::new();
    for z in &r.zones {
        let unpopulated =
            z.line.managed == Some(0) || (z.line.managed.is_none() && z.line.present == Some(0));
        if unpopulated {
            continue;
        }
        if let Some(s) = snapshot(z, &lay, page_kb, nr_orders) {
            zones.push(s);
            printed.push(z);
        }
    }
    if printed.iter().any(|z| {
        z.buddy
            .as_ref()
            .is_some_and(|b| !b.has_letters && b.orders.iter().any(|o| o.count > 0))
    }) {
        a.assumed.push("buddy_lists_usable".into());
        a.notes.push(if a.cma {
            "The buddy lines carry no migrate type letters: every free block was taken as one this request may use, although some may be CMA blocks it may not.".into()
        } else {
            "The buddy lines carry no migrate type letters: every free block was taken as one this request may use (there was no CMA and no high-atomic reserve to tell apart).".into()
        });
    }
    if r.protections {
        a.assumed.push("protections_as_lowmem_reserve".into());
        a.notes.push("This 2.6.1x report prints protections[] instead of lowmem_reserve[]; they were read as lowmem_reserve[].".into());
    }
    if printed
        .iter()
        .any(|z| z.line.free_highatomic.is_none() && z.line.reserved_highatomic.unwrap_or(0) > 0)
    {
        a.notes.push("The report prints reserved_highatomic but not free_highatomic: the whole reserve was subtracted, as kernels before free_highatomic did (z->nr_reserved_highatomic).".into());
    }

    // The nodes the request may use.
    let mut nodes = NodeMask::ALL;
    let mut restrict = |list: &str, what: &str, a: &mut Analysis| match parse_node_list(list) {
        Some(v) => {
            let mut both = NodeMask::NONE;
            for n in v.into_iter().filter(|&n| nodes.contains(n)) {
                both.set(n);
            }
            nodes = both;
        }
        None => a.notes.push(format!(
            "The {what} {list:?} could not be read; it was not applied."
        )),
    };
    if let Some(n) = r.start.nodemask.as_deref().or(r.nodemask.as_deref()) {
        restrict(n, "nodemask", &mut a);
    }
    // The cpuset goes to the engine as the task's (`Request.task.cpuset`),
    // so it judges `__cpuset_zone_allowed()` and `constrained_alloc()` as
    // the kernel does; `nodes` stays the mempolicy's nodemask.
    let gfp_hardwall = gfp.is_some_and(|g| g & gfp::HARDWALL != 0);
    let mut task = Task::PLAIN;
    if let Some(m) = r
        .mems_allowed
        .as_deref()
        .or(r.start.mems_allowed.as_deref())
    {
        let list = parse_node_list(m);
        let cpuset = r.constraint.as_deref() == Some("CONSTRAINT_CPUSET");
        let implied = r.constraint.is_none()
            && gfp_hardwall
            && zones
                .iter()
                .any(|z| list.as_ref().is_some_and(|v| !v.contains(&z.node)));
        match list {
            Some(v) if cpuset || implied => {
                let mut mems = NodeMask::NONE;
                for n in v {
                    mems.set(n);
                }
                // A request without __GFP_HARDWALL may use the nearest
                // hardwalled ancestor's nodes (cgroup v1) or any node (v2);
                // a log tells neither, so any node (v2, and v1 without a
                // hardwalled ancestor).
                task.cpuset = Cpuset {
                    enabled: true,
                    mems_allowed: mems,
                    hardwall: mems,
                    softwall: NodeMask::ALL,
                };
                if !gfp_hardwall {
                    a.assumed.push("cpuset_softwall=all".into());
                }
                if implied {
                    a.assumed.push("cpuset_constraint".into());
                    a.notes.push(format!(
                        "The report predates the constraint= line; as the request is __GFP_HARDWALL and its cpuset (mems_allowed={m}) leaves out nodes the report lists, the cpuset was applied."
                    ));
                }
            }
            None if cpuset => a.notes.push(format!(
                "The mems_allowed {m:?} could not be read; it was not applied."
            )),
            _ => {}
        }
    }

    // The request.
    let trigger = if r.memcg {
        Trigger::Memcg
    } else if order == Some(-1) || r.sysrq {
        Trigger::Sysrq
    } else if order.is_none() {
        // As the module says of a request it did not capture.
        Trigger::Unknown
    } else if !r.start.oom {
        // warn_alloc()'s report: the OOM killer was not called.
        Trigger::AllocFailure
    } else {
        Trigger::Alloc
    };
    let mut comm = [0u8; COMM_LEN];
    let name = r.start.comm.as_deref().unwrap_or("");
    for (d, s) in comm.iter_mut().zip(name.bytes().take(COMM_LEN - 1)) {
        *d = s;
    }
    let req = Request {
        trigger,
        order: if trigger == Trigger::Sysrq {
            Some(-1)
        } else {
            order
        },
        gfp,
        nodes,
        task,
        comm,
        pid: r.pid.unwrap_or(0),
        ..Request::unknown(gfp::KERNEL)
    };
    e.seq = seq;
    e.compute_ns = 0;
    e.evaluate(&p, &zones, req);
    let caps = slowpath_caps(&p, e.eval_gfp, e.eval_order, &task);
    a.may_cma = caps.cma;
    a.highest = gfp_zone(&p, e.eval_gfp)
        .and_then(|h| lay.idx.iter().position(|i| *i == Some(h)))
        .map(|k| ZONE_NAMES[k]);
    let mut s = String::new();
    let _ = oomfrag_engine::gfp::decode(e.eval_gfp, &mut s);
    a.gfp_names = s;

    // Kernels before 4.4 judged high orders by their own rule.
    let old = match &r.version {
        Some(v) => version_key(v.0, v.1, 0) < (4, 4),
        None => a.pre_4_4_layout,
    };
    let mut loop_fail: Vec<Option<LoopFail>> = vec![None; e.kept];
    if old && e.eval_order > 0 && !r.memcg {
        a.legacy = true;
        loop_fail = apply_pre_4_4(e, &zones, &p, trigger);
        a.notes.push("Kernel before 4.4: high orders judged by its own __zone_watermark_ok() (each lower order's free pages subtracted, min halved per order; before commit 97a16fc82a7c).".into());
    }
    a.last_chance = e.stage == Stage::LastChance;
    if let Some(c) = &r.constraint {
        let said = c.trim_start_matches("CONSTRAINT_").to_ascii_lowercase();
        if said != e.constraint.name() {
            let why = if said == "cpuset"
                && zones
                    .iter()
                    .all(|z| task.cpuset.mems_allowed.contains(z.node))
            {
                "the kernel printed only the nodes of the task's cpuset (show_mem() filters by mems_allowed), so the nodes outside it, whose zones made constrained_alloc() say CONSTRAINT_CPUSET, are not in the report"
            } else {
                "the report does not show everything constrained_alloc() read"
            };
            a.notes.push(format!(
                "The kernel said {c}; judged from the zones in the report the engine says constraint={}: {why}.",
                e.constraint.name()
            ));
        }
    }

    // The lines.
    let summary = e.summary();
    let mut line = format!("oomfrag: {}", SummaryLine(&p, &summary));
    // The engine's own missing= joins the analyzer's list below.
    if let Some(u) = e.unknown {
        line = line.replacen(&format!(" missing={}", u.name()), "", 1);
        a.missing.push(u.name());
    }
    let mut word = e.verdict.name().to_string();
    if r.memcg {
        word = "memcg".into();
    } else if a.page_fault {
        word = "unknown".into();
        a.missing.push("request");
        a.notes.push("A page-fault OOM (gfp_mask=0x0: pagefault_out_of_memory()): no allocation failed in the report, so no zone is blamed.".into());
    } else if gfp.is_none() {
        word = "unknown".into();
        a.missing.push("gfp");
    } else if order.is_none() {
        // The engine's own unknown (missing=order).
    } else if zones.is_empty() {
        word = "unknown".into();
        a.missing.push("zones");
    } else if e.verdict == Verdict::NoEligibleZone {
        // The engine's own no_eligible_zone.
    } else if e.eval_order > 0
        && printed
            .iter()
            .zip(e.zones())
            .any(|(z, v)| v.eligible && z.buddy.is_none())
    {
        word = "unknown".into();
        a.missing.push("buddy");
    }
    if word != e.verdict.name() {
        line = with_verdict(&line, &word);
        // Nothing was judged, so nothing drifted either.
        line = line.replace(" drift=1 ", " drift=0 ");
    }
    a.verdict = word;
    // Extra keys the module does not print.
    line.push_str(if r.start.oom {
        " report=oom"
    } else {
        " report=alloc_failure"
    });
    if let Some(k) = &a.kernel {
        line.push_str(&format!(" kernel={k}"));
    }
    if let Some(h) = r.start.gfp_hex {
        if Some(h) != gfp {
            line.push_str(&format!(" report_gfp={h:#x}"));
        }
    }
    if let Some(c) = &r.constraint {
        // The engine prints its own constraint=; the report's is kept apart.
        line.push_str(&format!(
            " report_constraint={}",
            c.trim_start_matches("CONSTRAINT_").to_ascii_lowercase()
        ));
    }
    if a.page_fault {
        line.push_str(" label=page_fault");
    }
    if !a.missing.is_empty() {
        line.push_str(&format!(" missing={}", a.missing.join(",")));
    }
    if !a.assumed.is_empty() {
        line.push_str(&format!(" assumed={}", a.assumed.join(",")));
    }
    line.push_str(&format!(
        " source={}:{}",
        // One logfmt value: no blank, '=' or '"'.
        r.source
            .replace(|c: char| c.is_whitespace() || c == '=' || c == '"', "_"),
        r.line
    ));
    a.lines.push(line);
    if !r.memcg {
        for v in e.zones() {
            a.lines.push(format!("oomfrag: {}", ZoneLine(&p, e, v)));
        }
    }

    // Plain numbers for the explanation.
    for (i, (v, z)) in e.zones().iter().zip(&printed).enumerate() {
        let c = v.at(e.stage);
        let mut out = ZoneOut {
            node: v.node,
            name: v.kind.name(),
            eligible: v.eligible,
            free_kb: p.kb(v.free),
            mark_kb: p.kb(v.marks[if e.stage == Stage::LastChance { 2 } else { 0 }]),
            min_kb: c.min.saturating_mul(page_kb as i64),
            reserve_kb: p.kb(v.reserve),
            free_cma_kb: p.kb(v.free_cma),
            highatomic_kb: p.kb(v.free_highatomic),
            cause: c.cause.name(),
            supplies: if e.stage == Stage::LastChance {
                v.supplies_last
            } else {
                v.supplies
            },
            lists_read: z.buddy.is_some(),
            largest_usable: v.largest_usable,
            largest_any: v.largest_any,
            legacy_fail: loop_fail.get(i).copied().flatten().map(|f| {
                (
                    f.order,
                    f.free_left * page_kb as i64,
                    f.min_left * page_kb as i64,
                )
            }),
            ..ZoneOut::default()
        };
        if let Some(b) = z.buddy.as_ref().filter(|b| b.has_letters) {
            let usable = oomfrag_engine::watermark::usable_mt_mask(&caps);
            for o in &b.orders {
                let Some(ord) = order_of(o, page_kb) else {
                    continue;
                };
                let mut mts = 0u8;
                for (li, mt) in MT_OF_LETTER.iter().enumerate() {
                    if o.letters & (1 << li) != 0 {
                        mts |= mt.bit();
                    }
                }
                if o.count > 0 && mts & usable != 0 && mts & !usable != 0 {
                    out.mixed.push((ord as u8, letters_of(o.letters)));
                }
            }
        }
        a.zones.push(out);
    }
    if order.is_none() && !r.memcg && !zones.is_empty() {
        for o in 0..nr_orders.min(MAX_ORDERS as u8) {
            let req = Request {
                order: Some(o as i32),
                trigger: Trigger::Query,
                ..req
            };
            e.evaluate(&p, &zones, req);
            if old && o > 0 {
                apply_pre_4_4(e, &zones, &p, Trigger::Query);
            }
            a.per_order.push((o, e.verdict.name()));
        }
        if old {
            a.notes.push("Kernel before 4.4: each order judged by its own __zone_watermark_ok() (each lower order's free pages subtracted, min halved per order; before commit 97a16fc82a7c).".into());
        }
    }
    a
}
