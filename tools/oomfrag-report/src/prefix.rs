// SPDX-License-Identifier: GPL-2.0

//! Log line prefixes: what `dmesg`, `dmesg -T`, syslog, `journalctl -k`,
//! serial consoles, mail quoting and web pages put in front of the kernel's
//! message, taken off so the parsers see the message as printk wrote it.
//!
//! Recognised, in the order they can be stacked:
//!
//! * mail quoting (`> `, `>> `) and list bullets (`- `) of pasted reports;
//! * syslog and journal headers (`Mar  3 12:00:01 host kernel: `,
//!   `2024-03-03T12:00:01+0000 host kernel: `): everything up to the first
//!   `kernel: ` within the first 120 bytes;
//! * `dmesg -x` facility/level columns (`kern  :warn  : `);
//! * the console log level (`<4>`);
//! * printk timestamps (`[  123.456789]`, `[Mon Mar  3 12:00:01 2025]`) and
//!   the caller id (`[    T1]`, `[  C0]`);
//! * after a timestamp, the CPU and task tag of Samsung/Android kernels
//!   (`[3:  Binder:9343_3:22875]`, `[4:        kswapd0: 1209]`).

/// A message without its log prefix, and whether any prefix was found
/// (a line without one inside a report that has them is a wrapped line).
pub fn strip(line: &str) -> (&str, bool) {
    let mut s = line.trim_end_matches(['\r', '\n']);
    let mut had = false;
    // Mail quoting and bullets.
    loop {
        let t = s.trim_start_matches([' ', '\t']);
        if let Some(r) = t.strip_prefix('>') {
            s = r;
        } else if let Some(r) = t.strip_prefix("- ") {
            s = r;
        } else {
            s = t;
            break;
        }
    }
    // Syslog / journal header.
    if let Some(i) = find_kernel_tag(s) {
        s = &s[i..];
        had = true;
    }
    // dmesg -x: "kern  :warn  : ".
    if let Some(r) = strip_facility(s) {
        s = r;
        had = true;
    }
    for _ in 0..4 {
        let t = s.trim_start_matches(' ');
        if let Some(r) = strip_level(t) {
            s = r;
            had = true;
        } else if let Some(r) = strip_stamp(t) {
            s = r;
            had = true;
        } else if let Some(r) = strip_cpu_task(t).filter(|_| had) {
            s = r;
        } else {
            break;
        }
    }
    if had {
        s = s.strip_prefix(' ').unwrap_or(s);
    }
    (s, had)
}

