// SPDX-License-Identifier: GPL-2.0

//! gen-vectors: writes the engine test vectors that the host test
//! (rust/host/tests/vectors.rs) and the KUnit suite `oomfrag_vectors`
//! (oomfrag_kunit.ko) both run, as `static` data of the engine's own types:
//!
//! * rust/kunit/vectors.rs: the table (`VECTORS`);
//! * rust/kunit/vectors_suite.rs: the KUnit suite, one case per vector,
//!   named after it.
//!
//! The vectors: every report of the real-report fixtures
//! (tools/testing/fixtures/reports/*.log), read by this analyzer, whose
//! engine inputs (platform, zones, request) are rebuilt here from the
//! parsed report and proven to be the analyzer's own by re-evaluating them
//! to its very summary and zone lines; and the cases of `cases.rs` (the
//! seeds' and the constraint and exception tests' machines).
//!
//! What a vector wants: the verdict worked out by hand (a fixture's
//! `# expect: verdict=`, a case's statement from its host test), and what
//! the hand work states besides; every other field (stage, constraint,
//! kill, missing, counts, each zone's check) is the engine's answer when
//! the table was generated, so that any change of it shows in the table's
//! diff (tools/oomfrag-report/tests/vectors.rs fails until the table is
//! regenerated).
//!
//! Usage: gen-vectors [--out DIR]   (DIR defaults to rust/kunit)

mod cases;

use oomfrag_engine::event::Event;
use oomfrag_engine::oom::{Constraint, Kill};
use oomfrag_engine::platform::Platform;
use oomfrag_engine::report::{SummaryLine, ZoneLine};
use oomfrag_engine::request::{Request, Trigger};
use oomfrag_engine::verdict::{Stage, Unknown, Verdict, ZoneVerdict};
use oomfrag_engine::watermark::Cause;
use oomfrag_engine::zone::{MigrateType, NodeMask, ZoneSnapshot, ZoneType, MAX_ORDERS};
use oomfrag_report::analysis::{new_event, Analysis, HostEvent};
use oomfrag_report::fields::BuddyOrder;
use oomfrag_report::segment::{RawReport, RawZone};
use oomfrag_report::zone_layout::{infer, ZoneLayout};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What the hand work states of a vector (`None`: the engine's answer).
#[derive(Clone, Debug, Default)]
pub struct Hand {
    /// The summary verdict.
    pub verdict: Option<Verdict>,
    /// The check it is read from.
    pub stage: Option<Stage>,
    /// `constrained_alloc()`'s class.
    pub constraint: Option<Constraint>,
    /// Whether `out_of_memory()` kills.
    pub kill: Option<Kill>,
    /// What the data lacks.
    pub missing: Option<Vec<Unknown>>,
    /// Each zone's cause at the stage.
    pub causes: Option<Vec<Cause>>,
    /// Why the verdict is not the hand-worked one (then the engine's).
    pub note: Option<String>,
}

/// One vector before it is written.
#[derive(Clone, Debug)]
pub struct Input {
    /// Its name (an identifier once `-` and `.` are `_`).
    pub name: String,
    /// Where it comes from.
    pub from: String,
    /// The machine.
    pub platform: Platform,
    /// Its zones.
    pub zones: Vec<ZoneSnapshot>,
    /// The request.
    pub request: Request,
    /// What the hand work states.
    pub hand: Hand,
}

/// Where the fixtures and the output are, from this crate.
fn top() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const REPORTS: &str = "tools/testing/fixtures/reports";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = match args.as_slice() {
        [] => top().join("rust/kunit"),
        [o, dir] if o == "--out" => PathBuf::from(dir),
        _ => {
            eprintln!("usage: gen-vectors [--out DIR]");
            std::process::exit(2);
        }
    };
    let mut inputs = Vec::new();
    for (file, text) in read_fixtures() {
        inputs.extend(fixture_vectors(&file, &text));
    }
    let seed003 = inputs
        .iter()
        .find(|i| i.name == "arm-2.6-no-order-seed003")
        .expect("seed 003's fixture")
        .clone();
    inputs.extend(cases::seed003_orders(&seed003));
    inputs.extend(cases::cases());
    let (table, suite) = render(&inputs);
    for (name, text) in [("vectors.rs", table), ("vectors_suite.rs", suite)] {
        let path = out.join(name);
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("gen-vectors: {}: {e}", path.display());
            std::process::exit(1);
        }
    }
}

