// SPDX-License-Identifier: GPL-2.0

//! The one adapter between the analyzer and the engine: builds the
//! engine's `Platform`, `ZoneSnapshot`s and `Request` from a parsed report,
//! calls `Event::evaluate` (the module's own entry point), prints with the
//! engine's `report::SummaryLine` and `report::ZoneLine`, and hands the
//! rest of the analyzer plain numbers ([`Analysis`]).  Every use of the
//! engine's API is here (and in legacy.rs, the pre-4.4 rule it calls), so
//! an engine API change is adapted in this file.  [`analyze`] reads as the
//! list of its steps; each step is a function below it.

use crate::fields::{parse_node_list, BuddyLine, BuddyOrder, LETTERS, ZONE_NAMES};
use crate::gfp_layout::{
    self, decode, decode_names, guess_layout, layout_for, version_key, Flag, Flags,
};
use crate::legacy::{pre_4_4_check, LoopFail};
use crate::segment::{RawReport, RawZone};
use crate::zone_layout::{infer, ZoneLayout};
use oomfrag_engine::alloc_flags::{last_chance_flags, slowpath_flags, AllocFlags};
use oomfrag_engine::event::Event;
use oomfrag_engine::gfp::gfp_zone;
use oomfrag_engine::gfp_types;
use oomfrag_engine::platform::Platform;
use oomfrag_engine::report::{SummaryLine, ZoneLine};
use oomfrag_engine::request::{Request, Trigger, COMM_LEN};
use oomfrag_engine::task::{Cpuset, Task};
use oomfrag_engine::verdict::{summarize_at, Stage, Verdict, ZoneVerdict};
use oomfrag_engine::watermark::usable_mt_mask;
use oomfrag_engine::zone::{MigrateType, NodeMask, Wmark, ZoneSnapshot, ZoneType, MAX_ORDERS};
use std::borrow::Cow;

/// An event whose zone verdicts live in a `Vec` (room for every zone a
/// report may hold).
pub type HostEvent = Event<Vec<ZoneVerdict>>;

/// A new event with room for `MAX_REPORT_ZONES` zones.
pub fn new_event() -> HostEvent {
    Event::new(vec![ZoneVerdict::EMPTY; MAX_REPORT_ZONES])
}

/// Zones kept per report (the segmenter's cap).
pub const MAX_REPORT_ZONES: usize = 256;

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
    /// A `Mem-Info:` block without a first line: no request.
    pub headless: bool,
}

const KINDS: [ZoneType; 6] = [
    ZoneType::Dma,
    ZoneType::Dma32,
    ZoneType::Normal,
    ZoneType::Highmem,
    ZoneType::Movable,
    ZoneType::Device,
];

const MT_OF_LETTER: [MigrateType; 7] = [
    MigrateType::Unmovable,
    MigrateType::Movable,
    MigrateType::Reclaimable,
    MigrateType::HighAtomic,
    MigrateType::Cma,
    MigrateType::Isolate,
    // MIGRATE_RESERVE (before 4.4): a fallback every request could use.
    MigrateType::Unmovable,
];

/// The engine's bits for decoded flags.
fn engine_mask(f: Flags) -> u32 {
    use Flag::*;
    let table: [(Flag, u32); 22] = [
        (Dma, gfp_types::DMA),
        (Highmem, gfp_types::HIGHMEM),
        (Dma32, gfp_types::DMA32),
        (Movable, gfp_types::MOVABLE),
        (Reclaimable, gfp_types::RECLAIMABLE),
        (High, gfp_types::HIGH),
        (Io, gfp_types::IO),
        (Fs, gfp_types::FS),
        (Zero, gfp_types::ZERO),
        (DirectReclaim, gfp_types::DIRECT_RECLAIM),
        (KswapdReclaim, gfp_types::KSWAPD_RECLAIM),
        (Write, gfp_types::WRITE),
        (Nowarn, gfp_types::NOWARN),
        (RetryMayfail, gfp_types::RETRY_MAYFAIL),
        (Nofail, gfp_types::NOFAIL),
        (Noretry, gfp_types::NORETRY),
        (Memalloc, gfp_types::MEMALLOC),
        (Comp, gfp_types::COMP),
        (Nomemalloc, gfp_types::NOMEMALLOC),
        (Hardwall, gfp_types::HARDWALL),
        (Thisnode, gfp_types::THISNODE),
        (Account, gfp_types::ACCOUNT),
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
fn snapshot(z: &RawZone, lay: &ZoneLayout, page_kb: u64, nr_orders: u8) -> Option<ZoneSnapshot> {
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
            let Some(printed) = order_index(o, page_kb) else {
                continue;
            };
            // The engine holds MAX_ORDERS orders: a block of a higher one
            // counts as 2^(o - top) blocks of the top one, which every
            // check of an order up to the top tells apart from it by
            // nothing (free pages and "a block of this order or larger"
            // are the same).
            let top = MAX_ORDERS - 1;
            let order = printed.min(top);
            let count = o.count.saturating_mul(1u64 << (printed - order).min(63));
            s.nr_free[order] = s.nr_free[order].saturating_add(count);
            if o.count == 0 {
                continue;
            }
            if b.has_letters {
                s.nonempty[order] |= mt_bits(o.letters);
            } else {
                s.nonempty[order] = MigrateType::Unmovable.bit()
                    | MigrateType::Movable.bit()
                    | MigrateType::Reclaimable.bit();
            }
        }
    }
    Some(s)
}

