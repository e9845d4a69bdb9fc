// SPDX-License-Identifier: GPL-2.0

//! Finding reports in a log: a line-at-a-time state machine that starts a
//! report at its first line (`invoked oom-killer:`, `page allocation
//! failure`), collects the lines that matter, joins lines wrapped by a mail
//! client or a web page back together, and ends the report at the kill line
//! (`Killed process`, `Memory cgroup out of memory`, a panic), at the next
//! report, or at the end of input.  Memory is bounded per report, so it does
//! not grow with the log.

use crate::fields::{
    self, buddy_sum_kb, is_buddy_line, is_zone_line, parse_buddy, parse_constraint,
    parse_mems_allowed, parse_pid, parse_reserve, parse_start, parse_version, parse_zone_line,
    BuddyLine, Start, ZoneLine, LETTERS,
};

/// Zones kept per report (a 1024-node machine prints more; the rest are
/// counted).
pub const MAX_ZONES: usize = 256;
/// Lines a report may span before it is given up as truncated.
pub const MAX_REPORT_LINES: usize = 50_000;
/// Bytes kept of a wrapped record.
const MAX_PENDING: usize = 16 * 1024;

/// A zone as the report printed it: its line, its `lowmem_reserve[]` and
/// its buddy line.
#[derive(Clone, Debug, Default)]
pub struct RawZone {
    /// The zone line.
    pub line: ZoneLine,
    /// `lowmem_reserve[]` (pages), if printed.
    pub reserve: Option<Vec<u64>>,
    /// The buddy line, if printed.
    pub buddy: Option<BuddyLine>,
}