/// The fixtures, sorted by name: (path from the top, text).
fn read_fixtures() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = std::fs::read_dir(top().join(REPORTS))
        .expect("the report fixtures")
        .map(|e| e.expect("a fixture").path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("a fixture's text");
            (format!("{REPORTS}/{name}"), text)
        })
        .collect();
    v.sort();
    v
}

/// The vectors of one fixture file: one per report, as
/// tools/oomfrag-report/tests/reports.rs reads it (comment lines dropped,
/// one `# expect: verdict=` per report, in order).
fn fixture_vectors(file: &str, text: &str) -> Vec<Input> {
    let expect: Vec<Verdict> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# expect: verdict="))
        .map(|w| verdict_named(w.trim()))
        .collect();
    // Line numbers of the body: the comment lines are dropped, so line n of
    // the body is the n-th line of the file that is not a comment.
    let body_lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#'))
        .map(|(i, _)| i + 1)
        .collect();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let stem = Path::new(file)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let mut out = Vec::new();
    let mut seq = 0;
    let mut ev = new_event();
    oomfrag_report::run_input_with(file, body.as_bytes(), &mut seq, &mut ev, |a, r, e| {
        out.push(report_vector(file, &body_lines, a, r, e));
        Ok(())
    })
    .expect("reading a fixture");
    assert_eq!(
        out.len(),
        expect.len(),
        "{file}: {} reports, {} expect lines",
        out.len(),
        expect.len()
    );
    let many = out.len() > 1;
    for (i, ((v, own_rules, engine), want)) in out.iter_mut().zip(expect).enumerate() {
        v.name = if many {
            format!("{stem}-{}", i + 1)
        } else {
            stem.clone()
        };
        if *own_rules && *engine != want {
            v.hand.note = Some(format!(
                "The analyzer judges this report by rules of its own besides the engine's \
                 (a kernel before 4.4: src/legacy.rs; a report without its first line) \
                 to the hand-worked verdict {} (tests/reports.rs); the engine, whose \
                 answer this is, has the 7.3 rules only.",
                want.name()
            ));
        } else {
            v.hand.verdict = Some(want);
        }
    }
    out.into_iter().map(|(v, _, _)| v).collect()
}

fn verdict_named(w: &str) -> Verdict {
    *Verdict::ALL
        .iter()
        .find(|v| v.name() == w)
        .unwrap_or_else(|| panic!("unknown verdict {w:?}"))
}

/// The engine inputs of one analysed report, checked against the
/// analyzer's own lines; whether the analyzer applied rules of its own,
/// and the engine's verdict.
fn report_vector(
    file: &str,
    body_lines: &[usize],
    a: &Analysis,
    r: &RawReport,
    e: &HostEvent,
) -> (Input, bool, Verdict) {
    let lay = zone_layout(r);
    let page_kb = page_kb(r);
    let nr_orders = nr_orders(r, page_kb);
    let platform = Platform {
        zone_idx: lay.idx,
        cma: cma_configured(r),
        mobility_disabled: false,
        page_shift: (page_kb.trailing_zeros() + 10) as u8,
        numa: true,
    };
    let zones: Vec<ZoneSnapshot> = r
        .zones
        .iter()
        .filter(|z| {
            let l = &z.line;
            !(l.managed == Some(0) || (l.managed.is_none() && l.present == Some(0)))
        })
        .filter_map(|z| snapshot(z, &lay, page_kb, nr_orders))
        .collect();
    // The request the analyzer judged; for a report without an order it
    // went on to judge each order (as queries): its own trigger and order
    // are those its summary line printed.
    let mut request = e.summary.req;
    if a.order.is_none() {
        request.order = None;
        request.trigger = trigger_named(word(&a.lines[0], "trigger=").expect("trigger="));
        if r.start.gfp_hex.is_none() {
            request.gfp = None;
        }
    }
    let line = r.line as usize;
    let from = format!("{file}:{}", body_lines.get(line - 1).copied().unwrap_or(0));
    let input = Input {
        name: String::new(),
        from,
        platform,
        zones,
        request,
        hand: Hand::default(),
    };
    let (own_rules, verdict) = same_as_analyzer(&input, a, e.summary.seq);
    (input, own_rules, verdict)
}