/// The order of a buddy entry from its block size, any order a kernel
/// prints (see [`order_of`] for the engine's).
pub(crate) fn order_index(o: &BuddyOrder, page_kb: u64) -> Option<usize> {
    if page_kb == 0 || !o.block_kb.is_multiple_of(page_kb) {
        return None;
    }
    let n = o.block_kb / page_kb;
    n.is_power_of_two().then(|| n.trailing_zeros() as usize)
}

/// The order of a buddy entry from its block size, if the engine holds it
/// (below `MAX_ORDERS`).
pub(crate) fn order_of(o: &BuddyOrder, page_kb: u64) -> Option<usize> {
    order_index(o, page_kb).filter(|&n| n < MAX_ORDERS)
}

/// The migrate types (engine bits) of a buddy entry's letters.
pub(crate) fn mt_bits(letters: u8) -> u8 {
    MT_OF_LETTER
        .iter()
        .enumerate()
        .filter(|(i, _)| letters & (1 << i) != 0)
        .fold(0, |m, (_, mt)| m | mt.bit())
}

fn letters_of(bits: u8) -> String {
    LETTERS
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, &c)| c as char)
        .collect()
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
    let (gfp, order) = (e.summary.eval_gfp, e.summary.eval_order);
    let caps = slowpath_flags(p, gfp, order, &e.summary.req.alloc_task());
    let hz = gfp_zone(p, gfp).unwrap_or(0);
    let mut fails = vec![None; e.kept];
    for (i, z) in zones.iter().enumerate().take(e.kept) {
        // Every watermark by the old rule, so ok_low/ok_high agree with it.
        let old_rule =
            |w: Wmark| pre_4_4_check(z, order, z.mark(w), z.reserve_for(hz), &caps, p.cma);
        let (c, f) = old_rule(Wmark::Min);
        let zv = &mut e.storage[i];
        zv.min_check = c;
        zv.ok_low = old_rule(Wmark::Low).0.ok;
        zv.ok_high = old_rule(Wmark::High).0.ok;
        fails[i] = f;
        let (lc, _) = pre_4_4_check(
            z,
            order,
            z.mark(Wmark::High),
            z.reserve_for(hz),
            &last_chance_flags(p, gfp, &caps),
            p.cma,
        );
        e.storage[i].last_chance = lc;
    }
    let memcg = trigger == Trigger::Memcg;
    e.summary.stage = Stage::SlowPath;
    e.summary.verdict = summarize_at(e.zones(), order, memcg, Stage::SlowPath);
    if e.summary.verdict == Verdict::None && e.summary.req.made_last_chance() {
        let v = summarize_at(e.zones(), order, memcg, Stage::LastChance);
        if v != Verdict::None {
            e.summary.verdict = v;
            e.summary.stage = Stage::LastChance;
        }
    }
    e.count_eligible();
    fails
}

