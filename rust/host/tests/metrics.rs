// SPDX-License-Identifier: GPL-2.0
//! The debugfs `metrics` file (`report::Metrics`, Prometheus text
//! exposition format) and the log lines as logfmt, on events of every kind
//! the engine reports.
//!
//! The texts are also kept in tools/testing/fixtures/ (`metrics.prom`,
//! `stats.txt`, `report-lines.txt`), compared here byte for byte, so that
//! the harness's Python tests parse exactly what this formatter prints with
//! real parsers (prometheus_client, promtool, a logfmt library):
//! `OOMFRAG_BLESS=1 cargo test --test metrics` rewrites them after a
//! deliberate format change.

mod common;
use common::*;
use oomfrag_engine::event::*;
use oomfrag_engine::report::*;
use oomfrag_engine::request::*;
use oomfrag_engine::stats::*;
use oomfrag_engine::task::*;
use oomfrag_engine::verdict::*;
use oomfrag_engine::watermark::watermark_row;
use oomfrag_engine::zone::*;
use std::collections::{BTreeMap, BTreeSet};

/// A zone with exact per-migratetype counts (as `live::Mode::Counted`
/// reads them): `blocks[o]` = (unmovable, movable, cma) blocks of order o.
fn counted(
    node: u16,
    idx: u8,
    kind: ZoneType,
    blocks: &[(u64, u64, u64)],
    m: [u64; 3],
) -> ZoneSnapshot {
    let mut z = ZoneSnapshot::empty(node, idx, kind, 11);
    for (o, &(u, mv, c)) in blocks.iter().enumerate() {
        for (mt, n) in [
            (MigrateType::Unmovable, u),
            (MigrateType::Movable, mv),
            (MigrateType::Cma, c),
        ] {
            z.blocks[o][mt as usize] = n;
            z.nr_free[o] += n;
            if n > 0 {
                z.nonempty[o] |= mt.bit();
            }
        }
    }
    z.blocks_exact = true;
    z.lists_read = true;
    z.free = buddy_free_pages(&z);
    z.free_cma = (0..z.orders())
        .map(|o| z.blocks[o][MigrateType::Cma as usize] << o)
        .sum();
    z.present = 262144;
    z.managed = 250000;
    marks(&mut z, m[0], m[1], m[2]);
    z
}

/// Node 0: DMA with a few blocks, DMA32 mostly CMA, Movable nearly empty;
/// node 1: Normal, fragmented (nothing above order 1).
fn zones() -> Vec<ZoneSnapshot> {
    let mut dma = counted(
        0,
        0,
        ZoneType::Dma,
        &[(1, 0, 0), (0, 0, 0), (1, 0, 0), (0, 0, 0), (1, 0, 0)],
        [84, 104, 124],
    );
    dma.lowmem_reserve = [
        0,
        479 * 1024 / 4,
        479 * 1024 / 4,
        479 * 1024 / 4,
        0,
        0,
        0,
        0,
    ];
    let mut dma32 = counted(
        0,
        1,
        ZoneType::Dma32,
        &[
            (44, 3, 0),
            (46, 0, 0),
            (35, 1, 0),
            (24, 0, 0),
            (10, 0, 0),
            (7, 0, 0),
            (0, 0, 0),
            (0, 0, 0),
            (0, 0, 0),
            (0, 0, 0),
            (0, 0, 64),
        ],
        [3412, 4264, 5116],
    );
    dma32.boost = 12;
    dma32.blocks_capped = true;
    let mv = counted(
        0,
        3,
        ZoneType::Movable,
        &[(0, 2, 0), (0, 3, 0), (0, 1, 0)],
        [240, 584, 928],
    );
    let n1 = counted(
        1,
        2,
        ZoneType::Normal,
        &[(900, 2000, 0), (1000, 1500, 0)],
        [4096, 5120, 6144],
    );
    vec![dma, dma32, mv, n1]
}

fn comm(s: &str) -> [u8; COMM_LEN] {
    let mut c = [0u8; COMM_LEN];
    c[..s.len()].copy_from_slice(s.as_bytes());
    c
}