/// Proves that the rebuilt inputs are the analyzer's: the engine prints
/// the same summary line (the analyzer appends keys of its own) and the
/// same zone lines.  Where the analyzer applies rules of its own after the
/// engine's (a kernel before 4.4, whose `__zone_watermark_ok()` differed:
/// legacy.rs; a report without its first line), the lines agree but for
/// the judgement's keys.  Returns whether that was so, and the engine's
/// verdict.
fn same_as_analyzer(i: &Input, a: &Analysis, seq: u64) -> (bool, Verdict) {
    let mut e = Event::new(vec![ZoneVerdict::EMPTY; i.zones.len()]);
    e.evaluate(&i.platform, &i.zones, i.request);
    e.summary.seq = seq;
    let p = &i.platform;
    let mut ours = vec![format!("oomfrag: {}", SummaryLine(p, &e.summary))];
    if e.summary.req.trigger != Trigger::Memcg {
        ours.extend(
            e.zones()
                .iter()
                .map(|v| format!("oomfrag: {}", ZoneLine(p, &e.summary, v))),
        );
    }
    let theirs = &a.lines;
    let exact = theirs[0].starts_with(&format!("{} ", ours[0])) && ours[1..] == theirs[1..];
    if !exact {
        assert_eq!(ours.len(), theirs.len(), "{}: lines", i.from);
        for (o, t) in ours.iter().zip(theirs) {
            let t: Vec<(&str, &str)> = pairs(t).collect();
            for (k, v) in pairs(o).filter(|(k, _)| !JUDGED.contains(k)) {
                assert!(
                    t.contains(&(k, v)),
                    "{}: {k}={v}:\n  rebuilt:  {o}\n  analyzer: {}",
                    i.from,
                    t.iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
        }
    }
    (!exact, e.summary.verdict)
}

/// The keys of the lines that say a judgement, not its inputs.
const JUDGED: [&str; 11] = [
    "verdict", "missing", "kill", "reason", "decided", "drift", "ok", "ok_low", "ok_high",
    "ok_last", "cause",
];

fn pairs(line: &str) -> impl Iterator<Item = (&str, &str)> {
    line.split(' ').filter_map(|w| w.split_once('='))
}

fn word<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split(' ').find_map(|w| w.strip_prefix(key))
}

fn trigger_named(w: &str) -> Trigger {
    *Trigger::ALL
        .iter()
        .find(|t| t.name() == w)
        .unwrap_or_else(|| panic!("unknown trigger {w:?}"))
}

// The engine inputs of a report, as src/analysis.rs builds them (its
// `read_machine`, `build_zones` and `snapshot`, which are private there);
// `same_as_analyzer` fails if the two ever differ.

const KINDS: [ZoneType; 6] = [
    ZoneType::Dma,
    ZoneType::Dma32,
    ZoneType::Normal,
    ZoneType::Highmem,
    ZoneType::Movable,
    ZoneType::Device,
];

/// Migrate types of the letters `UMEHCIR` (`R`, the pre-4.4 reserve, is a
/// fallback any request could use: unmovable).
const MT_OF_LETTER: [MigrateType; 7] = [
    MigrateType::Unmovable,
    MigrateType::Movable,
    MigrateType::Reclaimable,
    MigrateType::HighAtomic,
    MigrateType::Cma,
    MigrateType::Isolate,
    MigrateType::Unmovable,
];

fn zone_layout(r: &RawReport) -> ZoneLayout {
    let kinds: Vec<(usize, Option<&[u64]>)> = r
        .zones
        .iter()
        .map(|z| (z.line.kind, z.reserve.as_deref()))
        .collect();
    infer(&kinds)
}

fn page_kb(r: &RawReport) -> u64 {
    r.zones
        .iter()
        .filter_map(|z| z.buddy.as_ref()?.orders.first().map(|o| o.block_kb))
        .find(|&k| k.is_power_of_two())
        .unwrap_or(4)
}

/// The order a buddy entry's block size prints, any order.
fn order_index(o: &BuddyOrder, page_kb: u64) -> Option<usize> {
    if page_kb == 0 || !o.block_kb.is_multiple_of(page_kb) {
        return None;
    }
    let n = o.block_kb / page_kb;
    n.is_power_of_two().then(|| n.trailing_zeros() as usize)
}

/// The same, if the engine holds that order.
fn order_of(o: &BuddyOrder, page_kb: u64) -> Option<usize> {
    order_index(o, page_kb).filter(|&n| n < MAX_ORDERS)
}

fn nr_orders(r: &RawReport, page_kb: u64) -> u8 {
    r.zones
        .iter()
        .filter_map(|z| z.buddy.as_ref())
        .filter_map(|b| b.orders.last().and_then(|o| order_of(o, page_kb)))
        .max()
        .map_or(11, |o| o as u8 + 1)
}

fn cma_configured(r: &RawReport) -> bool {
    r.zones.iter().any(|z| {
        z.line.free_cma.is_some()
            || z.buddy
                .as_ref()
                .is_some_and(|b| b.orders.iter().any(|o| o.letters & (1 << 4) != 0))
    })
}

fn mt_bits(letters: u8) -> u8 {
    MT_OF_LETTER
        .iter()
        .enumerate()
        .filter(|(i, _)| letters & (1 << i) != 0)
        .fold(0, |m, (_, mt)| m | mt.bit())
}

fn snapshot(z: &RawZone, lay: &ZoneLayout, page_kb: u64, nr_orders: u8) -> Option<ZoneSnapshot> {
    let l = &z.line;
    let idx = lay.idx[l.kind]?;
    let mut s = ZoneSnapshot::empty(l.node.unwrap_or(0), idx, KINDS[l.kind], nr_orders);
    let p = |kb: u64| kb / page_kb.max(1);
    s.free = p(l.free);
    let boost = l.boost.unwrap_or(0);
    s.boost = p(boost);
    for (w, m) in s.wmark.iter_mut().zip(l.wmark) {
        *w = p(m.unwrap_or(0).saturating_sub(boost));
    }
    s.free_cma = p(l.free_cma.unwrap_or(0));
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
            // A block above the engine's top order counts as 2^(o - top)
            // blocks of it, as the analyzer takes it.
            let order = printed.min(MAX_ORDERS - 1);
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

// Writing the table.

/// The identifier of a vector's name.
fn ident(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// (vectors.rs, vectors_suite.rs).
fn render(inputs: &[Input]) -> (String, String) {
    let mut names = std::collections::BTreeSet::new();
    for i in inputs {
        assert!(
            i.name.starts_with(|c: char| c.is_ascii_alphabetic()),
            "{}: a KUnit case's name is an identifier",
            i.name
        );
        assert!(names.insert(ident(&i.name)), "two vectors named {}", i.name);
    }
    let mut t = String::new();
    t.push_str(HEADER);
    let _ = writeln!(t, "\n/// The vectors: {} of them.", inputs.len());
    t.push_str("#[rustfmt::skip]\n");
    let _ = writeln!(
        t,
        "pub(crate) static VECTORS: [Vector; {}] = [",
        inputs.len()
    );
    for i in inputs {
        vector(&mut t, i);
    }
    t.push_str("];\n");

    let mut s = String::new();
    s.push_str(SUITE_HEADER);
    s.push_str(
        "#[rustfmt::skip]\n#[kernel::macros::kunit_tests(oomfrag_vectors)]\nmod vectors_tests {\n",
    );
    s.push_str("    use crate::vectors_run::run;\n");
    for (n, i) in inputs.iter().enumerate() {
        let _ = writeln!(s, "\n    /// {}", i.from);
        let _ = writeln!(
            s,
            "    #[test]\n    fn {}() -> Result {{\n        run({n})\n    }}",
            ident(&i.name)
        );
    }
    s.push_str("\n    use kernel::prelude::*;\n}\n");
    (t, s)
}

const HEADER: &str = "\
// SPDX-License-Identifier: GPL-2.0

//! GENERATED by tools/oomfrag-report/src/bin/gen-vectors (`cargo run --bin
//! gen-vectors` there); do not edit.  tools/oomfrag-report/tests/vectors.rs
//! fails when this file is not what the generator writes now.
//!
//! The engine test vectors of rust/kunit/vector.rs, run by the host
//! (rust/host/tests/vectors.rs) and by the KUnit suite `oomfrag_vectors`
//! (rust/kunit/vectors_suite.rs): every report of the real-report fixtures
//! (tools/testing/fixtures/reports) and the cases of the generator's
//! cases.rs.  The verdict is the one worked out by hand; the other
//! expectations are the hand work's where it states them, else the
//! engine's answer when this file was generated.

use crate::engine::oom::{Constraint, Kill, NoKill};
use crate::engine::platform::Platform;
use crate::engine::request::{Request, Trigger};
use crate::engine::task::Task;
use crate::engine::verdict::{Stage, Unknown, Verdict};
use crate::engine::watermark::Cause;
use crate::engine::zone::{NodeMask, ZoneSnapshot, ZoneType};
use crate::vector::{Nodes, Vector, Walls, Want, WantZone};
";

const SUITE_HEADER: &str = "\
// SPDX-License-Identifier: GPL-2.0

//! GENERATED by tools/oomfrag-report/src/bin/gen-vectors; do not edit.
//!
//! KUnit suite `oomfrag_vectors`: one case per engine test vector of
//! rust/kunit/vectors.rs, named after it (its fixture or case), each
//! judged by the engine of this module (see rust/kunit/vectors_run.rs).

";

fn opt<T: std::fmt::Display>(o: Option<T>) -> String {
    o.map_or("None".into(), |v| format!("Some({v})"))
}

fn nodes(m: &NodeMask) -> String {
    if m.is_all() {
        return "Nodes::All".into();
    }
    let w = m.words();
    let n = w.iter().rposition(|&x| x != 0).map_or(0, |i| i + 1);
    let words: Vec<String> = w[..n].iter().map(|x| format!("{x:#x}")).collect();
    format!("Nodes::Words(&[{}])", words.join(", "))
}

fn kill(k: Kill) -> String {
    match k {
        Kill::Yes => "Kill::Yes".into(),
        Kill::Unknown => "Kill::Unknown".into(),
        Kill::No(r) => format!("Kill::No(NoKill::{r:?})"),
    }
}

/// `s` in lines of at most about `width` characters.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for w in s.split_whitespace() {
        let cur = lines.last_mut().unwrap();
        if !cur.is_empty() && cur.len() + w.len() + 1 > width {
            lines.push(w.to_string());
        } else {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(w);
        }
    }
    lines
}

fn str_lit(s: &str) -> String {
    format!("{s:?}")
}

fn vector(t: &mut String, i: &Input) {
    // The engine's answer.
    let mut e = Event::new(vec![ZoneVerdict::EMPTY; i.zones.len()]);
    e.evaluate(&i.platform, &i.zones, i.request);
    let s = &e.summary;
    let h = &i.hand;
    assert!(
        h.verdict.is_some() != h.note.is_some(),
        "{}: every vector's verdict is worked out by hand, or a note says why not",
        i.name
    );
    let stage = h.stage.unwrap_or(s.stage);
    let p = &i.platform;
    let _ = writeln!(t, "    // {}", i.from);
    for l in h.note.iter().flat_map(|n| wrap(n, 72)) {
        let _ = writeln!(t, "    // {l}");
    }
    t.push_str("    Vector {\n");
    let _ = writeln!(t, "        name: {},", str_lit(&i.name));
    let _ = writeln!(t, "        from: {},", str_lit(&i.from));
    let zi: Vec<String> = p.zone_idx.iter().map(|z| opt(*z)).collect();
    let _ = writeln!(
        t,
        "        platform: Platform {{ zone_idx: [{}], cma: {}, mobility_disabled: {}, page_shift: {}, numa: {} }},",
        zi.join(", "),
        p.cma,
        p.mobility_disabled,
        p.page_shift,
        p.numa
    );
    if i.zones.is_empty() {
        t.push_str("        zones: &[],\n");
    } else {
        t.push_str("        zones: &[\n");
        for z in &i.zones {
            zone(t, z);
        }
        t.push_str("        ],\n");
    }
    request(t, &i.request);
    let _ = writeln!(t, "        nodes: {},", nodes(&i.request.nodes));
    let c = &i.request.task.cpuset;
    let _ = writeln!(
        t,
        "        cpuset: Walls {{ enabled: {}, mems_allowed: {}, hardwall: {}, softwall: {} }},",
        c.enabled,
        nodes(&c.mems_allowed),
        nodes(&c.hardwall),
        nodes(&c.softwall)
    );
    t.push_str("        want: Want {\n");
    let _ = writeln!(
        t,
        "            verdict: Verdict::{:?},",
        h.verdict.unwrap_or(s.verdict)
    );
    let _ = writeln!(t, "            stage: Stage::{stage:?},");
    let _ = writeln!(
        t,
        "            constraint: Constraint::{:?},",
        h.constraint.unwrap_or(s.constraint)
    );
    let _ = writeln!(t, "            kill: {},", kill(h.kill.unwrap_or(s.kill)));
    let missing: Vec<String> = match &h.missing {
        Some(m) => m.iter().map(|u| format!("Unknown::{u:?}")).collect(),
        None => s
            .missing
            .iter()
            .map(|u| format!("Unknown::{u:?}"))
            .collect(),
    };
    let _ = writeln!(t, "            missing: &[{}],", missing.join(", "));
    let _ = writeln!(t, "            eval_order: {},", s.eval_order);
    let _ = writeln!(t, "            eval_gfp: {:#x},", s.eval_gfp);
    let _ = writeln!(t, "            eligible: {},", s.eligible);
    let _ = writeln!(t, "            free_ineligible: {},", s.free_ineligible);
    let _ = writeln!(t, "            cpuset_limited: {},", s.cpuset_limited);
    if let Some(c) = &h.causes {
        assert_eq!(c.len(), e.kept, "{}: a cause per zone", i.name);
    }
    if e.kept == 0 {
        t.push_str("            zones: &[],\n");
    } else {
        t.push_str("            zones: &[\n");
        for (n, v) in e.zones().iter().enumerate() {
            let c = v.at(stage);
            let cause = h.causes.as_ref().map_or(c.cause, |h| h[n]);
            let _ = writeln!(
                t,
                "                WantZone {{ eligible: {}, ok: {}, cause: Cause::{cause:?}, largest_usable: {} }},",
                v.eligible_at(stage),
                c.ok,
                opt(v.largest_usable)
            );
        }
        t.push_str("            ],\n");
    }
    t.push_str("        },\n    },\n");
}

/// A zone, as a literal over `ZoneSnapshot::EMPTY` (the fields that
/// differ from it).
fn zone(t: &mut String, z: &ZoneSnapshot) {
    let e = ZoneSnapshot::EMPTY;
    t.push_str("            ZoneSnapshot {\n");
    let _ = writeln!(
        t,
        "                node: {}, zone_idx: {}, kind: ZoneType::{:?}, nr_orders: {},",
        z.node, z.zone_idx, z.kind, z.nr_orders
    );
    let mut f = |name: &str, v: String, default: String| {
        if v != default {
            let _ = writeln!(t, "                {name}: {v},");
        }
    };
    let n = |x: u64| x.to_string();
    f("present", n(z.present), n(e.present));
    f("managed", n(z.managed), n(e.managed));
    f("free", n(z.free), n(e.free));
    f("free_cma", n(z.free_cma), n(e.free_cma));
    f("unaccepted", n(z.unaccepted), n(e.unaccepted));
    f(
        "free_highatomic",
        n(z.free_highatomic),
        n(e.free_highatomic),
    );
    f(
        "reserved_highatomic",
        n(z.reserved_highatomic),
        n(e.reserved_highatomic),
    );
    f("wmark", format!("{:?}", z.wmark), format!("{:?}", e.wmark));
    f("boost", n(z.boost), n(e.boost));
    f(
        "lowmem_reserve",
        format!("{:?}", z.lowmem_reserve),
        format!("{:?}", e.lowmem_reserve),
    );
    f(
        "nr_free",
        format!("{:?}", z.nr_free),
        format!("{:?}", e.nr_free),
    );
    f(
        "nonempty",
        format!("{:?}", z.nonempty),
        format!("{:?}", e.nonempty),
    );
    f(
        "blocks",
        format!("{:?}", z.blocks),
        format!("{:?}", e.blocks),
    );
    f(
        "blocks_exact",
        z.blocks_exact.to_string(),
        e.blocks_exact.to_string(),
    );
    f(
        "blocks_capped",
        z.blocks_capped.to_string(),
        e.blocks_capped.to_string(),
    );
    f(
        "lists_read",
        z.lists_read.to_string(),
        e.lists_read.to_string(),
    );
    t.push_str("                ..ZoneSnapshot::EMPTY\n            },\n");
}

fn request(t: &mut String, r: &Request) {
    let task = &r.task;
    let comm_len = r.comm.iter().position(|&b| b == 0).unwrap_or(r.comm.len());
    let comm: Vec<String> = r.comm.iter().map(|b| b.to_string()).collect();
    t.push_str("        request: Request {\n");
    let _ = writeln!(t, "            trigger: Trigger::{:?},", r.trigger);
    let _ = writeln!(t, "            order: {},", opt(r.order));
    let _ = writeln!(
        t,
        "            gfp: {},",
        opt(r.gfp.map(|g| format!("{g:#x}")))
    );
    let _ = writeln!(t, "            fallback_gfp: {:#x},", r.fallback_gfp);
    t.push_str("            nodes: NodeMask::ALL,\n");
    let _ = writeln!(t, "            zonelist: {},", r.zonelist);
    let _ = writeln!(t, "            preferred_node: {},", opt(r.preferred_node));
    let _ = writeln!(
        t,
        "            task: Task {{ rt: {}, memalloc: {}, oom_victim: {}, kswapd: {}, will_free_mem: {}, ..Task::PLAIN }},",
        task.rt,
        task.memalloc,
        task.oom_victim,
        task.kswapd,
        opt(task.will_free_mem)
    );
    let _ = writeln!(t, "            freed: {},", r.freed);
    let _ = writeln!(
        t,
        "            // {}",
        str_lit(&String::from_utf8_lossy(&r.comm[..comm_len]))
    );
    let _ = writeln!(t, "            comm: [{}],", comm.join(", "));
    let _ = writeln!(t, "            pid: {},", r.pid);
    t.push_str("        },\n");
}