/// One report, as found in the log.
#[derive(Clone, Debug, Default)]
pub struct RawReport {
    /// The input it came from.
    pub source: String,
    /// Line number of its first line.
    pub line: u64,
    /// The first line.
    pub start: Start,
    /// The kernel release: (major, minor, string).
    pub version: Option<(u32, u32, String)>,
    /// The task's pid, from the `CPU:` line.
    pub pid: Option<i32>,
    /// A memory cgroup's OOM.
    pub memcg: bool,
    /// `SysRq : Manual OOM execution` came right before.
    pub sysrq: bool,
    /// `constraint=` of the 4.19-on summary line.
    pub constraint: Option<String>,
    /// `nodemask=` of that line.
    pub nodemask: Option<String>,
    /// `mems_allowed=` of that line or of the `cpuset=` line.
    pub mems_allowed: Option<String>,
    /// Zones in print order.
    pub zones: Vec<RawZone>,
    /// Zones beyond [`MAX_ZONES`].
    pub zones_dropped: usize,
    /// `protections[]` instead of `lowmem_reserve[]` (2.6.1x).
    pub protections: bool,
    /// Buddy lines without a zone line of the same node and name.
    pub orphan_buddies: usize,
    /// The report ended at its kill line (else: the next report, the end
    /// of input or the line limit).
    pub complete: bool,
    /// Why the report may be incomplete.
    pub problems: Vec<String>,
    /// The log's time of its first line (see `prefix::time_of`), set by
    /// the caller, which sees the prefixes ([`Segmenter::started_here`]).
    pub time: Option<String>,
    /// The release of the last `Linux version ...` boot line before the
    /// report in the same input, and that line's number: the report's
    /// kernel when the report names none.
    pub boot_version: Option<(u32, u32, String, u64)>,
    /// A `Mem-Info:` block with no first line (`invoked oom-killer`,
    /// `page allocation failure`) before it: a quoted excerpt, sysrq-m,
    /// or a report whose first line was lost.
    pub headless: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PendingKind {
    Start,
    Zone,
    Buddy,
    Reserve,
}

/// The state machine.  Feed it lines; it hands back each finished report.
#[derive(Default)]
pub struct Segmenter {
    source: String,
    lineno: u64,
    cur: Option<RawReport>,
    cur_lines: usize,
    /// Lines of the current report seen with a log prefix.
    prefixed: bool,
    pending: Option<(PendingKind, String)>,
    /// A `Node N ` fragment whose zone text came on a later line.
    node_frag: Option<(String, usize)>,
    /// A `CPU: ... Tainted:` line whose release came on the next line.
    version_frag: Option<String>,
    last_sysrq: u64,
    /// The last `Linux version` boot line: (major, minor, release, line).
    boot: Option<(u32, u32, String, u64)>,
}

/// `hay.contains(needle)`.  In WebAssembly (the page in web/) without
/// the standard search's set-up per call, which dominates there on log
/// lines, having no vector search to hide it (a 10 MB log took a fifth
/// less time).  Elsewhere the standard search is the quicker.
fn has(hay: &str, needle: &str) -> bool {
    if cfg!(target_arch = "wasm32") {
        crate::prefix::find(hay.as_bytes(), needle.as_bytes()).is_some()
    } else {
        hay.contains(needle)
    }
}

/// Words of the kernel's kill lines: the report ends there.
fn is_end(s: &str) -> bool {
    has(s, "Killed process ")
        || has(s, "Out of memory: Kill")
        || has(s, "Out of memory (oom_kill_allocating_task)")
        || has(s, "Out of Memory: Kill")
        || has(s, "Memory cgroup out of memory")
        || has(s, "Kernel panic - not syncing")
        || has(s, "Out of memory and no killable processes")
}

/// `Mem-Info:` (`Mem-info:` before 2.6.2x), show_mem()'s first line.
fn is_mem_info(s: &str) -> bool {
    s.starts_with("Mem-Info:") || s.starts_with("Mem-info:")
}

fn is_memcg_marker(s: &str) -> bool {
    has(s, "Memory cgroup out of memory")
        || has(s, "CONSTRAINT_MEMCG")
        || (s.starts_with("Task in ") && has(s, "killed as a result of limit of"))
        || s.starts_with("memory: usage ")
        || s.starts_with("Memory cgroup stats for")
}

/// Whether the first line's text is cut inside a `(NAMES)` list.
fn open_paren(text: &str) -> bool {
    text.matches('(').count() > text.matches(')').count()
}

/// Whether `msg` continues a first line `text` that a mail client or the
/// log wrapped: after a trailing comma, inside the mask's names, or before
/// the order (`page allocation failure.` / `order:0, mode:0x20`).  A part
/// with its own log prefix is a new record, unless no line of the report
/// has one.
fn start_continues(text: &str, msg: &str, had_prefix: bool, prefixed: bool) -> bool {
    if text.trim_end().ends_with(',') && msg.contains('=') {
        return true;
    }
    if had_prefix && prefixed {
        return false;
    }
    let m = msg.trim_start();
    (open_paren(text) && m.contains(')'))
        || (!has(text, "order") && (m.starts_with("order") || m.starts_with("mode:")))
        || (text.trim_end().ends_with("oom-killer:") && m.starts_with("gfp_mask="))
}

/// Words of a wrapped zone line: `key:value`, `all_unreclaimable?`,
/// `yes`/`no`, or a fragment ending in `kB`.
fn zone_words(s: &str) -> bool {
    let mut any = false;
    for w in s.split_ascii_whitespace() {
        any = true;
        let ok = match w.split_once(':') {
            Some((k, _)) => k
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_()".contains(&b)),
            None => {
                matches!(w, "yes" | "no" | "all_unreclaimable?" | "...")
                    || w.ends_with("kB")
                    || w.bytes().all(|b| b.is_ascii_digit())
            }
        };
        if !ok {
            return false;
        }
    }
    any
}

/// Whether a buddy line's text ends inside a word: every word of a buddy
/// line ends in `kB`, `)`, `:` or is `=` or `empty`, so one that does not
/// (`2*8` / `kB`, `0*` / `1024kB`, `(U` / `M)`, `12` / `3*4kB`) was cut
/// there (by a terminal's width, printk's line limit or a netconsole
/// packet), and the next part continues that word, without a blank.
fn buddy_cut(text: &str) -> bool {
    let last = text.split_ascii_whitespace().next_back().unwrap_or("");
    !(last.is_empty()
        || last == "="
        || last == "empty"
        || last.ends_with("kB")
        || last.ends_with(')')
        || last.ends_with(':'))
}

/// Whether `msg` continues the buddy line `text`: words of a buddy line,
/// the first of which may be the rest of a word `text` ends inside.
fn buddy_continues(text: &str, msg: &str) -> bool {
    let mut ws = msg.split_ascii_whitespace();
    let Some(first) = ws.next() else {
        return false;
    };
    let first_ok = if buddy_cut(text) {
        first
            .bytes()
            .all(|c| c.is_ascii_digit() || b"*kKB()=".contains(&c) || LETTERS.contains(&c))
    } else {
        buddy_words(first)
    };
    first_ok && ws.all(buddy_words)
}

/// Where a buddy line's `= NkB` total ends when more text follows it on
/// the same line (two buddy lines reflowed into one by a mail client).
fn after_total(msg: &str) -> Option<usize> {
    let i = msg.find(" = ")?;
    let r = &msg[i + 3..];
    let w = r.split_ascii_whitespace().next()?;
    let end = i + 3 + r.find(w)? + w.len();
    (w.ends_with("kB") && !msg[end..].trim().is_empty()).then_some(end)
}

/// `Node 0 DMA32` of a buddy line's text, for messages.
fn buddy_label(text: &str) -> &str {
    text.split(':').next().unwrap_or("").trim()
}

/// A part of `s` short enough to quote in a message.
fn excerpt(s: &str) -> String {
    if s.len() <= 100 {
        return s.to_string();
    }
    let mut end = 100;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// Words of a wrapped buddy line: `N*SkB`, `(UME)`, `=`, `NkB`.
fn buddy_words(s: &str) -> bool {
    let mut any = false;
    for w in s.split_ascii_whitespace() {
        any = true;
        let ok = w == "="
            || (w.starts_with('(') && w.ends_with(')'))
            || w.split('(').next().is_some_and(|b| {
                b.ends_with("kB")
                    && b.bytes()
                        .all(|c| c.is_ascii_digit() || c == b'*' || c == b'k' || c == b'B')
            });
        if !ok {
            return false;
        }
    }
    any
}

/// `text` without a trailing printk stamp (`... free_cma:0kB  [ 4738.329607]`).
fn without_stamp(text: &str) -> &str {
    let t = text.trim_end();
    if let Some(body) = t.strip_suffix(']') {
        if let Some(open) = body.rfind('[') {
            let b = body[open + 1..].trim();
            if !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit() || c == b'.') {
                return body[..open].trim_end();
            }
        }
    }
    t
}

impl Segmenter {
    /// A segmenter for input named `source`.
    pub fn new(source: &str) -> Self {
        Self {
            source: source.to_string(),
            ..Self::default()
        }
    }