/// The requests: one of every trigger the OOM path records, and every
/// optional key of the summary line at least once.
fn requests() -> Vec<Request> {
    let named = |r: Request, name: &str, pid: i32| Request {
        comm: comm(name),
        pid,
        ..r
    };
    let mut cpuset = Task::PLAIN;
    cpuset.cpuset = Cpuset {
        enabled: true,
        mems_allowed: NodeMask::single(1),
        hardwall: NodeMask::single(1),
        softwall: NodeMask::ALL,
    };
    let mut flags = Task::PLAIN;
    flags.memalloc = true;
    flags.oom_victim = true;
    flags.rt = true;
    let mut shared_mm = Task::PLAIN;
    shared_mm.will_free_mem = None;
    let mut exiting = Task::PLAIN;
    exiting.will_free_mem = Some(true);
    let mut kswapd = Task::PLAIN;
    kswapd.memalloc = true;
    kswapd.kswapd = true;
    vec![
        named(alloc(0, GFP_HIGHUSER_MOVABLE), "sh", 49),
        named(alloc(3, GFP_KERNEL), "sed", 87),
        named(alloc(0, GFP_KERNEL), "kworker/0:0", 8),
        Request {
            trigger: Trigger::Sysrq,
            zonelist: true,
            ..named(alloc(-1, GFP_KERNEL), "kworker/1:2", 30)
        },
        Request {
            trigger: Trigger::Memcg,
            ..named(alloc(0, GFP_KERNEL), "tail", 115)
        },
        // lru_gen_age_node(): oc = { .gfp_mask = sc->gfp_mask }, order 0,
        // no zonelist, from a PF_MEMALLOC | PF_KSWAPD thread.
        Request {
            trigger: Trigger::Kswapd,
            zonelist: false,
            task: kswapd,
            ..named(alloc(0, GFP_KERNEL), "kswapd0", 40)
        },
        named(Request::unknown(GFP_KERNEL), "x", 7),
        Request {
            task: cpuset,
            ..named(alloc(0, GFP_HIGHUSER_MOVABLE), "hog", 120)
        },
        Request {
            nodes: NodeMask::single(1),
            ..named(alloc(1, GFP_KERNEL), "bind", 121)
        },
        named(alloc(0, GFP_KERNEL & !GFP_FS), "nofs", 122),
        Request {
            freed: 10,
            ..named(alloc(0, GFP_KERNEL), "freed", 123)
        },
        Request {
            task: exiting,
            ..named(alloc(0, GFP_KERNEL), "exiting", 124)
        },
        Request {
            task: shared_mm,
            ..named(alloc(0, GFP_KERNEL), "shared", 125)
        },
        Request {
            task: flags,
            ..named(alloc(2, GFP_KERNEL), "a=b\"c d\te", 126)
        },
    ]
}

/// Every event evaluated on [`zones()`], numbered, with compute times, and
/// the counters the module would keep for them (a query is not counted).
fn events() -> (Vec<Event<Vec<ZoneVerdict>>>, Stats) {
    let zs = zones();
    let mut stats = Stats::default();
    let mut out = Vec::new();
    for (i, req) in requests().into_iter().enumerate() {
        let mut e = event(zs.len());
        let zones: &[ZoneSnapshot] = if req.trigger == Trigger::Memcg {
            &[]
        } else {
            &zs
        };
        e.evaluate(&x86(), zones, req);
        e.summary.seq = i as u64 + 1;
        e.summary.compute_ns = 40_000 + 1_000 * i as u64;
        stats.record(&e.summary);
        out.push(e);
    }
    let mut q = event(zs.len());
    q.evaluate(
        &x86(),
        &zs,
        Request {
            trigger: Trigger::Query,
            ..alloc(1, GFP_KERNEL)
        },
    );
    out.push(q);
    stats.suppressed = 2;
    stats.kprobe = true;
    (out, stats)
}

const MAX_LOCK_NS: u64 = 1_234_567_890;

fn metrics_text() -> (String, Stats, Vec<ZoneSnapshot>) {
    let (_, stats) = events();
    let zs = zones();
    let m = Metrics {
        p: &x86(),
        stats: &stats,
        zones: &zs,
        max_lock_ns: MAX_LOCK_NS,
    };
    (format!("{m}"), stats, zs)
}

/// One sample line: name, labels, value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: String,
}

