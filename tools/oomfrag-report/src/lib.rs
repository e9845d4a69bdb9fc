// SPDX-License-Identifier: GPL-2.0

//! oomfrag-report's analyzer as a library: reads kernel OOM reports from
//! logs (any kernel since 2.6, any of the usual log prefixes) and judges
//! each with the oomfrag module's own engine.  The binary (main.rs) and the
//! WebAssembly build of the page (web/) both call [`run_input`].
//!
//! Modules, one concept each: `prefix` (log prefixes), `segment` (finding
//! reports, joining wrapped lines), `fields` (one line's numbers),
//! `gfp_layout` (masks of old kernels), `zone_layout` (zone indices),
//! `analysis` (the one adapter to the engine), `legacy` (pre-4.4 rule),
//! `output` (text, `--explain`, `--json`), `lists` (the free lists and the
//! check of each zone, for `--json`'s charts), `bench`.

#![forbid(unsafe_code)]

pub mod analysis;
pub mod bench;
pub mod fields;
pub mod gfp_layout;
pub mod legacy;
pub mod lists;
pub mod output;
pub mod prefix;
pub mod segment;
pub mod zone_layout;

use std::io::{self, BufRead, BufReader, Read, Write};

/// Bytes kept of one input line; the rest of a longer line is skipped.
pub const MAX_LINE: usize = 64 * 1024;

/// Reads one line of at most [`MAX_LINE`] bytes into `buf` (the rest of
/// a longer line is consumed and dropped).  Returns false at the end.
pub fn read_line<R: BufRead>(r: &mut R, buf: &mut Vec<u8>) -> io::Result<bool> {
    buf.clear();
    let mut any = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(any);
        }
        any = true;
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = MAX_LINE.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        r.consume(take);
        if done {
            return Ok(true);
        }
    }
}

/// Undoes a mail's quoted-printable encoding (RFC 2045), which mail
/// archives keep: `=3D` for `=`, and a line ending in `=` continued on the
/// next one (`4.9=` / `=2E0`).  It turns on at the first sign of it in an
/// input and stays on: `=3D` or a `quoted-printable` header (a kernel log
/// never prints `=3D` itself), a line ending in an encoded newline
/// (`=0A=` or `=0A`: archives that encode every line break), or a soft
/// line break (a line of 60 to 76 characters ending in `=` right after a
/// word, as an encoder cuts them; a kernel line ends in `=` only when cut
/// itself).  The decoded text may hold newlines (`=0A`): the caller splits
/// it into lines.  A joined line is bounded by [`MAX_LINE`].
#[derive(Default)]
pub struct QuotedPrintable {
    on: bool,
    held: Vec<u8>,
    out: Vec<u8>,
}

impl QuotedPrintable {
    /// One raw line in; the decoded logical line out when it is complete
    /// (`None` while a soft line break holds it).
    pub fn feed<'a>(&'a mut self, raw: &'a [u8]) -> Option<&'a [u8]> {
        let mut line = raw;
        while let Some((b'\n' | b'\r', rest)) = line.split_last() {
            line = rest;
        }
        if !self.on {
            if prefix::find(raw, b"=3D").is_none()
                && prefix::find(raw, b"uoted-printable").is_none()
                && !line.ends_with(b"=0A=")
                && !line.ends_with(b"=0A")
                && !soft_break(line)
            {
                return Some(raw);
            }
            self.on = true;
        }
        let soft = line.last() == Some(&b'=');
        let body = if soft { &line[..line.len() - 1] } else { line };
        let room = MAX_LINE.saturating_sub(self.held.len());
        self.held.extend_from_slice(&body[..body.len().min(room)]);
        // A soft break right after an encoded newline ends the line too.
        if soft && !body.ends_with(b"=0A") && self.held.len() < MAX_LINE {
            return None;
        }
        Some(self.decode())
    }

    /// The end of input: a line still held by a soft break, decoded.
    pub fn finish(&mut self) -> Option<&[u8]> {
        if self.held.is_empty() {
            return None;
        }
        Some(self.decode())
    }

    fn decode(&mut self) -> &[u8] {
        self.out.clear();
        let h = &self.held;
        let mut i = 0;
        while i < h.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if h[i] == b'=' && i + 2 < h.len() {
                if let (Some(a), Some(b)) = (hex(h[i + 1]), hex(h[i + 2])) {
                    self.out.push((a * 16 + b) as u8);
                    i += 3;
                    continue;
                }
            }
            self.out.push(h[i]);
            i += 1;
        }
        self.held.clear();
        &self.out
    }
}

/// A quoted-printable soft line break as an encoder makes it: a line of 60
/// to 76 characters (the `=` included) cut right after a word character.
fn soft_break(line: &[u8]) -> bool {
    (60..=76).contains(&line.len())
        && line.ends_with(b"=")
        && line[line.len() - 2].is_ascii_alphanumeric()
}