    /// Feeds one message (prefix already taken off): `had_prefix` says
    /// whether the raw line had a log prefix.  Returns a finished report.
    pub fn feed(&mut self, msg: &str, had_prefix: bool) -> Option<RawReport> {
        self.lineno += 1;
        // Fast path: outside a report only a first line matters.
        if self.cur.is_none() {
            if has(msg, "Manual OOM execution") {
                self.last_sysrq = self.lineno;
            }
            if has(msg, "oom-killer") || has(msg, "page allocation failure") {
                if let Some(st) = parse_start(msg) {
                    self.begin(st, had_prefix);
                    self.pending = Some((PendingKind::Start, msg.to_string()));
                }
            } else if msg.starts_with("Linux version ") {
                self.boot_line(msg);
            } else if is_mem_info(msg) {
                self.begin_headless(had_prefix);
            }
            return None;
        }
        self.cur_lines += 1;
        if let Some((kind, text)) = &mut self.pending {
            let cont = match kind {
                PendingKind::Start => start_continues(text, msg, had_prefix, self.prefixed),
                // A wrapped part has no log prefix of its own, unless no
                // line of this report has one.
                PendingKind::Zone => zone_words(msg) && (!had_prefix || !self.prefixed),
                PendingKind::Buddy => !has(text, " = ") && buddy_continues(text, msg),
                PendingKind::Reserve => {
                    !had_prefix
                        && self.prefixed
                        && msg
                            .split_ascii_whitespace()
                            .all(|w| w.parse::<u64>().is_ok())
                }
            };
            if cont && text.len() < MAX_PENDING {
                // A name cut inside its parentheses (`(GFP_KE` / `RNEL_...`)
                // is one word.
                if text.ends_with('-')
                    || (*kind == PendingKind::Start && open_paren(text))
                    || (*kind == PendingKind::Buddy && buddy_cut(text))
                {
                    text.push_str(msg.trim());
                } else {
                    text.push(' ');
                    text.push_str(msg.trim());
                }
                return None;
            }
            self.flush_pending();
        }
        if had_prefix {
            self.prefixed = true;
        }
        // A new report ends the current one.
        if has(msg, "oom-killer") || has(msg, "page allocation failure") {
            if let Some(st) = parse_start(msg) {
                let done = self.finish_current("the next report began before this one's kill line");
                self.begin(st, had_prefix);
                self.pending = Some((PendingKind::Start, msg.to_string()));
                return done;
            }
        }
        let headless = self.cur.as_ref().is_some_and(|c| c.headless);
        if headless && (is_mem_info(msg) || msg.starts_with("Linux version ")) {
            // The next block without a first line, or a reboot.
            let done = self.take();
            if is_mem_info(msg) {
                self.begin_headless(had_prefix);
            } else {
                self.boot_line(msg);
            }
            return done;
        }
        if msg.starts_with("Linux version ") {
            self.boot_line(msg);
        }
        self.line(msg);
        let cur = self.cur.as_mut()?;
        if is_end(msg) {
            cur.complete = true;
            return self.take();
        }
        if self.cur_lines > MAX_REPORT_LINES {
            return self.finish_current("no kill line within the line limit");
        }
        None
    }