/// A strict reading of the text exposition format as the formatter must
/// write it (the harness parses it again with prometheus_client and
/// promtool): `# HELP` then `# TYPE` then the family's samples, each
/// family once, every sample after its family's lines.
fn parse(text: &str) -> (BTreeMap<String, (String, String)>, Vec<Sample>) {
    assert!(
        text.ends_with('\n'),
        "the exposition must end with a newline"
    );
    let mut families: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut help: Option<(String, String)> = None;
    let mut samples = Vec::new();
    let name_ok = |n: &str| {
        n.starts_with("oomfrag_")
            && n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, h) = rest.split_once(' ').expect("HELP text");
            assert!(name_ok(name), "{line}");
            assert!(!families.contains_key(name), "family {name} twice");
            assert!(!h.is_empty() && !h.contains('\\'), "{line}");
            help = Some((name.to_string(), h.to_string()));
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE kind");
            let (hname, h) = help.take().expect("HELP before TYPE");
            assert_eq!(hname, name, "HELP and TYPE of one family");
            assert!(kind == "counter" || kind == "gauge", "{line}");
            assert_eq!(
                kind == "counter",
                name.ends_with("_total"),
                "counters and only counters end in _total: {line}"
            );
            families.insert(name.to_string(), (kind.to_string(), h));
            current = Some(name.to_string());
        } else if line.starts_with('#') {
            assert!(
                current.is_none() && line.starts_with("# oomfrag metrics v"),
                "stray comment {line}"
            );
        } else {
            let (series, value) = line.rsplit_once(' ').expect("value");
            let (name, labels) = match series.split_once('{') {
                Some((n, l)) => (n, l.strip_suffix('}').expect("closing brace")),
                None => (series, ""),
            };
            assert_eq!(
                Some(name),
                current.as_deref(),
                "sample outside its family: {line}"
            );
            let mut map = BTreeMap::new();
            for kv in labels.split(',').filter(|s| !s.is_empty()) {
                let (k, v) = kv.split_once('=').expect("label");
                let v = v
                    .strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .expect("quoted");
                assert!(!v.contains(['"', '\\', '\n']), "{line}");
                assert!(
                    map.insert(k.to_string(), v.to_string()).is_none(),
                    "label {k} twice: {line}"
                );
            }
            assert!(value.parse::<f64>().is_ok(), "{line}");
            samples.push(Sample {
                name: name.to_string(),
                labels: map,
                value: value.to_string(),
            });
        }
    }
    assert!(help.is_none(), "HELP without TYPE");
    (families, samples)
}

fn find<'a>(samples: &'a [Sample], name: &str, labels: &[(&str, &str)]) -> Option<&'a Sample> {
    samples.iter().find(|s| {
        s.name == name
            && s.labels.len() == labels.len()
            && labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
    })
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> u64 {
    find(samples, name, labels)
        .unwrap_or_else(|| panic!("no sample {name} {labels:?}"))
        .value
        .parse()
        .unwrap()
}

#[test]
fn exposition_is_well_formed_with_bounded_labels() {
    let (text, _, _) = metrics_text();
    assert!(text.starts_with(&format!("# oomfrag metrics v{FORMAT_VERSION}\n")));
    let (families, samples) = parse(&text);
    let allowed: BTreeSet<&str> = [
        "node",
        "zone",
        "order",
        "migratetype",
        "verdict",
        "trigger",
        "constraint",
        "reason",
        "request",
        "version",
    ]
    .into();
    let mut series = BTreeSet::new();
    for s in &samples {
        for k in s.labels.keys() {
            assert!(allowed.contains(k.as_str()), "label {k} of {}", s.name);
        }
        assert!(
            series.insert(format!("{} {:?}", s.name, s.labels)),
            "series twice: {s:?}"
        );
        assert!(
            !s.name.ends_with("_kb") && !s.name.ends_with("_ns") && !s.name.ends_with("_pages")
        );
    }
    for name in families.keys() {
        assert!(
            samples.iter().any(|s| &s.name == name),
            "family {name} without samples"
        );
    }
    assert_eq!(
        value(
            &samples,
            "oomfrag_format_info",
            &[("version", &FORMAT_VERSION.to_string())]
        ),
        1
    );
}

