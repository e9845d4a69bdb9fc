// SPDX-License-Identifier: GPL-2.0
//! The analyzer's binary on real reports: each fixture in
//! tools/testing/fixtures/reports/ carries its source, the verdict worked
//! out by hand (`# expect: verdict=...`, one per report, in order) and the
//! arithmetic; the guest console logs of tools/testing/fixtures/ must get
//! the module's own verdict (or `none` where the kernel's later report shows
//! memory already back).  Also: the same report under every log prefix, and
//! truncated or broken input (a message, never a panic).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A way of prefixing line `i`.
type Style = dyn Fn(usize, &str) -> String;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testing/fixtures")
}

/// Runs the analyzer on `input` (stdin) with `args`; (status ok, stdout).
fn run(input: &str, args: &[&str]) -> (bool, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_oomfrag-report"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = c.stdin.take().unwrap();
    let data = input.to_string();
    let w = std::thread::spawn(move || {
        let _ = stdin.write_all(data.as_bytes());
    });
    let out = c.wait_with_output().unwrap();
    w.join().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "panic: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn verdicts(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.starts_with("oomfrag: event=oom "))
        .filter_map(|l| l.split(' ').find_map(|w| w.strip_prefix("verdict=")))
        .map(str::to_string)
        .collect()
}

fn body(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn report_fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(fixtures().join("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "log"))
        .collect();
    v.sort();
    assert!(v.len() >= 8, "fixtures missing: {v:?}");
    v
}

#[test]
fn real_reports_get_the_hand_worked_verdict() {
    for f in report_fixtures() {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(text.contains("# source:"), "{f:?} cites no source");
        assert!(text.contains("# arithmetic"), "{f:?} has no arithmetic");
        let want: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: verdict="))
            .map(|v| v.trim().to_string())
            .collect();
        let (ok, out) = run(&body(&text), &[]);
        assert!(ok, "{f:?}");
        assert_eq!(verdicts(&out), want, "{f:?}:\n{out}");
    }
}

#[test]
fn guest_consoles_agree_with_the_module() {
    for name in [
        "oom-cma.log",
        "oom-cma-drift.log",
        "oom-memcg-sysrq.log",
        "oom-movable-cma.log",
        "oom-split.log",
    ] {
        let text = std::fs::read_to_string(fixtures().join(name)).unwrap();
        let module: Vec<String> = verdicts(
            &text
                .lines()
                .filter_map(|l| {
                    l.find("oomfrag: event=oom ")
                        .map(|i| format!("{}\n", &l[i..]))
                })
                .collect::<String>(),
        );
        let (ok, out) = run(&text, &[]);
        assert!(ok);
        let ours = verdicts(&out);
        assert!(!ours.is_empty(), "{name}");
        for v in ours {
            assert!(
                v == "none" || module.contains(&v),
                "{name}: analyzer {v}, module {module:?}"
            );
        }
    }
}

/// The docs' cma report under each log prefix, and wrapped by a mail
/// client at 60 columns: always `cma`.
#[test]
fn every_log_prefix_and_wrapping() {
    let text =
        body(&std::fs::read_to_string(fixtures().join("reports/x86_64-7.3-cma-docs.log")).unwrap());
    let styles: [&Style; 7] = [
        &|i, l| format!("[{:5}.{:06}] {l}", 100 + i, i),
        &|i, l| format!("[Mon Mar  3 12:00:{:02} 2025] {l}", i % 60),
        &|i, l| format!("Mar  3 12:00:{:02} host kernel: {l}", i % 60),
        &|i, l| {
            format!(
                "2025-03-03T12:00:{:02}.000000+00:00 host kernel: [ {i}.5] {l}",
                i % 60
            )
        },
        &|i, l| format!("<4>[ {i}.25] {l}"),
        &|i, l| format!("> [{i}.000001][    T1] {l}"),
        &|_, l| l.to_string(),
    ];
    for (n, style) in styles.iter().enumerate() {
        let input: String = text
            .lines()
            .enumerate()
            .map(|(i, l)| style(i, l) + "\n")
            .collect();
        let (ok, out) = run(&input, &[]);
        assert!(ok);
        assert_eq!(verdicts(&out), ["cma"], "style {n}:\n{input}");
    }
    // A mail client's wrapping: lines broken at spaces before column 60,
    // the continuation without the log prefix.
    let mut wrapped = String::new();
    for l in text.lines() {
        let mut cur = String::new();
        for w in l.split(' ') {
            if !cur.is_empty() && cur.len() + w.len() + 1 > 60 {
                wrapped.push_str(&cur);
                wrapped.push('\n');
                cur.clear();
            } else if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(w);
        }
        wrapped.push_str(&cur);
        wrapped.push('\n');
    }
    let prefixed: String = wrapped
        .lines()
        .map(|l| {
            if l.contains("free:")
                || l.contains("oom-killer")
                || l.starts_with("Node")
                || l.starts_with("lowmem")
            {
                format!("[ 1.5] {l}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    assert_eq!(verdicts(&run(&prefixed, &[]).1), ["cma"], "{prefixed}");
}

/// Every truncation of a real report: a verdict line (possibly `unknown`)
/// and no panic; a broken report between two good ones leaves them intact.
#[test]
fn truncated_and_broken_reports() {
    let text = body(
        &std::fs::read_to_string(fixtures().join("reports/arm-3.14-cma-seed002.log")).unwrap(),
    );
    let lines: Vec<&str> = text.lines().collect();
    for n in 1..lines.len() {
        let (ok, out) = run(&(lines[..n].join("\n") + "\n"), &[]);
        assert!(ok, "truncated at {n}");
        assert_eq!(verdicts(&out).len(), 1, "truncated at {n}: {out}");
    }
    let broken = "x invoked oom-killer: gfp_mask=0xzz, order=banana\nNode 0 DMA free:kB min:\nNode 0 DMA: 1*4kB (Q) = \n";
    let input = format!("{text}{broken}{text}");
    let (ok, out) = run(&input, &[]);
    assert!(ok);
    assert_eq!(verdicts(&out), ["cma", "unknown", "cma"], "{out}");
}

#[test]
fn json_and_explain() {
    let text = body(
        &std::fs::read_to_string(fixtures().join("reports/arm-3.14-cma-seed002.log")).unwrap(),
    );
    let (_, out) = run(&text, &["--explain"]);
    assert!(
        out.contains("free 233460 kB - free_cma 231116 kB = 2344 kB <= min 2488 kB"),
        "{out}"
    );
    let (_, out) = run(&text, &["--json"]);
    let line = out.lines().next().unwrap();
    assert!(
        line.starts_with("{\"verdict\":\"cma\",\"summary\":{\"event\":\"oom\""),
        "{line}"
    );
    assert!(line.ends_with("]}"), "{line}");
    let (ok, out) = run("", &["--help"]);
    assert!(ok && out.contains("usage: oomfrag-report"));
}

/// Where a report prints the kernel's `oom-kill:constraint=`, the engine's
/// own `constraint=` agrees, unless the fixture's header explains why not
/// (`# constraint: report says ...`), and then `--explain` says it too.
#[test]
fn engine_constraint_agrees_with_the_kernel() {
    let mut checked = 0;
    for f in report_fixtures() {
        let text = std::fs::read_to_string(&f).unwrap();
        if !text.contains("constraint=CONSTRAINT_") {
            continue;
        }
        let (_, out) = run(&body(&text), &["--explain"]);
        let first = out
            .lines()
            .find(|l| l.starts_with("oomfrag: event=oom "))
            .unwrap();
        let key = |k: &str| {
            first
                .split(' ')
                .find_map(|w| w.strip_prefix(k))
                .map(str::to_string)
        };
        let (engine, kernel) = (key("constraint="), key("report_constraint="));
        assert!(kernel.is_some(), "{f:?}: {first}");
        if text.contains("# constraint: report says") {
            assert_ne!(engine, kernel, "{f:?}");
            assert!(out.contains("The kernel said CONSTRAINT_"), "{f:?}: {out}");
        } else {
            assert_eq!(engine, kernel, "{f:?}: {first}");
        }
        // logfmt: no key twice on a line.
        for l in out.lines().filter(|l| l.starts_with("oomfrag: ")) {
            let mut keys: Vec<&str> = l
                .split(' ')
                .filter_map(|w| w.split_once('=').map(|(k, _)| k))
                .collect();
            let n = keys.len();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(keys.len(), n, "{f:?}: duplicate key in {l}");
        }
        checked += 1;
    }
    assert!(checked >= 4, "{checked}");
}

/// Quoted-printable mail text, a first line wrapped before its order, and a
/// release wrapped onto the next line are read as the kernel printed them.
#[test]
fn mail_encodings_and_wrapped_first_lines() {
    let (_, out) = run(
        "   [1.0] Xorg invoked oom-killer: gfp_mask=3D0x24200d4(GFP_USER|GF=\n\
         P_DMA32|__GFP_RECLAIMABLE), nodemask=3D0, order=3D0, oom_score_adj=3D0\n\
         [1.1] CPU: 1 PID: 2746 Comm: Xorg Tainted: G     U     O    4.9=\n\
         =2E0 #1\n",
        &[],
    );
    assert!(
        out.contains(" order=0 ") && out.contains("kernel=4.9.0"),
        "{out}"
    );
    let (_, out) = run(
        "Aug  8 09:56:22 h kernel: events/0: page allocation failure.\norder:0, mode:0x20\n",
        &[],
    );
    assert!(out.contains(" order=0 gfp=0x20("), "{out}");
    let (_, out) = run(
        "> Mar 26 12:32:37 pi kernel: [1.0] python3 invoked oom-killer: gfp_mask=0x15080c0(GFP_KE\n\
         > RNEL_ACCOUNT|__GFP_ZERO), nodemask=(null),  order=1, oom_score_adj=0\n\
         > Mar 26 12:32:37 pi kernel: [1.1] CPU: 3 PID: 530 Comm: python3 Tainted: G         C O\n\
         >    4.14.79-v7+ #1159\n",
        &[],
    );
    assert!(
        out.contains(" order=1 ") && out.contains("kernel=4.14.79-v7+") && out.contains("pid=530"),
        "{out}"
    );
}

fn fixture(name: &str) -> String {
    body(&std::fs::read_to_string(fixtures().join("reports").join(name)).unwrap())
}

/// The summary line's value of `key`.
fn key(out: &str, k: &str) -> Option<String> {
    let first = out.lines().find(|l| l.starts_with("oomfrag: event=oom "))?;
    first
        .split(' ')
        .find_map(|w| w.strip_prefix(k)?.strip_prefix('='))
        .map(str::to_string)
}

/// `/dev/kmsg` records: the header taken off (the task's name is not read
/// from it), `\x0a` split, `c`/`+` pieces joined, dictionary lines dropped.
#[test]
fn dev_kmsg_records_are_read() {
    let text = fixture("i386-2.6.24-dev-kmsg-records-ubuntuforums.log");
    // A dictionary line after a record, as a device message has them.
    let text = text.replacen("#1\n", "#1\n SUBSYSTEM=cpu\n DEVICE=+cpu:cpu0\n", 1);
    assert!(text.contains(" SUBSYSTEM=cpu\n"), "{text}");
    let (ok, out) = run(&text, &["--json"]);
    assert!(ok);
    assert!(out.contains("\"time\":\"[20952.514845]\""), "{out}");
    let (_, out) = run(&text, &[]);
    assert_eq!(key(&out, "comm").as_deref(), Some("firefox"), "{out}");
    assert_eq!(key(&out, "pid").as_deref(), Some("2284"), "{out}");
    assert_eq!(key(&out, "zones").as_deref(), Some("2"), "{out}");
    assert_eq!(key(&out, "kernel").as_deref(), Some("2.6.24-19-virtual"));
    // Both buddy lines, from their continued records, whole.
    assert!(
        out.contains("zone=DMA ") && out.contains(" largest_order=8 "),
        "{out}"
    );
    assert!(out.contains(" largest_order=9 "), "{out}");
    assert!(!out.contains("oomfrag-report: "), "{out}");
}

/// Quoted-printable whose every line ends in an encoded newline and a soft
/// break (`=0A=`): decoded and split back into lines.
#[test]
fn qp_encoded_newlines_are_decoded() {
    let text = fixture("i386-2.6.24-qp-encoded-newlines-ubuntuforums.log");
    assert!(text.lines().all(|l| l.ends_with('=')), "{text}");
    let (_, out) = run(&text, &[]);
    assert_eq!(verdicts(&out), ["exhaustion"], "{out}");
    assert_eq!(key(&out, "zones").as_deref(), Some("2"), "{out}");
    assert_eq!(key(&out, "comm").as_deref(), Some("firefox"), "{out}");
    // Soft breaks alone (no =3D on the first line): the first line is cut
    // after "oom-kil" and still read.
    let soft =
        "x invoked oom-kil=\nler: gfp_mask=3D0xcc0(GFP_KERNEL), order=3D2, oom_score_adj=3D0\n";
    let padded = format!("{}{}", " ".repeat(60 - 18), soft);
    let (_, out) = run(&padded, &[]);
    assert_eq!(key(&out, "order").as_deref(), Some("2"), "{padded}\n{out}");
}

/// A `Linux version` boot line earlier in the input gives the release of a
/// report that prints none, and says so.
#[test]
fn boot_line_gives_the_release() {
    let text = fixture("i386-2.6.24-boot-line-release-ubuntuforums.log");
    let (_, out) = run(&text, &["--explain"]);
    assert_eq!(
        key(&out, "kernel").as_deref(),
        Some("2.6.24-19-virtual"),
        "{out}"
    );
    let assumed = key(&out, "assumed").unwrap_or_default();
    assert!(assumed.contains("kernel_from_boot_line"), "{out}");
    assert!(!assumed.contains("gfp_layout"), "{out}");
    assert!(
        out.contains("boot line \"Linux version 2.6.24-19-virtual\""),
        "{out}"
    );
    // Without the boot line: no release, the layout guessed and said.
    let alone: String = text
        .lines()
        .filter(|l| !l.contains("Linux version"))
        .map(|l| format!("{l}\n"))
        .collect();
    let (_, out) = run(&alone, &[]);
    assert_eq!(key(&out, "kernel"), None, "{out}");
    assert!(key(&out, "assumed")
        .unwrap_or_default()
        .contains("gfp_layout"));
    // An old kernel's rule: an order-3 request of a boot-line 3.2 kernel
    // is judged by the pre-4.4 check (its order-0 pages taken away), which
    // the 4.4+ check, that of a report without a release, passes.
    let order3 = "x invoked oom-killer: gfp_mask=0x6000c0, order=3, oom_score_adj=0\n\
        Normal free:10000kB min:4000kB low:5000kB high:6000kB present:100000kB\n\
        lowmem_reserve[]: 0 0 0\n\
        Normal: 2400*4kB 0*8kB 0*16kB 1*32kB 0*64kB = 9632kB\n";
    let boot = format!("[0.0] Linux version 3.2.0-4-amd64 (gcc) #1 SMP\n{order3}");
    let (_, with) = run(&boot, &["--explain"]);
    assert!(with.contains("Kernel before 4.4"), "{with}");
    assert_eq!(verdicts(&with), ["fragmentation"], "{with}");
    let (_, without) = run(order3, &[]);
    assert_ne!(verdicts(&without), ["fragmentation"], "{without}");
}

/// Buddy lines of more than 16 orders (ia64 with 16 kB pages prints 17):
/// read, the page size from their block sizes, the top orders folded.
#[test]
fn more_than_sixteen_orders() {
    let sizes: Vec<u64> = (0..17).map(|o| 16u64 << o).collect();
    // Free: 100 order-0 blocks and one order-16 block (1 GB).
    let counts: Vec<u64> = (0..17)
        .map(|o| [100, 0, 1][(o / 8).min(2)] * u64::from(o == 0 || o == 16))
        .collect();
    let words: Vec<String> = counts
        .iter()
        .zip(&sizes)
        .map(|(c, s)| format!("{c}*{s}kB"))
        .collect();
    let total: u64 = counts.iter().zip(&sizes).map(|(c, s)| c * s).sum();
    let input = format!(
        "x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=5, oom_score_adj=0\n\
         Node 0 Normal free:{total}kB min:5120kB low:6400kB high:7680kB present:4000000kB\n\
         lowmem_reserve[]: 0 0\n\
         Node 0 Normal: {} = {total}kB\n",
        words.join(" ")
    );
    let (_, out) = run(&input, &["--explain"]);
    // 16 kB pages: min 5120 kB = 320 pages, printed back as 5120 kB.
    assert!(out.contains(" min_kb=5120 "), "{out}");
    assert!(out.contains(" largest_order=15 "), "{out}");
    assert!(
        key(&out, "assumed")
            .unwrap_or_default()
            .contains("orders_above_15_as_15"),
        "{out}"
    );
    // The order-16 block serves the order-5 request: memory came back.
    assert_eq!(verdicts(&out), ["none"], "{out}");
    assert!(out.contains("print 17 orders (0-16)"), "{out}");
}

/// A buddy line cut inside a word (`0*` / `1024kB`) and two buddy lines run
/// together are read whole; what cannot be joined is said, not dropped.
#[test]
fn split_buddy_lines_are_joined_or_said() {
    let text = fixture("i386-2.6.24-buddy-lines-split-and-joined-ubuntuforums.log");
    let (_, out) = run(&text, &[]);
    assert_eq!(verdicts(&out), ["exhaustion"], "{out}");
    let zone = |name: &str| {
        out.lines()
            .find(|l| l.contains(&format!(" zone={name} ")))
            .unwrap_or("")
            .to_string()
    };
    assert!(zone("DMA").contains(" largest_order=8 "), "{out}");
    assert!(zone("Normal").contains(" largest_order=9 "), "{out}");
    assert!(!out.contains("oomfrag-report: "), "{out}");
    // Cut, then another CPU's message: the part read cannot be joined.
    let cut = "x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=2, oom_score_adj=0\n\
        [1.1] Node 0 DMA32 free:2644kB min:20kB low:30kB high:40kB\n\
        [1.2] lowmem_reserve[]: 0 0 0\n\
        [1.3] Node 0 DMA32: 3*4kB (UE) 3*8kB (UM) 8*32kB (UE) 0*\n\
        [1.4] Hardware name: WIWYNN Mt.Jade Server System\n\
        [1.5] 1024kB 0*2048kB = 2644kB\n";
    let (ok, out) = run(cut, &[]);
    assert!(ok);
    assert!(
        out.contains("the Node 0 DMA32 buddy line could not be read (at \"0*\")"),
        "{out}"
    );
    assert_eq!(key(&out, "missing").as_deref(), Some("buddy"), "{out}");
    // A line whose blocks do not add up to its total is said.
    let short = cut.replace(" 0*\n", "\n").replace(
        "[1.4] Hardware name: WIWYNN Mt.Jade Server System\n[1.5] 1024kB 0*2048kB = 2644kB\n",
        "",
    );
    let short = format!("{short}[1.6] Node 0 DMA32: 3*4kB = 2644kB\n");
    let (_, out) = run(&short, &[]);
    assert!(
        out.contains("add up to 12 kB, not the 2644 kB it prints"),
        "{out}"
    );
}

/// A Mem-Info block with no first line: the engine is told no request was
/// shown (`Request::shown`) and says `unknown missing=request` and
/// `kill=unknown reason=no_request`, with its zones; whether the OOM
/// killer ran is the report's word, from its kill line (`report=`).
#[test]
fn mem_info_without_first_line() {
    let text = fixture("i386-2.6.24-mem-info-without-first-line-ubuntuforums.log");
    let (ok, out) = run(&text, &[]);
    assert!(ok);
    assert_eq!(verdicts(&out), ["unknown"], "{out}");
    assert_eq!(key(&out, "trigger").as_deref(), Some("unknown"), "{out}");
    assert_eq!(key(&out, "missing").as_deref(), Some("request"), "{out}");
    assert_eq!(key(&out, "report").as_deref(), Some("oom"), "{out}");
    assert_eq!(key(&out, "kill").as_deref(), Some("unknown"), "{out}");
    assert_eq!(key(&out, "reason").as_deref(), Some("no_request"), "{out}");
    assert!(
        out.contains(" zone=DMA ") && out.contains(" cause=lowmem_reserve "),
        "{out}"
    );
    assert!(out.contains("no first line"), "{out}");
    // sysrq-m: no kill line: whether anything was killed is not known.
    let sysrq: String = text
        .lines()
        .take_while(|l| !l.contains("Out of memory"))
        .map(|l| format!("{l}\n"))
        .collect();
    let (_, out) = run(&format!("SysRq : Show Memory\n{sysrq}"), &[]);
    assert_eq!(key(&out, "kill").as_deref(), Some("unknown"), "{out}");
    assert_eq!(key(&out, "reason").as_deref(), Some("no_request"), "{out}");
    assert_eq!(key(&out, "report").as_deref(), Some("mem_info"), "{out}");
}

/// A page-fault OOM of a kernel before 5.16 (`gfp_mask=0x0`:
/// `pagefault_out_of_memory()` called `out_of_memory()` with mask 0 until
/// 60e2793d440a, "mm, oom: do not trigger out_of_memory from the #PF").
/// From 3da88fb3bacf ("mm, oom: move GFP_NOFS check to out_of_memory")
/// until "mm, oom: do not check 0 mask in out_of_memory()" (2023), the
/// check was `oc->gfp_mask && !(oc->gfp_mask & __GFP_FS)`, which mask 0
/// passes; before 3da88fb3bacf there was none in `out_of_memory()`: the
/// kernel killed either way, and the report says so.  The RHEL 7 (3.10)
/// fixture's report, its first line made a page fault's as the kernel
/// prints it (Tetsuo Handa's 3.19 log on linux-mm, 2015-02-23: "su invoked
/// oom-killer: gfp_mask=0x0, order=0, oom_score_adj=0", from
/// pagefault_out_of_memory()).
#[test]
fn page_fault_oom_of_old_kernels_kills() {
    let text = fixture("x86_64-3.10-numa-exhaustion-rhel7-oomanalyser.log");
    let first = "sed invoked oom-killer: gfp_mask=0x201da, order=0, oom_score_adj=0";
    assert!(text.contains(first));
    for (release, with) in [
        ("3.10.0-514.6.1.el7.x86_64", "3.10.0-514.6.1.el7.x86_64"),
        ("3.10.0-514.6.1.el7.x86_64", "4.19.0"),
        ("3.10.0-514.6.1.el7.x86_64", "5.15.0"),
    ] {
        let pf = text
            .replace(
                first,
                "sed invoked oom-killer: gfp_mask=0x0, order=0, oom_score_adj=0",
            )
            .replace(release, with);
        let (_, out) = run(&pf, &[]);
        assert_eq!(key(&out, "trigger").as_deref(), Some("page_fault"), "{out}");
        assert_eq!(key(&out, "missing").as_deref(), Some("request"), "{out}");
        assert_eq!(key(&out, "kill").as_deref(), Some("1"), "{with}: {out}");
        assert_eq!(key(&out, "reason"), None, "{with}: {out}");
    }
}