    /// A `Linux version` boot line: the release of the reports after it.
    fn boot_line(&mut self, msg: &str) {
        if let Some((maj, min, rel)) = parse_version(msg) {
            self.boot = Some((maj, min, rel, self.lineno));
        }
    }

    /// A `Mem-Info:` block with no first line before it.
    fn begin_headless(&mut self, had_prefix: bool) {
        self.begin(Start::default(), had_prefix);
        if let Some(cur) = self.cur.as_mut() {
            cur.headless = true;
            cur.problems.push(
                "no first line (\"invoked oom-killer\" or \"page allocation failure\") before this Mem-Info block: the request is not known"
                    .into(),
            );
        }
    }

    fn begin(&mut self, st: Start, had_prefix: bool) {
        self.cur = Some(RawReport {
            source: self.source.clone(),
            line: self.lineno,
            start: st,
            sysrq: self.last_sysrq != 0 && self.lineno - self.last_sysrq <= 3,
            boot_version: self.boot.clone(),
            ..RawReport::default()
        });
        self.cur_lines = 0;
        self.prefixed = had_prefix;
        self.node_frag = None;
        self.version_frag = None;
    }

    /// The report in progress if the line just fed began it.
    pub fn started_here(&mut self) -> Option<&mut RawReport> {
        let lineno = self.lineno;
        self.cur.as_mut().filter(|c| c.line == lineno)
    }

    /// Ends input: the report in progress, if any.
    pub fn finish(&mut self) -> Option<RawReport> {
        if self.pending.is_some() {
            self.flush_pending();
        }
        self.finish_current("the input ended before its kill line")
    }

    fn finish_current(&mut self, why: &str) -> Option<RawReport> {
        if self.pending.is_some() {
            self.flush_pending();
        }
        let cur = self.cur.as_mut()?;
        // warn_alloc() reports have no kill line: they end with the buddy
        // lines and the page counts.
        if cur.start.oom && !cur.memcg {
            cur.problems.push(why.to_string());
        }
        self.take()
    }

    fn take(&mut self) -> Option<RawReport> {
        self.pending = None;
        self.node_frag = None;
        self.cur.take()
    }

