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
//! engine inputs (platform, zones, request) come from the analyzer's own
//! code (`analysis::engine_inputs`) and are checked once more by
//! re-evaluating them to its very summary and zone lines; and the cases of
//! `cases.rs` (the
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
use oomfrag_engine::zone::{NodeMask, ZoneSnapshot};
use oomfrag_report::analysis::{engine_inputs, new_event, Analysis, EngineInputs, HostEvent};
use oomfrag_report::segment::RawReport;
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
                 (a kernel before 4.4: src/legacy.rs) \
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
    // The inputs the analyzer gave the engine for the lines it printed
    // (for a report without an order it went on to judge each order, as
    // queries, after them).
    let EngineInputs {
        platform,
        zones,
        request,
    } = engine_inputs(r);
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
/// legacy.rs), the lines agree but for the judgement's keys.  Returns whether that was so, and the engine's
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

use crate::engine::oom::{Constraint, Kill, NoKill, Undecided};
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
        Kill::Unknown(r) => format!("Kill::Unknown(Undecided::{r:?})"),
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
    let _ = writeln!(t, "            shown: {},", r.shown);
    t.push_str("        },\n");
}