/// Analyses one report: the event is the caller's preallocated storage.
///
/// The steps, in order (each adds its `assumed=` words and notes to the
/// analysis, so their order is the order printed): the request's mask, the
/// machine, the zones, the request, the engine's evaluation, the rules of
/// the report's kernel version, the lines, the numbers for the
/// explanation, and, for a report without an order, the verdict at each.
pub fn analyze(r: &RawReport, seq: u64, e: &mut HostEvent) -> Analysis {
    let from_boot = r.version.is_none() && r.boot_version.is_some();
    let r = &*with_boot_version(r);
    let mut a = Analysis {
        kernel: r.version.as_ref().map(|v| v.2.clone()),
        memcg: r.memcg,
        order: r.start.order,
        page_fault: is_page_fault(r),
        headless: r.headless,
        ..Analysis::default()
    };
    if from_boot {
        note_boot_version(r, &mut a);
    }
    let Built {
        gfp,
        m,
        zones,
        printed,
        task,
        req,
    } = build(r, &mut a);
    evaluate(e, seq, &m.p, &zones, req);
    if r.headless {
        note_no_request(r, &mut a);
    }
    let caps = describe_request(e, &m, &task, &mut a);
    let old = before_4_4(r, &a);
    let loop_fail = apply_version_rules(e, &zones, &m.p, req.trigger, old, r.memcg, &mut a);
    a.last_chance = e.summary.stage == Stage::LastChance;
    note_constraint(r, e, &zones, &task, &mut a);
    a.verdict = verdict_word(e, &mut a);
    a.lines = lines(r, e, &m.p, gfp, &a);
    a.zones = zone_outs(e, &printed, &m, &caps, &loop_fail);
    if a.order.is_none() && !r.memcg && !zones.is_empty() {
        // A block without a request: each order as a GFP_KERNEL request's.
        let req = if r.headless {
            Request {
                gfp: Some(gfp_types::KERNEL),
                ..req
            }
        } else {
            req
        };
        judge_each_order(e, &m, &zones, req, old, &mut a);
    }
    a
}

/// The engine's inputs for one report, exactly as [`analyze`] gives them
/// to `Event::evaluate` for the lines it prints (for a report without an
/// order, before it judges each order as a query).
#[derive(Clone, Debug)]
pub struct EngineInputs {
    /// The machine.
    pub platform: Platform,
    /// The populated zones, in the report's order.
    pub zones: Vec<ZoneSnapshot>,
    /// The request.
    pub request: Request,
}

/// The engine's inputs of a parsed report (see [`EngineInputs`]): the same
/// code as [`analyze`]'s, for the test vectors' generator.
pub fn engine_inputs(r: &RawReport) -> EngineInputs {
    let r = &*with_boot_version(r);
    let b = build(r, &mut Analysis::default());
    EngineInputs {
        platform: b.m.p,
        zones: b.zones,
        request: b.req,
    }
}

/// The report, with the release of the `Linux version` boot line before it
/// when it prints none of its own.
fn with_boot_version(r: &RawReport) -> Cow<'_, RawReport> {
    match (&r.version, &r.boot_version) {
        (None, Some((maj, min, rel, _))) => Cow::Owned(RawReport {
            version: Some((*maj, *min, rel.clone())),
            ..r.clone()
        }),
        _ => Cow::Borrowed(r),
    }
}

/// What [`build`] makes of a report for the engine.
struct Built<'r> {
    /// The request's mask in the engine's bits, if printed.
    gfp: Option<u32>,
    /// The machine.
    m: Machine,
    /// The zones' snapshots.
    zones: Vec<ZoneSnapshot>,
    /// The printed zone of each snapshot.
    printed: Vec<&'r RawZone>,
    /// The task.
    task: Task,
    /// The request.
    req: Request,
}

/// The engine's inputs of a report: the request's mask, the machine, the
/// zones, the request (each step adds its `assumed=` words and notes to
/// `a`).
fn build<'r>(r: &'r RawReport, a: &mut Analysis) -> Built<'r> {
    let gfp = request_gfp(r, a);
    let m = read_machine(r, a);
    let (zones, printed) = build_zones(r, &m);
    note_zone_assumptions(r, &printed, a);
    let nodes = request_nodes(r, a);
    let task = request_task(r, gfp, &zones, a);
    let req = build_request(r, gfp, nodes, task);
    Built {
        gfp,
        m,
        zones,
        printed,
        task,
        req,
    }
}