    fn flush_pending(&mut self) {
        let Some((kind, text)) = self.pending.take() else {
            return;
        };
        let Some(cur) = self.cur.as_mut() else {
            return;
        };
        match kind {
            PendingKind::Start => {
                if let Some(st) = parse_start(&text) {
                    cur.start = st;
                }
            }
            PendingKind::Zone => {
                if let Some(z) = parse_zone_line(&text) {
                    // A zone printed twice in one report (a pasted report
                    // quoted again): the first one stands.
                    let dup = cur
                        .zones
                        .iter()
                        .any(|o| o.line.node == z.node && o.line.kind == z.kind);
                    if dup {
                        cur.problems.push(format!(
                            "zone {} printed twice; the first one is used",
                            fields::ZONE_NAMES[z.kind]
                        ));
                    } else if cur.zones.len() < MAX_ZONES {
                        cur.zones.push(RawZone {
                            line: z,
                            ..RawZone::default()
                        });
                    } else {
                        cur.zones_dropped += 1;
                    }
                }
            }
            PendingKind::Reserve => {
                if let Some((v, prot)) = parse_reserve(&text) {
                    cur.protections |= prot;
                    // It follows its zone's line.
                    if let Some(z) = cur.zones.last_mut() {
                        if z.reserve.is_none() {
                            z.reserve = Some(v);
                        }
                    }
                }
            }
            PendingKind::Buddy => {
                let label = buddy_label(&text);
                let b = match parse_buddy(&text) {
                    Ok(b) => b,
                    Err(why) => {
                        cur.problems.push(format!(
                            "the {label} buddy line could not be read (at {why}): {}; its free lists were not used",
                            excerpt(&text)
                        ));
                        return;
                    }
                };
                let sum = buddy_sum_kb(&b);
                match b.total_kb {
                    Some(t) if t != sum => cur.problems.push(format!(
                        "the {label} buddy line's blocks add up to {sum} kB, not the {t} kB it prints: part of it is missing or misread; its blocks were read as printed"
                    )),
                    None if !b.orders.is_empty() => cur.problems.push(format!(
                        "the {label} buddy line ends without its total (= N kB), after {} orders: it may be cut short; its blocks were read as printed",
                        b.orders.len()
                    )),
                    _ => {}
                }
                let node = b.node.unwrap_or(0);
                match cur.zones.iter_mut().find(|z| {
                    z.line.node.unwrap_or(0) == node && z.line.kind == b.kind && z.buddy.is_none()
                }) {
                    Some(z) => z.buddy = Some(b),
                    None => {
                        cur.orphan_buddies += 1;
                        cur.problems.push(format!(
                            "the {label} buddy line has no zone line of its node and name before it; it was not used"
                        ));
                    }
                }
            }
        }
    }