/// The time in a line's prefix (the part [`strip`] takes off): the syslog
/// or journal date and the printk timestamp, whichever are printed
/// (`Mar 3 12:00:01 [5.1]`, `[4738.329607]`, `[Mon Mar 3 12:00:01 2025]`),
/// blanks collapsed; `None` without either.
pub fn time_of(prefix: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = prefix;
    if let Some(i) = find_kernel_tag(prefix) {
        let words: Vec<&str> = prefix[..i]
            .split_ascii_whitespace()
            .skip_while(|w| w.bytes().all(|b| b == b'>' || b == b'-'))
            .collect();
        // DATE... HOST kernel:
        if words.len() >= 3 {
            let date = &words[..words.len() - 2];
            if date[0]
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
            {
                parts.push(date.join(" "));
            }
        }
        rest = &prefix[i..];
    }
    while let Some(open) = rest.find('[') {
        let r = &rest[open + 1..];
        let Some(end) = r.find(']') else {
            break;
        };
        let body = r[..end].trim();
        let secs = body.contains('.') && body.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        let year = body.rsplit(' ').next().unwrap_or("");
        let date =
            body.contains(':') && year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
        if secs || date {
            let words: Vec<&str> = body.split_ascii_whitespace().collect();
            parts.push(format!("[{}]", words.join(" ")));
            break;
        }
        rest = &r[end + 1..];
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// A record as `/dev/kmsg` gives it (Documentation/ABI/testing/dev-kmsg):
/// `LEVEL,SEQ,USEC,FLAG[,caller=T1,...];TEXT`, the text with every byte
/// below a blank, above `~` and `\` written `\xNN`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KmsgRecord<'a> {
    /// Microseconds since boot (the printk timestamp).
    pub usec: u64,
    /// `-`, or `c` (a line continued by the next records, 3.5-4.x) or `+`
    /// (such a continuation).
    pub flag: u8,
    /// The text, still escaped.
    pub text: &'a str,
}

impl KmsgRecord<'_> {
    /// The printk timestamp as dmesg prints it, `[5.678901]`.
    pub fn time(&self) -> String {
        format!("[{}.{:06}]", self.usec / 1_000_000, self.usec % 1_000_000)
    }

    /// The text unescaped (`\x0a` is a newline: the lines of a
    /// multi-line message such as Mem-Info's counters).
    pub fn unescaped(&self) -> String {
        let b = self.text.as_bytes();
        if !b.contains(&b'\\') {
            return self.text.to_string();
        }
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') && i + 3 < b.len() {
                if let (Some(h), Some(l)) = (hex(b[i + 2]), hex(b[i + 3])) {
                    out.push((h * 16 + l) as u8);
                    i += 4;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// Reads a `/dev/kmsg` record's header (see [`KmsgRecord`]); mail quoting
/// before it is allowed.
pub fn kmsg_record(line: &str) -> Option<KmsgRecord<'_>> {
    let line = line.trim_start_matches(['>', ' ']);
    let semi = line.as_bytes().iter().take(160).position(|&b| b == b';')?;
    let mut f = line[..semi].split(',');
    fn num(w: Option<&str>, max: usize) -> Option<&str> {
        w.filter(|w| !w.is_empty() && w.len() <= max && w.bytes().all(|b| b.is_ascii_digit()))
    }
    num(f.next(), 4)?;
    num(f.next(), 20)?;
    let usec = num(f.next(), 20)?.parse().ok()?;
    let flag = match f.next()? {
        "-" => b'-',
        "c" => b'c',
        "+" => b'+',
        _ => return None,
    };
    // Fields added later (`caller=T1`): `key=value`, no blank.
    if !f.all(|w| w.contains('=') && !w.bytes().any(|b| b.is_ascii_whitespace())) {
        return None;
    }
    Some(KmsgRecord {
        usec,
        flag,
        text: line[semi + 1..].trim_end_matches(['\r', '\n']),
    })
}

/// A `/dev/kmsg` dictionary line continuing a record: a blank, then
/// `KEY=value` (`SUBSYSTEM=acpi`, `DEVICE=+acpi:PNP0A03:00`).
pub fn is_kmsg_dict(line: &str) -> bool {
    let Some(r) = line.strip_prefix(' ') else {
        return false;
    };
    let Some((k, _)) = r.split_once('=') else {
        return false;
    };
    !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// The offset just past `kernel: ` (or `kernel[`pid`]: `) if it is within
/// the first 120 bytes.
fn find_kernel_tag(s: &str) -> Option<usize> {
    let head = &s.as_bytes()[..s.len().min(120)];
    let mut from = 0;
    while let Some(i) = find(&head[from..], b"kernel") {
        let at = from + i;
        let rest = &s.as_bytes()[at + 6..];
        let start_ok = at == 0 || head[at - 1] == b' ';
        if start_ok {
            if rest.starts_with(b": ") {
                return Some(at + 8);
            }
            if rest.first() == Some(&b'[') {
                if let Some(j) = rest.iter().position(|&b| b == b']') {
                    if rest[j + 1..].starts_with(b": ") {
                        return Some(at + 6 + j + 3);
                    }
                }
            }
        }
        from = at + 6;
    }
    None
}

/// Finds `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        match hay[i..=hay.len() - needle.len()]
            .iter()
            .position(|&b| b == first)
        {
            None => return None,
            Some(p) => {
                let at = i + p;
                if &hay[at..at + needle.len()] == needle {
                    return Some(at);
                }
                i = at + 1;
            }
        }
    }
    None
}

fn strip_facility(s: &str) -> Option<&str> {
    for fac in ["kern", "user", "daemon", "syslog"] {
        if let Some(r) = s.strip_prefix(fac) {
            let r = r.trim_start_matches(' ').strip_prefix(':')?;
            let end = r.find(':')?;
            let lvl = r[..end].trim();
            if !lvl.is_empty() && lvl.len() <= 6 && lvl.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Some(r[end + 1..].trim_start_matches(' '));
            }
            return None;
        }
    }
    None
}

/// `<4>`, `<12>`.
fn strip_level(s: &str) -> Option<&str> {
    let r = s.strip_prefix('<')?;
    let end = r.find('>')?;
    if end == 0 || end > 3 || !r[..end].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(&r[end + 1..])
}