/// Without a release of its own, the report's kernel is the one of the
/// `Linux version` boot line before it in the same input: said in
/// `assumed=`, and why in a note.
fn note_boot_version(r: &RawReport, a: &mut Analysis) {
    if let Some((_, _, rel, line)) = &r.boot_version {
        a.assumed.push("kernel_from_boot_line".into());
        a.notes.push(format!(
            "The report prints no kernel release; the boot line \"Linux version {rel}\" (line {line} of the same input) was taken as its kernel, and that version's rules applied."
        ));
    }
}

/// A `Mem-Info:` block without a first line: no request to judge.  The
/// engine was told so (`Request::shown` false): its verdict is `unknown
/// missing=request` and `kill=unknown`, and the zone lines show each zone at
/// order 0 against `min` (GFP_KERNEL).  The kill line that ends a complete
/// block is the report's own word (`report=oom`).
fn note_no_request(r: &RawReport, a: &mut Analysis) {
    a.notes.push(if r.complete {
        "No first line (\"invoked oom-killer\" or \"page allocation failure\") precedes this Mem-Info block, but a kill line ends it: the OOM killer ran for a request the log does not show (report=oom), so whether out_of_memory() would kill cannot be judged from it (kill=unknown).  Each zone is shown at order 0 against min, as for a GFP_KERNEL request.".into()
    } else {
        "No first line (\"invoked oom-killer\" or \"page allocation failure\") precedes this Mem-Info block (a quoted excerpt, sysrq-m, or a report whose first line was lost): no request is known, nor whether the OOM killer ran.  Each zone is shown at order 0 against min, as for a GFP_KERNEL request.".into()
    });
}

/// A page-fault OOM (`pagefault_out_of_memory()`): an OOM report with
/// `gfp_mask=0x0` that is neither a memcg nor a sysrq one.
fn is_page_fault(r: &RawReport) -> bool {
    r.start.oom && !r.memcg && r.start.gfp_hex == Some(0) && !r.sysrq && r.start.order != Some(-1)
}

/// What the report shows of the machine, as the engine needs it.
struct Machine {
    /// The index of each zone kind.
    lay: ZoneLayout,
    /// Page size in kB.
    page_kb: u64,
    /// Orders of the free lists.
    nr_orders: u8,
    /// The engine's platform: zone indices, CMA, page size.
    p: Platform,
}

/// The machine of the report: its zone layout, page size, orders and CMA.
fn read_machine(r: &RawReport, a: &mut Analysis) -> Machine {
    let lay = zone_layout(r, a);
    let page_kb = page_kb(r);
    a.page_kb = page_kb;
    let nr_orders = nr_orders(r, page_kb, a);
    a.cma = cma_configured(r);
    let p = Platform {
        zone_idx: lay.idx,
        cma: a.cma,
        mobility_disabled: false,
        page_shift: (page_kb.trailing_zeros() + 10) as u8,
        numa: true,
    };
    Machine {
        lay,
        page_kb,
        nr_orders,
        p,
    }
}

/// The zone index of each kind, from every zone line printed; when not
/// read from a `lowmem_reserve[]` array, the layout is an `assumed=` word.
fn zone_layout(r: &RawReport, a: &mut Analysis) -> ZoneLayout {
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
    lay
}

/// The page size in kB: the order-0 block size of the first buddy line
/// that prints one as a power of two, else 4.
fn page_kb(r: &RawReport) -> u64 {
    r.zones
        .iter()
        .filter_map(|z| z.buddy.as_ref()?.orders.first().map(|o| o.block_kb))
        .find(|&k| k.is_power_of_two())
        .unwrap_or(4)
}

/// The number of orders: one more than the largest the buddy lines print,
/// else 11; at most the engine's `MAX_ORDERS` (higher orders are folded
/// into its top one, see [`snapshot`], and said).
fn nr_orders(r: &RawReport, page_kb: u64, a: &mut Analysis) -> u8 {
    let printed = r
        .zones
        .iter()
        .filter_map(|z| z.buddy.as_ref())
        .filter_map(|b| {
            b.orders
                .iter()
                .filter_map(|o| order_index(o, page_kb))
                .max()
        })
        .max()
        .map_or(11, |o| o + 1);
    if printed > MAX_ORDERS {
        let top = MAX_ORDERS - 1;
        a.assumed.push(format!("orders_above_{top}_as_{top}"));
        a.notes.push(format!(
            "The buddy lines print {printed} orders (0-{}); the engine holds {MAX_ORDERS}: a free block of an order above {top} was counted as 2^(order-{top}) blocks of order {top}, the same free pages, and for every check of an order up to {top} the same answer (largest_order= says {top} for it).",
            printed - 1
        ));
    }
    printed.min(MAX_ORDERS) as u8
}