/// Undoes the `/dev/kmsg` record format (`6,1234,5678901,-;TEXT`, see
/// [`prefix::KmsgRecord`]) once an input has such a record: the header
/// taken off (its time kept), the text unescaped and split at its
/// newlines, the dictionary lines (` KEY=value`) dropped and the records
/// of one line continued (`c`, then `+`) joined.
#[derive(Default)]
struct Kmsg {
    on: bool,
    /// A line whose continuation records may follow: (text, time).
    held: Option<(String, String)>,
}

/// What a raw line is, for the `/dev/kmsg` reader.
enum KmsgLine {
    /// Not a record: read as a log line.
    Plain,
    /// A dictionary line: dropped.
    Dict,
    /// A record (or the end of held ones): these (text, time) are lines.
    Lines(Vec<(String, String)>),
}

impl Kmsg {
    fn feed(&mut self, text: &str) -> KmsgLine {
        let Some(rec) = prefix::kmsg_record(text) else {
            if self.on && prefix::is_kmsg_dict(text) {
                return KmsgLine::Dict;
            }
            return match self.held.take() {
                Some(h) => KmsgLine::Lines(vec![h]),
                None => KmsgLine::Plain,
            };
        };
        self.on = true;
        let body = rec.unescaped();
        if rec.flag == b'+' {
            if let Some((t, _)) = &mut self.held {
                if t.len() < MAX_LINE {
                    t.push_str(&body);
                }
                return KmsgLine::Lines(Vec::new());
            }
        }
        let mut out: Vec<(String, String)> = self.held.take().into_iter().collect();
        if rec.flag == b'c' {
            self.held = Some((body, rec.time()));
        } else {
            out.push((body, rec.time()));
        }
        KmsgLine::Lines(out)
    }
}

/// Analyses one input, writing as it goes; returns the reports seen.
pub fn run_input<R: Read, W: Write>(
    name: &str,
    input: R,
    out: &mut W,
    seq: &mut u64,
    ev: &mut analysis::HostEvent,
    explain: bool,
    json: bool,
) -> io::Result<u64> {
    run_input_with(name, input, seq, ev, |a, rep, ev| {
        if json {
            let charts = lists::zone_lists(a, rep, ev);
            writeln!(out, "{}", output::json_report(a, rep, &charts))?;
            return Ok(());
        }
        for l in &a.lines {
            writeln!(out, "{l}")?;
        }
        for p in &rep.problems {
            writeln!(out, "oomfrag-report: {}:{}: {p}", rep.source, rep.line)?;
        }
        if explain {
            for s in output::explain(a) {
                writeln!(out, "  {s}")?;
            }
            writeln!(out)?;
        }
        Ok(())
    })
}