#[test]
fn counters_equal_the_stats_file() {
    let (text, stats, _) = metrics_text();
    let (_, samples) = parse(&text);
    // The stats file, read back as its own lines say.
    let stats_file: BTreeMap<String, u64> = format!("{stats}")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once(' ').unwrap();
            (k.to_string(), v.parse().unwrap())
        })
        .collect();
    let mut checked = 0;
    let mut sum = 0;
    for v in Verdict::ALL {
        let n = value(
            &samples,
            "oomfrag_oom_events_total",
            &[("verdict", v.name())],
        );
        assert_eq!(n, stats_file[&format!("verdict_{}", v.name())]);
        sum += n;
        checked += 1;
    }
    assert_eq!(sum, stats_file["events"]);
    assert_eq!(sum, requests().len() as u64);
    for t in Trigger::ALL {
        let n = value(
            &samples,
            "oomfrag_oom_events_by_trigger_total",
            &[("trigger", t.name())],
        );
        assert_eq!(n, stats_file[&format!("trigger_{}", t.name())]);
        checked += 1;
    }
    for c in oomfrag_engine::oom::Constraint::ALL {
        let n = value(
            &samples,
            "oomfrag_oom_events_by_constraint_total",
            &[("constraint", c.name())],
        );
        assert_eq!(n, stats_file[&format!("constraint_{}", c.name())]);
        checked += 1;
    }
    for r in oomfrag_engine::oom::NoKill::ALL {
        let n = value(
            &samples,
            "oomfrag_oom_no_kill_total",
            &[("reason", r.name())],
        );
        assert_eq!(n, stats_file[&format!("nokill_{}", r.name())]);
        assert!(n > 0, "every reason is exercised");
        checked += 1;
    }
    assert_eq!(
        value(&samples, "oomfrag_oom_kills_total", &[]),
        stats_file["kill"]
    );
    assert_eq!(
        value(&samples, "oomfrag_oom_kill_unknown_total", &[]),
        stats_file["kill_unknown"]
    );
    assert_eq!(
        value(&samples, "oomfrag_log_suppressed_events_total", &[]),
        stats_file["suppressed_lines"]
    );
    assert_eq!(
        value(&samples, "oomfrag_kprobe_active", &[]),
        stats_file["kprobe"]
    );
    // 12 verdicts, 8 triggers, 4 constraints, 3 no-kill reasons.
    assert_eq!(checked, 12 + 8 + 4 + 3);
    // Seconds, exactly: ns 1234567890 is 1.234567890 s.
    let s = find(&samples, "oomfrag_max_zone_lock_seconds", &[]).unwrap();
    assert_eq!(s.value, "1.234567890");
    let s = find(&samples, "oomfrag_max_compute_seconds", &[]).unwrap();
    assert_eq!(s.value, format!("0.{:09}", stats.max_ns));
    // Several verdicts, triggers and constraints are non-zero.
    assert!(
        stats.by_verdict.iter().filter(|&&n| n > 0).count() >= 3,
        "{stats:?}"
    );
    assert!(
        stats.by_trigger.iter().filter(|&&n| n > 0).count() >= 5,
        "{stats:?}"
    );
    assert!(
        stats.by_constraint.iter().filter(|&&n| n > 0).count() >= 3,
        "{stats:?}"
    );
}

#[test]
fn zone_gauges_are_the_snapshot_and_the_engine_s_checks() {
    let (text, _, zs) = metrics_text();
    let (_, samples) = parse(&text);
    let p = x86();
    let mut ok = [0, 0];
    for z in &zs {
        let node = z.node.to_string();
        let zl = [("node", node.as_str()), ("zone", z.kind.name())];
        assert_eq!(
            value(&samples, "oomfrag_zone_free_bytes", &zl),
            z.free * 4096
        );
        assert_eq!(
            value(&samples, "oomfrag_zone_min_bytes", &zl),
            z.mark(Wmark::Min) * 4096
        );
        assert_eq!(
            value(&samples, "oomfrag_zone_low_bytes", &zl),
            z.mark(Wmark::Low) * 4096
        );
        assert_eq!(
            value(&samples, "oomfrag_zone_high_bytes", &zl),
            z.mark(Wmark::High) * 4096
        );
        assert_eq!(
            value(&samples, "oomfrag_zone_boost_bytes", &zl),
            z.boost * 4096
        );
        assert_eq!(
            value(&samples, "oomfrag_zone_free_cma_bytes", &zl),
            z.free_cma * 4096
        );
        assert_eq!(
            value(&samples, "oomfrag_zone_managed_bytes", &zl),
            z.managed * 4096
        );
        assert_eq!(
            value(&samples, "oomfrag_zone_free_blocks_capped", &zl),
            u64::from(z.blocks_capped)
        );
        for o in 0..z.orders() {
            let os = o.to_string();
            for mt in MigrateType::ALL {
                let l = [
                    zl[0],
                    zl[1],
                    ("order", os.as_str()),
                    ("migratetype", mt.name()),
                ];
                assert_eq!(
                    value(&samples, "oomfrag_zone_free_blocks", &l),
                    z.blocks[o][mt as usize]
                );
            }
        }
        for (label, gfp) in [("nomovable", GFP_KERNEL), ("movable", GFP_HIGHUSER_MOVABLE)] {
            for order in 0..=COSTLY_ORDER {
                let os = order.to_string();
                let l = [zl[0], zl[1], ("order", os.as_str()), ("request", label)];
                let row = watermark_row(&p, z, gfp, order);
                match find(&samples, "oomfrag_zone_watermark_ok", &l) {
                    Some(s) => {
                        assert!(row.eligible, "{l:?}");
                        let pass = row.checks[Wmark::Min as usize].ok;
                        assert_eq!(s.value, if pass { "1" } else { "0" }, "{l:?}");
                        ok[usize::from(pass)] += 1;
                    }
                    None => assert!(!row.eligible, "missing {l:?}"),
                }
            }
        }
    }
    // Passing and failing checks both appear; no nomovable row for
    // ZONE_MOVABLE (GFP_KERNEL may not use it).
    assert!(ok[0] > 0 && ok[1] > 0, "{ok:?}");
    assert!(find(
        &samples,
        "oomfrag_zone_watermark_ok",
        &[
            ("node", "0"),
            ("zone", "Movable"),
            ("order", "0"),
            ("request", "nomovable")
        ]
    )
    .is_none());
    let n = samples
        .iter()
        .filter(|s| s.name == "oomfrag_zone_watermark_ok")
        .count();
    assert_eq!(n, (4 + 3) * 4);
}