/// CMA is configured: a zone prints `free_cma` or a buddy line a `C` list.
fn cma_configured(r: &RawReport) -> bool {
    r.zones.iter().any(|z| {
        z.line.free_cma.is_some()
            || z.buddy
                .as_ref()
                .is_some_and(|b| b.orders.iter().any(|o| o.letters & (1 << 4) != 0))
    })
}

/// The snapshots of the populated zones, as the zonelists hold them, and
/// the printed zone of each.
fn build_zones<'r>(r: &'r RawReport, m: &Machine) -> (Vec<ZoneSnapshot>, Vec<&'r RawZone>) {
    let mut zones: Vec<ZoneSnapshot> = Vec::new();
    let mut printed: Vec<&RawZone> = Vec::new();
    for z in &r.zones {
        let unpopulated =
            z.line.managed == Some(0) || (z.line.managed.is_none() && z.line.present == Some(0));
        if unpopulated {
            continue;
        }
        if let Some(s) = snapshot(z, &m.lay, m.page_kb, m.nr_orders) {
            zones.push(s);
            printed.push(z);
        }
    }
    (zones, printed)
}

/// What the snapshots assume where the zones' lines print less than the
/// engine reads: migrate types, `lowmem_reserve[]`, free high-atomic pages.
fn note_zone_assumptions(r: &RawReport, printed: &[&RawZone], a: &mut Analysis) {
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
}

/// The nodes the request may use: its nodemask (the mempolicy's), or all
/// of them when none is printed or it cannot be read.
fn request_nodes(r: &RawReport, a: &mut Analysis) -> NodeMask {
    let Some(list) = r.start.nodemask.as_deref().or(r.nodemask.as_deref()) else {
        return NodeMask::ALL;
    };
    match parse_node_list(list) {
        Some(v) => {
            let mut nodes = NodeMask::NONE;
            for n in v.into_iter().filter(|&n| NodeMask::ALL.contains(n)) {
                nodes.set(n);
            }
            nodes
        }
        None => {
            a.notes.push(format!(
                "The nodemask {list:?} could not be read; it was not applied."
            ));
            NodeMask::ALL
        }
    }
}

/// The task: its cpuset, when the report says the OOM was constrained by
/// it (or, before the `constraint=` line, when a `__GFP_HARDWALL` request's
/// cpuset leaves out nodes the report lists).
///
/// The cpuset goes to the engine as the task's (`Request.task.cpuset`), so
/// it judges `__cpuset_zone_allowed()` and `constrained_alloc()` as the
/// kernel does; the request's `nodes` stay the mempolicy's nodemask.
fn request_task(r: &RawReport, gfp: Option<u32>, zones: &[ZoneSnapshot], a: &mut Analysis) -> Task {
    let mut task = Task::PLAIN;
    let Some(m) = r
        .mems_allowed
        .as_deref()
        .or(r.start.mems_allowed.as_deref())
    else {
        return task;
    };
    let gfp_hardwall = gfp.is_some_and(|g| g & gfp_types::HARDWALL != 0);
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
    task
}

/// What invoked the OOM killer (or failed, for `warn_alloc()`'s report).
fn trigger_of(r: &RawReport) -> Trigger {
    let order = r.start.order;
    if r.memcg {
        Trigger::Memcg
    } else if is_page_fault(r) {
        Trigger::PageFault
    } else if order == Some(-1) || r.sysrq {
        Trigger::Sysrq
    } else if order.is_none() || r.headless {
        // As the module says of a request it did not capture.
        Trigger::Unknown
    } else if !r.start.oom {
        // warn_alloc()'s report: the OOM killer was not called.
        Trigger::AllocFailure
    } else {
        Trigger::Alloc
    }
}

/// The task's name as the kernel keeps it (`TASK_COMM_LEN`, NUL-padded).
fn comm_of(r: &RawReport) -> [u8; COMM_LEN] {
    let mut comm = [0u8; COMM_LEN];
    let name = r.start.comm.as_deref().unwrap_or("");
    for (d, s) in comm.iter_mut().zip(name.bytes().take(COMM_LEN - 1)) {
        *d = s;
    }
    comm
}

