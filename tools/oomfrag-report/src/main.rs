// SPDX-License-Identifier: GPL-2.0

//! oomfrag-report: reads kernel OOM reports from logs (any kernel since
//! 2.6, any of the usual log prefixes) and prints, per report, the verdict
//! lines the oomfrag module prints, decided by the module's own engine.
//! Run through tools/oomfrag-report/oomfrag-report; `--help` says how.
//! The analyzer itself is the library (lib.rs); this is its command line.

#![forbid(unsafe_code)]

use oomfrag_report::{analysis, bench, run_input};
use std::io::{self, Write};
use std::process::ExitCode;

const HELP: &str = "\
usage: oomfrag-report [--explain] [--json] [FILE...]
       oomfrag-report --bench [REPORTS]

Reads kernel logs (files, or standard input without FILE or with '-'),
finds every OOM report (\"invoked oom-killer\") and page allocation
failure report in them, and prints for each the lines the oomfrag module
prints: a summary 'oomfrag: event=oom ... verdict=CLASS ...' and one
'oomfrag: event=zone ...' line per zone, judged by the module's own
engine (rust/engine/) with the rules of the report's kernel version.

Verdicts: exhaustion, fragmentation, cma, last_chance_cma, highatomic,
lowmem_reserve, memcg, none (a zone passes in the report: memory came
back), and no_eligible_zone, unknown (missing=order,gfp,request,zones,
buddy,preferred_node: what the report cannot show).  Extra keys the
module does not print: report=, kernel=, report_gfp= (the mask as
printed, when its bits differ from today's), report_constraint=,
assumed=, source=.

Reads dmesg, dmesg -T, syslog, journalctl -k, serial console (<4>[ 1.2])
and mail-quoted or wrapped reports, from Linux 2.6 to 7.x.

  --explain   after each report, the reasoning in plain sentences
  --json      one JSON object per report instead of the lines
  --bench [N] time the analyzer on a synthetic log of N reports (3000)
  --help      this text

Exit status: 0 if every report was analysed, 1 if a file could not be
read, 2 on bad usage.  A truncated or malformed report is still reported
(verdict=unknown and why), and the others are analysed.
";

struct Opts {
    explain: bool,
    json: bool,
}

fn main() -> ExitCode {
    let mut opts = Opts {
        explain: false,
        json: false,
    };
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--help" | "-h" => {
                print!("{HELP}");
                return ExitCode::SUCCESS;
            }
            "--explain" => opts.explain = true,
            "--json" => opts.json = true,
            "--bench" => {
                let n = args.next().and_then(|v| v.parse().ok()).unwrap_or(3000);
                bench::run(n);
                return ExitCode::SUCCESS;
            }
            "--" => files.extend(args.by_ref()),
            s if s.starts_with("--") => {
                eprintln!("oomfrag-report: unknown option {s} (see --help)");
                return ExitCode::from(2);
            }
            _ => files.push(a),
        }
    }
    if files.is_empty() {
        files.push("-".into());
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut ev = Box::new(analysis::new_event());
    let mut seq = 0;
    let mut status = ExitCode::SUCCESS;
    let mut total = 0;
    for f in &files {
        let res = if f == "-" {
            run_input(
                "stdin",
                io::stdin().lock(),
                &mut out,
                &mut seq,
                &mut ev,
                opts.explain,
                opts.json,
            )
        } else {
            match std::fs::File::open(f) {
                Ok(file) => run_input(
                    f,
                    file,
                    &mut out,
                    &mut seq,
                    &mut ev,
                    opts.explain,
                    opts.json,
                ),
                Err(e) => Err(e),
            }
        };
        match res {
            Ok(n) => total += n,
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return status,
            Err(e) => {
                let _ = out.flush();
                eprintln!("oomfrag-report: {f}: {e}");
                status = ExitCode::from(1);
            }
        }
    }
    if out.flush().is_err() {
        return status;
    }
    if total == 0 && !opts.json {
        eprintln!("oomfrag-report: no OOM report found");
    }
    status
}