/// `[  123.456789]`, `[Mon Mar  3 12:00:01 2025]`, `[    T1]`, `[  C0]`.
fn strip_stamp(s: &str) -> Option<&str> {
    let r = s.strip_prefix('[')?;
    let end = r.as_bytes().iter().take(40).position(|&b| b == b']')?;
    let body = r[..end].trim();
    let b = body.as_bytes();
    let stamp = !b.is_empty()
        && b.iter().any(u8::is_ascii_digit)
        && b.iter().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, b' ' | b'.' | b':' | b'+' | b'-' | b',')
        })
        && (b.contains(&b'.') || b.contains(&b':') || matches!(b[0], b'T' | b'C'));
    // "[<c0012fcc>]" (a backtrace address) and "[ pid ]" are not stamps.
    if !stamp {
        return None;
    }
    Some(&r[end + 1..])
}

/// `[3:  Binder:9343_3:22875]`, `[4:        kswapd0: 1209]`: the CPU, the
/// task's name and its pid that Samsung/Android kernels print after the
/// timestamp (the name may hold `:` and spaces; the pid ends the tag).
fn strip_cpu_task(s: &str) -> Option<&str> {
    let r = s.strip_prefix('[')?;
    let colon = r.find(':')?;
    if colon == 0 || colon > 3 || !r[..colon].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let end = colon
        + r.as_bytes()[colon..]
            .iter()
            .take(48)
            .position(|&b| b == b']')?;
    let (name, pid) = r[colon + 1..end].rsplit_once(':')?;
    let pid = pid.trim_start();
    if name.trim().is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(&r[end + 1..])
}

#[cfg(test)]
mod tests {
    use super::{strip, time_of};

    #[test]
    fn times() {
        let msg = "x invoked oom-killer: gfp_mask=0xcc0, order=0";
        for (line, want) in [
            ("[ 4738.329607] ", Some("[4738.329607]")),
            ("- <4>[1.0] ", Some("[1.0]")),
            ("[  123.456789][    T1] ", Some("[123.456789]")),
            (
                "[Mon Mar  3 12:00:01 2025] ",
                Some("[Mon Mar 3 12:00:01 2025]"),
            ),
            (
                "Mar  3 12:00:01 myhost kernel: [ 5.1] ",
                Some("Mar 3 12:00:01 [5.1]"),
            ),
            (
                "> 2024-03-03T12:00:01+00:00 h kernel: ",
                Some("2024-03-03T12:00:01+00:00"),
            ),
            (
                "<4>[ 6207.637627]  [3:  Binder:9343_3:22875] ",
                Some("[6207.637627]"),
            ),
            ("kern  :warn  : ", None),
            ("", None),
        ] {
            let full = format!("{line}{msg}");
            let (m, _) = strip(&full);
            assert_eq!(m, msg, "{line:?}");
            let at = full.len() - m.len();
            assert_eq!(time_of(&full[..at]).as_deref(), want, "{line:?}");
        }
    }

    #[test]
    fn prefixes() {
        let want = "Node 0 DMA free:15908kB";
        for line in [
            "Node 0 DMA free:15908kB",
            "[  123.456789] Node 0 DMA free:15908kB",
            "[  123.456789][    T1] Node 0 DMA free:15908kB",
            "<4>[ 123.456] Node 0 DMA free:15908kB",
            "[Mon Mar  3 12:00:01 2025] Node 0 DMA free:15908kB",
            "Mar  3 12:00:01 myhost kernel: Node 0 DMA free:15908kB",
            "Mar  3 12:00:01 myhost kernel: [ 5.1] Node 0 DMA free:15908kB",
            "2024-03-03T12:00:01.123+00:00 h kernel: Node 0 DMA free:15908kB",
            "Mar 03 12:00:01 host kernel[0]: Node 0 DMA free:15908kB",
            "> > [  1.0] Node 0 DMA free:15908kB",
            "- <4>[12345.581839] Node 0 DMA free:15908kB",
            "kern  :warn  : [  1.2] Node 0 DMA free:15908kB",
            "<6>Node 0 DMA free:15908kB\r",
            "<4>[ 6207.637627]  [3:  Binder:9343_3:22875] Node 0 DMA free:15908kB",
            "<4>[  156.701738]  [4:        kswapd0: 1209] Node 0 DMA free:15908kB",
        ] {
            assert_eq!(strip(line).0, want, "{line:?}");
        }
        assert!(!strip("inactive_anon:1kB").1);
        assert_eq!(
            strip("[<c0012fcc>] (dump_backtrace)").0,
            "[<c0012fcc>] (dump_backtrace)"
        );
        assert_eq!(strip("[ pid ]   uid  tgid").0, "[ pid ]   uid  tgid");
        // Without a timestamp before it, a bracketed `N:name:pid` is text.
        assert_eq!(strip("[3:  a_b:1] x").0, "[3:  a_b:1] x");
    }
}