/// The request as the module would have captured it.
fn build_request(r: &RawReport, gfp: Option<u32>, nodes: NodeMask, task: Task) -> Request {
    let trigger = trigger_of(r);
    Request {
        trigger,
        order: if trigger == Trigger::Sysrq {
            Some(-1)
        } else {
            r.start.order
        },
        gfp,
        nodes,
        // pagefault_out_of_memory()'s oom_control has no zonelist.
        zonelist: trigger != Trigger::PageFault,
        task,
        comm: comm_of(r),
        pid: r.pid.unwrap_or(0),
        // A Mem-Info block without its first line shows no request.
        shown: !r.headless,
        ..Request::unknown(gfp_types::KERNEL)
    }
}

/// Judges the request with the engine's entry point, as the module does.
fn evaluate(e: &mut HostEvent, seq: u64, p: &Platform, zones: &[ZoneSnapshot], req: Request) {
    e.summary.seq = seq;
    e.summary.compute_ns = 0;
    e.evaluate(p, zones, req);
}

/// The request as the engine judged it, for the explanation: whether it
/// may use CMA, its highest zone, its mask's names.  Returns its flags in
/// the slow path.
fn describe_request(e: &HostEvent, m: &Machine, task: &Task, a: &mut Analysis) -> AllocFlags {
    let caps = slowpath_flags(&m.p, e.summary.eval_gfp, e.summary.eval_order, task);
    a.may_cma = caps.cma;
    a.highest = gfp_zone(&m.p, e.summary.eval_gfp)
        .and_then(|h| m.lay.idx.iter().position(|i| *i == Some(h)))
        .map(|k| ZONE_NAMES[k]);
    let mut s = String::new();
    let _ = gfp_types::decode(e.summary.eval_gfp, &mut s);
    a.gfp_names = s;
    caps
}

/// The report's kernel predates 4.4: by its release, or without one by
/// its mask's layout.
fn before_4_4(r: &RawReport, a: &Analysis) -> bool {
    match &r.version {
        Some(v) => version_key(v.0, v.1, 0) < (4, 4),
        None => a.pre_4_4_layout,
    }
}

/// Kernels before 4.4 judged high orders by their own rule: re-judges the
/// event by it (not a memcg OOM's).  Returns the old loop's failure per
/// zone (none when the rule does not apply).
fn apply_version_rules(
    e: &mut HostEvent,
    zones: &[ZoneSnapshot],
    p: &Platform,
    trigger: Trigger,
    old: bool,
    memcg: bool,
    a: &mut Analysis,
) -> Vec<Option<LoopFail>> {
    if !(old && e.summary.eval_order > 0 && !memcg) {
        return vec![None; e.kept];
    }
    a.legacy = true;
    let loop_fail = apply_pre_4_4(e, zones, p, trigger);
    a.notes.push("Kernel before 4.4: high orders judged by its own __zone_watermark_ok() (each lower order's free pages subtracted, min halved per order; before commit 97a16fc82a7c).".into());
    loop_fail
}

/// Says why the kernel's `constraint=` differs from the engine's, if it does.
fn note_constraint(
    r: &RawReport,
    e: &HostEvent,
    zones: &[ZoneSnapshot],
    task: &Task,
    a: &mut Analysis,
) {
    let Some(c) = &r.constraint else {
        return;
    };
    let said = c.trim_start_matches("CONSTRAINT_").to_ascii_lowercase();
    if said == e.summary.constraint.name() {
        return;
    }
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
        e.summary.constraint.name()
    ));
}

/// The verdict printed, the engine's own, and what the report lacks for
/// it (`missing=`, which the engine decides and prints too).
fn verdict_word(e: &HostEvent, a: &mut Analysis) -> String {
    a.missing.extend(e.summary.missing.iter().map(|u| u.name()));
    if e.summary.req.trigger == Trigger::PageFault {
        a.notes.push("A page-fault OOM (gfp_mask=0x0: pagefault_out_of_memory()): no allocation failed in the report, so no zone is blamed.".into());
    }
    e.summary.verdict.name().to_string()
}