    /// A line inside a report.
    fn line(&mut self, msg: &str) {
        let msg = msg.trim_end();
        // "Node 0 " and its zone text split by another CPU's message.
        let joined;
        let mut msg = msg;
        if let Some((frag, at)) = &self.node_frag {
            if self.cur_lines - at > 3 {
                self.node_frag = None;
            } else if is_zone_line(msg) || is_buddy_line(msg) {
                joined = format!("{frag}{msg}");
                msg = &joined;
                self.node_frag = None;
            }
        }
        let Some(cur) = self.cur.as_mut() else {
            return;
        };
        if is_memcg_marker(msg) {
            cur.memcg = true;
        }
        if msg.starts_with("Node ")
            && msg.len() <= 9
            && msg[5..].trim().bytes().all(|b| b.is_ascii_digit())
        {
            self.node_frag = Some((format!("{} ", msg.trim()), self.cur_lines));
            return;
        }
        if is_zone_line(msg) {
            // The zone line and its `lowmem_reserve[]` run together (the
            // newline lost, the second record's stamp left in between):
            // `... free_cma:0kB   [ 4738.329607] lowmem_reserve[]: 0 0`.
            if let Some(i) = msg.find(" lowmem_reserve[]:") {
                self.pending = Some((PendingKind::Zone, without_stamp(&msg[..i]).to_string()));
                self.flush_pending();
                self.pending = Some((PendingKind::Reserve, msg[i + 1..].to_string()));
                return;
            }
            self.pending = Some((PendingKind::Zone, msg.to_string()));
            return;
        }
        if msg.starts_with("lowmem_reserve[]:") || msg.starts_with("protections[]:") {
            self.pending = Some((PendingKind::Reserve, msg.to_string()));
            return;
        }
        if is_buddy_line(msg) {
            // Two buddy lines (or a buddy line and the next message) run
            // together: each is read on its own.
            if let Some(end) = after_total(msg) {
                self.pending = Some((PendingKind::Buddy, msg[..end].to_string()));
                self.flush_pending();
                self.line(msg[end..].trim_start());
                return;
            }
            self.pending = Some((PendingKind::Buddy, msg.to_string()));
            return;
        }
        if cur.version.is_none() {
            // The release wrapped onto the next line (`Tainted: G C O` /
            // `4.14.79-v7+ #1159`).
            let joined_v;
            let text = match self.version_frag.take() {
                Some(f) => {
                    joined_v = format!("{f} {}", msg.trim_start());
                    joined_v.as_str()
                }
                None => msg,
            };
            if has(text, "ainted") || has(text, "Linux version") {
                match parse_version(text) {
                    Some(v) => {
                        cur.version = Some(v);
                        if cur.pid.is_none() {
                            cur.pid = parse_pid(text);
                        }
                    }
                    None if text.len() < 512 && (has(text, "CPU:") || has(text, "Pid:")) => {
                        self.version_frag = Some(msg.to_string());
                    }
                    None => {}
                }
            }
        }
        if has(msg, "constraint=") {
            if let Some((c, n, m)) = parse_constraint(msg) {
                if c == "CONSTRAINT_MEMCG" {
                    cur.memcg = true;
                }
                cur.constraint = Some(c);
                cur.nodemask = n.or(cur.nodemask.take());
                cur.mems_allowed = m.or(cur.mems_allowed.take());
            }
        } else if has(msg, "mems_allowed=") {
            if let Some(m) = parse_mems_allowed(msg) {
                cur.mems_allowed.get_or_insert(m);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prefix::strip;

    fn run(text: &str) -> Vec<RawReport> {
        let mut s = Segmenter::new("t");
        let mut out = Vec::new();
        for l in text.lines() {
            let (m, had) = strip(l);
            out.extend(s.feed(m, had));
        }
        out.extend(s.finish());
        out
    }

    #[test]
    fn wrapped_seed002_lines() {
        let r = run("- <4>[1.0] sh invoked oom-killer: gfp_mask=0x800d0, order=0, oom_score_adj=0\n\
             - <4>[1.1] Normal free:233460kB min:2488kB low:3108kB high:3732kB active_anon:17312kB\n\
             - inactive_anon:10824kB present:774144kB managed:387568kB\n\
             - bounce:0kB free_cma:231116kB writeback_tmp:0kB pages_scanned:1648\n\
             - all_unreclaimable? yes\n\
             - <4>[1.2] lowmem_reserve[]: 0 10168 10168\n\
             - <4>[1.3] Normal: 1165*4kB (MRC) 1122*8kB (RC) 1119*16kB (RC) 1118*32kB (C) 1068*64kB (RC)\n\
             - 748*128kB (C) 0*256kB 0*512kB 0*1024kB 1*2048kB (R) 0*4096kB 0*8192kB = 233460kB\n\
             - <3>[1.4] Out of memory: Kill process 5575 thread_x score 481 or sacrifice child\n");
        assert_eq!(r.len(), 1);
        let z = &r[0].zones[0];
        assert_eq!(z.line.free_cma, Some(231116));
        assert_eq!(z.reserve.as_deref(), Some(&[0, 10168, 10168][..]));
        assert_eq!(z.buddy.as_ref().unwrap().orders.len(), 12);
        assert!(r[0].complete);
    }

    #[test]
    fn split_node_fragment_and_two_reports() {
        let r = run("[ 1.0] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n\
             [ 2.0] Node 0 \n[ 2.1] other message\n[ 2.2] DMA32 free:10kB min:20kB low:30kB high:40kB\n\
             [ 3.0] b invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=1,\n\
             oom_score_adj=0\n");
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].zones[0].line.node, Some(0));
        assert!(!r[0].complete && !r[0].problems.is_empty());
        assert_eq!(r[1].start.order, Some(1));
    }

    #[test]
    fn first_line_wrapped_after_oom_killer() {
        // A mail client broke the line after "oom-killer:" (i.MX6UL, LKML).
        let r = run("[    8.710031] kworker/u2:2 invoked oom-killer:\n\
             gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n\
             [    8.719920] CPU: 0 PID: 29 Comm: kworker/u2:2 Not tainted\n\
             5.16.0-00095-g721fb891ad0b #95\n");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].start.order, Some(0));
    }

    #[test]
    fn zone_line_run_into_its_lowmem_reserve() {
        let r = run("> [1.0] kswapd0: page allocation failure: order:0, mode:0x140000a(GFP_NOIO|__GFP_HIGHMEM|__GFP_MOVABLE), nodemask=(null)\n\
             > [1.1] Normal free:14040kB min:7440kB low:94500kB high:98136kB reserved_highatomic:32768KB free_cma:0kB        [ 1.2] lowmem_reserve[]: 0 0\n\
             > [1.3] Normal: 860*4kB (H) 0*8kB = 3440kB\n");
        assert_eq!(r.len(), 1);
        let z = &r[0].zones[0];
        assert_eq!(z.line.free, 14040);
        assert_eq!(z.reserve.as_deref(), Some(&[0, 0][..]));
        assert!(z.buddy.is_some());
    }
}