#[test]
fn zones_without_exact_counts_have_no_block_samples() {
    let mut z = zone_from_buddy(0, 1, ZoneType::Dma32, "1*4kB (U) 1*8kB (M)");
    marks(&mut z, 100, 200, 300);
    let stats = Stats::default();
    let zs = [z];
    let m = Metrics {
        p: &x86(),
        stats: &stats,
        zones: &zs,
        max_lock_ns: 0,
    };
    let text = format!("{m}");
    let (_, samples) = parse(&text);
    assert!(samples
        .iter()
        .all(|s| !s.name.starts_with("oomfrag_zone_free_blocks")));
    assert_eq!(
        value(
            &samples,
            "oomfrag_zone_free_bytes",
            &[("node", "0"), ("zone", "DMA32")]
        ),
        3 * 4096
    );
}

/// The keys of a log line read as logfmt is read (whitespace-separated
/// `key=value`), in order, with their values.
fn pairs(line: &str) -> Vec<(&str, &str)> {
    line.split(' ')
        .map(|kv| {
            kv.split_once('=')
                .unwrap_or_else(|| panic!("no '=' in {kv:?} of {line}"))
        })
        .collect()
}

#[test]
fn every_line_is_logfmt_without_repeated_keys() {
    let (evs, _) = events();
    let p = x86();
    let mut keys = BTreeSet::new();
    for e in &evs {
        for l in format!("{}", EventText(&p, e)).lines() {
            let kv = pairs(l);
            let set: BTreeSet<_> = kv.iter().map(|(k, _)| *k).collect();
            assert_eq!(set.len(), kv.len(), "a key repeats: {l}");
            for (k, v) in &kv {
                assert!(
                    !v.is_empty() && !v.contains(['=', '"']) && !v.chars().any(|c| c <= ' '),
                    "{k}={v} in {l}"
                );
                keys.insert(k.to_string());
            }
        }
    }
    // Every optional key of the summary line appears in the fixture.
    for k in &[
        "missing",
        "eval_order",
        "eval_gfp",
        "nodemask",
        "mems_allowed",
        "kill",
        "reason",
        "task",
    ] {
        assert!(keys.contains(*k), "no line has {k}");
    }
    // A task name with '=', '"' and blanks stays one value.
    let l = format!("{}", SummaryLine(&p, &evs[evs.len() - 2].summary));
    assert!(l.contains(" comm=a?b?c?d?e "), "{l}");
}

/// Compares `text` with fixture `name`, or writes it with OOMFRAG_BLESS=1.
fn fixture(name: &str, text: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tools/testing/fixtures")
        .join(name);
    if std::env::var_os("OOMFRAG_BLESS").is_some() {
        std::fs::write(&path, text).unwrap();
    }
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        kept == text,
        "{} differs from what the formatter prints; after a deliberate change: OOMFRAG_BLESS=1 cargo test --test metrics",
        path.display()
    );
}

#[test]
fn fixtures_are_what_the_formatter_prints() {
    let (text, stats, _) = metrics_text();
    fixture("metrics.prom", &text);
    fixture("stats.txt", &format!("{stats}max_lock_ns {MAX_LOCK_NS}\n"));
    let (evs, _) = events();
    let lines: String = evs
        .iter()
        .map(|e| format!("{}", EventText(&x86(), e)))
        .collect();
    fixture("report-lines.txt", &lines);
}