/// The lines the module prints: the summary line, with the analyzer's
/// verdict and its extra keys, then (but for a memcg OOM) one per zone.
fn lines(
    r: &RawReport,
    e: &HostEvent,
    p: &Platform,
    gfp: Option<u32>,
    a: &Analysis,
) -> Vec<String> {
    let mut line = format!("oomfrag: {}", SummaryLine(p, &e.summary));
    push_extra_keys(&mut line, r, gfp, a);
    let mut lines = vec![line];
    if !r.memcg {
        for v in e.zones() {
            lines.push(format!("oomfrag: {}", ZoneLine(p, &e.summary, v)));
        }
    }
    lines
}

/// The keys the module does not print: the report's kind, kernel, mask
/// and constraint as printed, `assumed=` and where the report is.
fn push_extra_keys(line: &mut String, r: &RawReport, gfp: Option<u32>, a: &Analysis) {
    line.push_str(if r.headless && !r.complete {
        " report=mem_info"
    } else if r.start.oom || r.headless {
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
}

/// Each zone's outcome in kB, for the explanation and `--json`.
fn zone_outs(
    e: &HostEvent,
    printed: &[&RawZone],
    m: &Machine,
    caps: &AllocFlags,
    loop_fail: &[Option<LoopFail>],
) -> Vec<ZoneOut> {
    let (p, page_kb) = (&m.p, m.page_kb);
    let stage = e.summary.stage;
    let usable = usable_mt_mask(caps);
    let mut outs = Vec::new();
    for (i, (v, z)) in e.zones().iter().zip(printed).enumerate() {
        let c = v.at(stage);
        outs.push(ZoneOut {
            node: v.node,
            name: v.kind.name(),
            eligible: v.eligible,
            free_kb: p.kb(v.free),
            mark_kb: p.kb(v.marks[if stage == Stage::LastChance { 2 } else { 0 }]),
            min_kb: c.min.saturating_mul(page_kb as i64),
            reserve_kb: p.kb(v.reserve),
            free_cma_kb: p.kb(v.free_cma),
            highatomic_kb: p.kb(v.free_highatomic),
            cause: c.cause.name(),
            supplies: if stage == Stage::LastChance {
                v.supplies_last
            } else {
                v.supplies
            },
            lists_read: z.buddy.is_some(),
            largest_usable: v.largest_usable,
            largest_any: v.largest_any,
            mixed: z
                .buddy
                .as_ref()
                .filter(|b| b.has_letters)
                .map_or_else(Vec::new, |b| mixed_orders(b, usable, page_kb)),
            legacy_fail: loop_fail.get(i).copied().flatten().map(|f| {
                (
                    f.order,
                    f.free_left * page_kb as i64,
                    f.min_left * page_kb as i64,
                )
            }),
        });
    }
    outs
}

/// The orders of a buddy line whose free blocks mix lists the request may
/// use (`usable`, migrate type bits) and lists it may not: (order, letters).
fn mixed_orders(b: &BuddyLine, usable: u8, page_kb: u64) -> Vec<(u8, String)> {
    let mut mixed = Vec::new();
    for o in &b.orders {
        let Some(ord) = order_of(o, page_kb) else {
            continue;
        };
        let mts = mt_bits(o.letters);
        if o.count > 0 && mts & usable != 0 && mts & !usable != 0 {
            mixed.push((ord as u8, letters_of(o.letters)));
        }
    }
    mixed
}

/// For a report without an order: the verdict at each order, by the rules
/// of the report's kernel.
fn judge_each_order(
    e: &mut HostEvent,
    m: &Machine,
    zones: &[ZoneSnapshot],
    req: Request,
    old: bool,
    a: &mut Analysis,
) {
    for o in 0..m.nr_orders.min(MAX_ORDERS as u8) {
        let req = Request {
            order: Some(o as i32),
            trigger: Trigger::Query,
            ..req
        };
        e.evaluate(&m.p, zones, req);
        if old && o > 0 {
            apply_pre_4_4(e, zones, &m.p, Trigger::Query);
        }
        a.per_order.push((o, e.summary.verdict.name()));
    }
    if old {
        a.notes.push("Kernel before 4.4: each order judged by its own __zone_watermark_ok() (each lower order's free pages subtracted, min halved per order; before commit 97a16fc82a7c).".into());
    }
}