/// Analyses one input, handing each report to `each` with its analysis
/// and the evaluated event (its zone verdicts, for [`lists::zone_lists`]);
/// returns the reports seen.  Reports are numbered on from `seq`.
pub fn run_input_with<R, F>(
    name: &str,
    input: R,
    seq: &mut u64,
    ev: &mut analysis::HostEvent,
    mut each: F,
) -> io::Result<u64>
where
    R: Read,
    F: FnMut(&analysis::Analysis, &segment::RawReport, &analysis::HostEvent) -> io::Result<()>,
{
    let mut r = BufReader::with_capacity(256 * 1024, input);
    let mut seg = segment::Segmenter::new(name);
    let mut buf = Vec::with_capacity(1024);
    let mut n = 0;
    let mut emit = |rep: segment::RawReport, n: &mut u64| -> io::Result<()> {
        *seq += 1;
        *n += 1;
        let a = analysis::analyze(&rep, *seq, ev);
        each(&a, &rep, ev)
    };
    let mut qp = QuotedPrintable::default();
    let mut kmsg = Kmsg::default();
    // A line of a `/dev/kmsg` record: its text and time.
    let record = |seg: &mut segment::Segmenter, text: &str, time: &str| {
        let (msg, _) = prefix::strip(text);
        let done = seg.feed(msg, true);
        if let Some(cur) = seg.started_here() {
            cur.time = Some(time.to_string());
        }
        done
    };
    let mut eof = false;
    while !eof {
        eof = !read_line(&mut r, &mut buf)?;
        let decoded = if eof {
            // The end: a line held by a soft break.
            qp.finish()
        } else {
            match qp.feed(&buf) {
                Some(d) => Some(d),
                None => continue,
            }
        };
        let pieces: Vec<&[u8]> = match decoded {
            Some(d) => {
                let d = d.strip_suffix(b"\n").unwrap_or(d);
                d.split(|&b| b == b'\n').collect()
            }
            None => Vec::new(),
        };
        for piece in pieces {
            let text = String::from_utf8_lossy(piece);
            match kmsg.feed(&text) {
                KmsgLine::Dict => continue,
                KmsgLine::Lines(lines) => {
                    for (t, time) in &lines {
                        for l in t.split('\n') {
                            if let Some(rep) = record(&mut seg, l, time) {
                                emit(rep, &mut n)?;
                            }
                        }
                    }
                    if prefix::kmsg_record(&text).is_some() {
                        continue;
                    }
                }
                KmsgLine::Plain => {}
            }
            let (msg, had) = prefix::strip(&text);
            if let Some(rep) = seg.feed(msg, had) {
                emit(rep, &mut n)?;
            }
            if let Some(cur) = seg.started_here() {
                // The log's time of the report: its first line's prefix.
                let at = (msg.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
                cur.time = prefix::time_of(text.get(..at).unwrap_or(""));
            }
        }
    }
    // The end: whatever `/dev/kmsg` records are held.
    if let Some((t, time)) = kmsg.held.take() {
        for l in t.split('\n') {
            if let Some(rep) = record(&mut seg, l, &time) {
                emit(rep, &mut n)?;
            }
        }
    }
    if let Some(rep) = seg.finish() {
        emit(rep, &mut n)?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REPORT: &str = include_str!("../../testing/fixtures/reports/arm-3.14-cma-seed002.log");

    fn analyse(input: &[u8]) -> (u64, String) {
        let mut out = Vec::new();
        let mut ev = Box::new(crate::analysis::new_event());
        let mut seq = 0;
        let n = run_input("t", input, &mut out, &mut seq, &mut ev, true, false).unwrap();
        let mut json = Vec::new();
        let mut seq = 0;
        run_input("t", input, &mut json, &mut seq, &mut ev, false, true).unwrap();
        (n, String::from_utf8(out).unwrap())
    }

    #[test]
    fn long_lines_are_bounded() {
        let mut input = b"x invoked oom-killer: gfp_mask=0xcc0, order=0\nNode 0 DMA: ".to_vec();
        input.extend(std::iter::repeat_n(b'1', 10 * MAX_LINE));
        input.push(b'\n');
        assert_eq!(analyse(&input).0, 1);
    }

    /// Real reports of other kernels and formats (tools/testing/fixtures).
    const REAL: [&str; 4] = [
        include_str!("../../testing/fixtures/reports/i386-4.9-highmem-qp-linux-mm.log"),
        include_str!("../../testing/fixtures/reports/arm-2.6.28-fragmentation-order2-linux-mm.log"),
        include_str!(
            "../../testing/fixtures/reports/i386-2.6.17-atomic-alloc-failure-wrapped-lkml.log"
        ),
        include_str!(
            "../../testing/fixtures/reports/x86_64-3.10-numa-exhaustion-rhel7-oomanalyser.log"
        ),
    ];

    fn last_verdict(out: &str) -> Option<String> {
        out.lines()
            .filter(|l| l.starts_with("oomfrag: event=oom "))
            .filter_map(|l| l.split(' ').find_map(|w| w.strip_prefix("verdict=")))
            .next_back()
            .map(str::to_string)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// A mangled real report (cut, bytes flipped, a line dropped)
        /// followed by an intact one: never a panic, and the intact report
        /// still gets its own verdict.
        #[test]
        fn mangled_real_report_then_good(which in 0usize..4, good in 0usize..4, cut in 0usize..20000, flips in proptest::collection::vec((0usize..20000, any::<u8>()), 0..20), drop in 0usize..80) {
            let bad = REAL[which];
            let mut b = bad.as_bytes()[..cut.min(bad.len())].to_vec();
            for (at, v) in flips {
                if at < b.len() {
                    b[at] = v;
                }
            }
            let text = String::from_utf8_lossy(&b).into_owned();
            let kept: String = text.lines().enumerate().filter(|(i, _)| *i != drop).map(|(_, l)| format!("{l}\n")).collect();
            let (_, alone) = analyse(REAL[good].as_bytes());
            let want = last_verdict(&alone);
            let (n, out) = analyse(format!("{kept}\n{}", REAL[good]).as_bytes());
            prop_assert!(n >= 1);
            prop_assert_eq!(last_verdict(&out), want);
        }

        /// Random bytes: never a panic.
        #[test]
        fn random_bytes(data in proptest::collection::vec(any::<u8>(), 0..2000)) {
            analyse(&data);
        }

        /// A real report cut, with bytes flipped and lines dropped: never a
        /// panic, and a report is still found while its first line is whole.
        #[test]
        fn mangled_report(cut in 0usize..REPORT.len(), flips in proptest::collection::vec((0usize..REPORT.len(), any::<u8>()), 0..20), drop in 0usize..120) {
            let mut b = REPORT.as_bytes()[..cut].to_vec();
            for (at, v) in flips {
                if at < b.len() && !REPORT[..REPORT.find("invoked").unwrap() + 60].len().gt(&at) {
                    b[at] = v;
                }
            }
            let text = String::from_utf8_lossy(&b).into_owned();
            let kept: String = text.lines().enumerate().filter(|(i, _)| *i != drop).map(|(_, l)| format!("{l}\n")).collect();
            let whole_first = kept.lines().any(|l| l.contains("oom_score_adj=0"));
            let (n, _) = analyse(kept.as_bytes());
            if whole_first {
                prop_assert!(n >= 1);
            }
        }
    }
}
