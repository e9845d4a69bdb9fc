// SPDX-License-Identifier: GPL-2.0

//! Parsers of the single lines of a kernel OOM report (mm/oom_kill.c
//! `dump_header()`, mm/show_mem.c or mm/page_alloc.c `show_free_areas()`),
//! in every format since 2.6.  Each takes one logical line (prefix taken
//! off, wrapped parts joined) and returns plain numbers as printed, in kB
//! or pages as the kernel printed them; nothing here knows the verdict
//! rules.

/// The zone names of `zone_names[]` (mm/page_alloc.c), every version.
pub const ZONE_NAMES: [&str; 6] = ["DMA", "DMA32", "Normal", "HighMem", "Movable", "Device"];

/// The line that starts a report: `COMM invoked oom-killer: gfp_mask=...,
/// order=N, ...` (2.6.1x on), `oom-killer: gfp_mask=0x..` (early 2.6), or
/// warn_alloc()'s `COMM: page allocation failure: order:N, mode:0x..`
/// (`failure. order:1, mode:0x20` before 3.x).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Start {
    /// An OOM report (else a page allocation failure report).
    pub oom: bool,
    /// The task, when printed.
    pub comm: Option<String>,
    /// The mask as printed in hex.
    pub gfp_hex: Option<u32>,
    /// The names printed after it in parentheses (4.6 on), `Some("")` for
    /// `0x0()`.
    pub gfp_names: Option<String>,
    /// `order=`, when printed (missing before 2.6.1x).
    pub order: Option<i32>,
    /// `nodemask=` of the invoked line (4.8-4.19) or of warn_alloc().
    pub nodemask: Option<String>,
    /// `mems_allowed=` of warn_alloc() (4.1x on).
    pub mems_allowed: Option<String>,
}

/// Parses a report's first line.
pub fn parse_start(s: &str) -> Option<Start> {
    let (oom, head, rest) = if let Some(i) = s.find("invoked oom-killer:") {
        (true, &s[..i], &s[i + 19..])
    } else if let Some(i) = s.find("oom-killer: gfp_mask=") {
        (true, &s[..i], &s[i + 11..])
    } else if let Some(i) = s.find("page allocation failure") {
        let r = &s[i + 23..];
        let r = r.strip_prefix(':').or_else(|| r.strip_prefix('.'))?;
        (false, &s[..i], r)
    } else {
        return None;
    };
    let comm = head.trim().trim_end_matches(':').trim();
    let mut st = Start {
        oom,
        comm: (!comm.is_empty()).then(|| comm.to_string()),
        ..Start::default()
    };
    let gfp_at = rest
        .find("gfp_mask=")
        .map(|i| i + 9)
        .or_else(|| rest.find("mode:").map(|i| i + 5))
        .or_else(|| rest.find("mode=").map(|i| i + 5));
    if let Some(i) = gfp_at {
        let v = &rest[i..];
        let hex_end = v
            .find(|c: char| !(c.is_ascii_hexdigit() || c == 'x' || c == 'X'))
            .unwrap_or(v.len());
        st.gfp_hex = parse_hex(&v[..hex_end]);
        if let Some(n) = v[hex_end..].strip_prefix('(') {
            if let Some(e) = n.find(')') {
                st.gfp_names = Some(n[..e].to_string());
            }
        }
    }
    for key in ["order=", "order:"] {
        if let Some(i) = find_key(rest, key) {
            st.order = parse_signed(&rest[i + key.len()..]);
        }
    }
    st.nodemask = value_after(rest, "nodemask=");
    st.mems_allowed = value_after(rest, "mems_allowed=");
    Some(st)
}

/// Position of `key` at the start of a word.
fn find_key(s: &str, key: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find(key) {
        let at = from + i;
        if at == 0 || !s.as_bytes()[at - 1].is_ascii_alphanumeric() && s.as_bytes()[at - 1] != b'_'
        {
            return Some(at);
        }
        from = at + key.len();
    }
    None
}

/// The value after `key` up to `,` or a space; `None` for `(null)`.
fn value_after(s: &str, key: &str) -> Option<String> {
    let i = find_key(s, key)? + key.len();
    let v = &s[i..];
    let end = v.find([',', ' ']).unwrap_or(v.len());
    let v = &v[..end];
    (v != "(null)" && !v.is_empty()).then(|| v.to_string())
}

/// `0x..` hexadecimal, or bare hex digits.
pub fn parse_hex(s: &str) -> Option<u32> {
    let h = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if h.is_empty() || h.len() > 8 {
        return None;
    }
    u32::from_str_radix(h, 16).ok()
}

fn parse_signed(s: &str) -> Option<i32> {
    let s = s.trim_start();
    let end = s
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
        .map_or(s.len(), |(i, _)| i);
    s[..end].parse().ok()
}

/// A number with an optional `kB`/`KB` unit, as the zone lines print them.
fn parse_kb(v: &str) -> Option<u64> {
    let v = v
        .strip_suffix("kB")
        .or_else(|| v.strip_suffix("KB"))
        .unwrap_or(v);
    if v.is_empty() || v.len() > 19 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

/// `Node N ` and a zone name at the start of `s`, followed by `sep`.
/// Returns (node, zone index in [`ZONE_NAMES`], rest after `sep`).
fn node_zone<'a>(s: &'a str, sep: &str) -> Option<(Option<u16>, usize, &'a str)> {
    let (node, r) = match s.strip_prefix("Node ") {
        Some(r) => {
            let end = r.find(' ')?;
            let n: u16 = r[..end].trim_end_matches(',').parse().ok()?;
            (Some(n), r[end + 1..].trim_start())
        }
        None => (None, s),
    };
    // "Node 0, zone DMA" is /proc/zoneinfo's, not the report's.
    let end = r.find([' ', ':'])?;
    let name = &r[..end];
    let zi = ZONE_NAMES.iter().position(|z| *z == name)?;
    let rest = r[end..].strip_prefix(sep)?;
    Some((node, zi, rest))
}

/// A zone's line: `[Node N ]ZONE free:NkB [boost:NkB ]min:NkB low:NkB
/// high:NkB [reserved_highatomic:NKB] ... [present:NkB managed:NkB] ...
/// [free_cma:NkB] ...`, every field in kB.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZoneLine {
    /// Node, when printed.
    pub node: Option<u16>,
    /// Index in [`ZONE_NAMES`].
    pub kind: usize,
    /// `free:`.
    pub free: u64,
    /// `min:`, `low:`, `high:` (the kernel prints them with the boost).
    pub wmark: [Option<u64>; 3],
    /// `boost:` (4.20 on).
    pub boost: Option<u64>,
    /// `reserved_highatomic:` (4.x on).
    pub reserved_highatomic: Option<u64>,
    /// `free_highatomic:` (6.1x on).
    pub free_highatomic: Option<u64>,
    /// `free_cma:` (3.5 on, `CONFIG_CMA` or not).
    pub free_cma: Option<u64>,
    /// `present:`.
    pub present: Option<u64>,
    /// `managed:` (3.x on).
    pub managed: Option<u64>,
}

/// Whether `s` starts a zone line.
pub fn is_zone_line(s: &str) -> bool {
    node_zone(s, " free:").is_some()
}

/// Parses a zone line (the `free:` of the first word is required).
pub fn parse_zone_line(s: &str) -> Option<ZoneLine> {
    let (node, kind, rest) = node_zone(s, " free:")?;
    let mut words = rest.split_ascii_whitespace();
    let mut z = ZoneLine {
        node,
        kind,
        free: parse_kb(words.next()?)?,
        ..ZoneLine::default()
    };
    for w in words {
        let Some((k, v)) = w.split_once(':') else {
            continue;
        };
        let Some(v) = parse_kb(v) else {
            continue;
        };
        match k {
            "min" => z.wmark[0] = Some(v),
            "low" => z.wmark[1] = Some(v),
            "high" => z.wmark[2] = Some(v),
            "boost" => z.boost = Some(v),
            "reserved_highatomic" => z.reserved_highatomic = Some(v),
            "free_highatomic" => z.free_highatomic = Some(v),
            "free_cma" => z.free_cma = Some(v),
            "present" => z.present = Some(v),
            "managed" => z.managed = Some(v),
            _ => {}
        }
    }
    Some(z)
}

/// `lowmem_reserve[]: 0 1907 15862 15862` (pages) or the 2.6.1x
/// `protections[]: ...`; (values, whether it was `protections[]`).
pub fn parse_reserve(s: &str) -> Option<(Vec<u64>, bool)> {
    let (rest, prot) = if let Some(r) = s.strip_prefix("lowmem_reserve[]:") {
        (r, false)
    } else if let Some(r) = s.strip_prefix("protections[]:") {
        (r, true)
    } else {
        return None;
    };
    let mut v = Vec::new();
    for w in rest.split_ascii_whitespace() {
        v.push(w.parse().ok()?);
        if v.len() > 16 {
            return None;
        }
    }
    Some((v, prot))
}

/// One order of a buddy line: `count*SIZEkB (LETTERS)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuddyOrder {
    /// Free blocks.
    pub count: u64,
    /// Block size in kB.
    pub block_kb: u64,
    /// Migrate type letters printed, as bits of [`LETTERS`].
    pub letters: u8,
}

/// Migrate type letters of `show_migration_types()`, every version:
/// Unmovable, Movable, rEclaimable, Highatomic (4.4 on), Cma, Isolate,
/// Reserve (before 4.4).
pub const LETTERS: [u8; 7] = *b"UMEHCIR";

/// A zone's buddy line: `[Node N ]ZONE: 1*4kB (U) 2*8kB (UM) ... = NkB`,
/// or `ZONE: empty`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuddyLine {
    /// Node, when printed.
    pub node: Option<u16>,
    /// Index in [`ZONE_NAMES`].
    pub kind: usize,
    /// Orders as printed.
    pub orders: Vec<BuddyOrder>,
    /// Whether any letters were printed.
    pub has_letters: bool,
    /// The `= NkB` total, when printed (the line is complete).
    pub total_kb: Option<u64>,
    /// An unknown migrate type letter was seen.
    pub odd_letter: bool,
}

/// Orders a buddy line may print: `MAX_PAGE_ORDER + 1` is at most 17 on
/// the kernels that print the most (ia64 and ppc64 with large pages, or
/// `CONFIG_ARCH_FORCE_MAX_ORDER`); more than that is taken as a misread.
pub const MAX_BUDDY_ORDERS: usize = 64;

/// Whether `s` starts a buddy line (`Node 0 DMA: 1*4kB ...`, `DMA: empty`,
/// or only its head `Node 0 DMA32:`, its blocks on the next lines).
pub fn is_buddy_line(s: &str) -> bool {
    match node_zone(s, ":") {
        Some((_, _, r)) => {
            let r = r.trim();
            r.is_empty()
                || r.starts_with("empty")
                || r.split('*')
                    .next()
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        }
        None => false,
    }
}

/// The sum of a buddy line's blocks in kB (`count * size` over its orders).
pub fn buddy_sum_kb(b: &BuddyLine) -> u64 {
    b.orders.iter().fold(0u64, |s, o| {
        s.saturating_add(o.count.saturating_mul(o.block_kb))
    })
}

/// Parses a buddy line (complete or not); `Err` names the word that could
/// not be read (or says why).
pub fn parse_buddy(s: &str) -> Result<BuddyLine, String> {
    let (node, kind, rest) = node_zone(s, ":").ok_or("no zone name")?;
    let mut b = BuddyLine {
        node,
        kind,
        ..BuddyLine::default()
    };
    let mut words = rest.split_ascii_whitespace().peekable();
    if words.peek() == Some(&"empty") {
        b.total_kb = Some(0);
        return Ok(b);
    }
    while let Some(w) = words.next() {
        if w == "=" {
            b.total_kb = words.next().and_then(parse_kb);
            if b.total_kb.is_none() {
                return Err("= without a total".into());
            }
            break;
        }
        if let Some(t) = w.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
            if let Some(last) = b.orders.last_mut() {
                for c in t.bytes() {
                    match LETTERS.iter().position(|&l| l == c) {
                        Some(i) => last.letters |= 1 << i,
                        None => b.odd_letter = true,
                    }
                }
                b.has_letters = true;
            }
            continue;
        }
        let (block, letters) = match w.find('(') {
            Some(i) => (&w[..i], Some(&w[i..])),
            None => (w, None),
        };
        let bad = || format!("{w:?}");
        let (n, size) = block.split_once('*').ok_or_else(bad)?;
        // A block size is a number of kB (`4kB`), never bare.
        let size = size
            .strip_suffix("kB")
            .or_else(|| size.strip_suffix("KB"))
            .ok_or_else(bad)?;
        let o = BuddyOrder {
            count: n.parse().map_err(|_| bad())?,
            block_kb: parse_kb(size).filter(|&k| k > 0).ok_or_else(bad)?,
            letters: 0,
        };
        if b.orders.len() >= MAX_BUDDY_ORDERS {
            return Err(format!("more than {MAX_BUDDY_ORDERS} orders"));
        }
        b.orders.push(o);
        if let Some(l) = letters {
            let l = l
                .strip_prefix('(')
                .and_then(|l| l.strip_suffix(')'))
                .ok_or_else(bad)?;
            let Some(last) = b.orders.last_mut() else {
                return Err(bad());
            };
            for c in l.bytes() {
                match LETTERS.iter().position(|&x| x == c) {
                    Some(i) => last.letters |= 1 << i,
                    None => b.odd_letter = true,
                }
            }
            b.has_letters = true;
        }
    }
    Ok(b)
}

/// The kernel's release from `CPU: 1 PID: 1 Comm: x Tainted: G O
/// 3.14.31-00017-g40fab71 #1`, `... Not tainted 5.10.0 #1`, `Pid: 1, comm:
/// x Not tainted 2.6.32-431.el6.x86_64 #1` or `Linux version 4.19.0 ...`:
/// (major, minor, the release string).
pub fn parse_version(s: &str) -> Option<(u32, u32, String)> {
    let rest = if let Some(i) = s.find("Not tainted ") {
        &s[i + 12..]
    } else if let Some(i) = s.find("Tainted: ") {
        // Skip the taint letters: the release is the first word with a dot
        // that starts with a digit.
        &s[i + 9..]
    } else if let Some(i) = s.find("Linux version ") {
        &s[i + 14..]
    } else {
        return None;
    };
    if !(s.contains("CPU:")
        || s.contains("Pid:")
        || s.contains("PID:")
        || s.contains("Linux version"))
    {
        return None;
    }
    for w in rest.split_ascii_whitespace().take(8) {
        let mut it = w.split(['.', '-', '_', '+']);
        let (Some(a), Some(b)) = (it.next(), it.next()) else {
            continue;
        };
        if let (Ok(major), Ok(minor)) = (a.parse::<u32>(), b.parse::<u32>()) {
            if (2..=9).contains(&major) && w.contains('.') {
                return Some((major, minor, w.to_string()));
            }
        }
    }
    None
}

/// `PID: 1371` / `Pid: 1371,` of the CPU line.
pub fn parse_pid(s: &str) -> Option<i32> {
    let i = s.find("PID: ").or_else(|| s.find("Pid: "))?;
    parse_signed(&s[i + 5..])
}

/// The 4.19-on summary line `oom-kill:constraint=CONSTRAINT_CPUSET,
/// nodemask=(null),cpuset=/,mems_allowed=0,...`: (constraint, nodemask,
/// mems_allowed).
pub fn parse_constraint(s: &str) -> Option<(String, Option<String>, Option<String>)> {
    let i = s.find("constraint=")?;
    let r = &s[i + 11..];
    let end = r.find([',', ' ']).unwrap_or(r.len());
    Some((
        r[..end].to_string(),
        value_after(r, "nodemask="),
        value_after(r, "mems_allowed="),
    ))
}

/// The 2.6.2x-4.18 line `COMM cpuset=/ mems_allowed=0-1`.
pub fn parse_mems_allowed(s: &str) -> Option<String> {
    if s.contains("constraint=") || !s.contains("cpuset=") {
        return None;
    }
    value_after(s, "mems_allowed=")
}

/// Parses a node list as the kernel prints nodemasks (`%*pbl`: `0-1,4`).
pub fn parse_node_list(s: &str) -> Option<Vec<u16>> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.parse::<u16>().ok()?, b.parse::<u16>().ok()?),
            None => {
                let a = part.parse::<u16>().ok()?;
                (a, a)
            }
        };
        if b < a || b >= 1024 {
            return None;
        }
        out.extend(a..=b);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_lines() {
        let s = parse_start(
            "systemd-journal invoked oom-killer: gfp_mask=0x800d0, order=0, oom_score_adj=0",
        )
        .unwrap();
        assert_eq!(
            (s.oom, s.comm.as_deref(), s.gfp_hex, s.order),
            (true, Some("systemd-journal"), Some(0x800d0), Some(0))
        );
        let s = parse_start("oom-killer: gfp_mask=0x2d0").unwrap();
        assert_eq!((s.comm, s.gfp_hex, s.order), (None, Some(0x2d0), None));
        let s = parse_start(
            "x invoked oom-killer: gfp_mask=0x24201ca(GFP_HIGHUSER_MOVABLE|__GFP_COLD), nodemask=0-1, order=2, oom_score_adj=0",
        )
        .unwrap();
        assert_eq!(
            s.gfp_names.as_deref(),
            Some("GFP_HIGHUSER_MOVABLE|__GFP_COLD")
        );
        assert_eq!((s.nodemask.as_deref(), s.order), (Some("0-1"), Some(2)));
        let s = parse_start("java invoked oom-killer: order=0, gfp_mask=0x201da, oomkilladj=0")
            .unwrap();
        assert_eq!((s.gfp_hex, s.order), (Some(0x201da), Some(0)));
        let s = parse_start("kworker/0:1: page allocation failure: order:3, mode:0x4020(GFP_ATOMIC|__GFP_COMP), nodemask=(null)").unwrap();
        assert!(!s.oom);
        assert_eq!(
            (s.gfp_hex, s.order, s.nodemask),
            (Some(0x4020), Some(3), None)
        );
        let s = parse_start("swapper: page allocation failure. order:1, mode:0x20").unwrap();
        assert_eq!(
            (s.comm.as_deref(), s.gfp_hex, s.order),
            (Some("swapper"), Some(0x20), Some(1))
        );
        let s = parse_start("bash invoked oom-killer: gfp_mask=0x0(), order=0, oom_score_adj=0")
            .unwrap();
        assert_eq!((s.gfp_hex, s.gfp_names.as_deref()), (Some(0), Some("")));
    }

    #[test]
    fn zone_lines() {
        let z = parse_zone_line("Node 0 DMA32 free:2636kB boost:0kB min:2744kB low:3428kB high:4112kB reserved_highatomic:0KB active_anon:4kB present:507776kB managed:490584kB free_cma:0kB").unwrap();
        assert_eq!(z.node, Some(0));
        assert_eq!(ZONE_NAMES[z.kind], "DMA32");
        assert_eq!(
            (z.free, z.wmark, z.boost),
            (2636, [Some(2744), Some(3428), Some(4112)], Some(0))
        );
        assert_eq!(
            (z.reserved_highatomic, z.managed, z.free_cma),
            (Some(0), Some(490584), Some(0))
        );
        let z = parse_zone_line("DMA free:6524kB min:1200kB low:1500kB high:1800kB active:80kB inactive:92kB present:16384kB pages_scanned:41 all_unreclaimable? no").unwrap();
        assert_eq!(
            (z.node, z.free, z.present, z.free_cma),
            (None, 6524, Some(16384), None)
        );
        assert!(parse_zone_line("Node 0 active_anon:1kB").is_none());
        assert!(parse_zone_line("Node 0, zone DMA").is_none());
    }

    #[test]
    fn buddy_lines() {
        let b =
            parse_buddy("Node 0 DMA32: 44*4kB (UM) 46*8kB (UM) 0*16kB 64*4096kB (C) = 265552kB")
                .unwrap();
        assert_eq!(b.orders.len(), 4);
        assert_eq!(b.orders[0].letters, 0b11);
        assert_eq!(
            b.orders[3],
            BuddyOrder {
                count: 64,
                block_kb: 4096,
                letters: 1 << 4
            }
        );
        assert_eq!(b.total_kb, Some(265552));
        let b = parse_buddy("DMA: 411*4kB 252*8kB 113*16kB").unwrap();
        assert!(!b.has_letters && b.total_kb.is_none());
        assert_eq!(parse_buddy("Normal: empty").unwrap().total_kb, Some(0));
        assert!(is_buddy_line("Node 1 Normal: 0*4kB 1*8kB"));
        assert!(!is_buddy_line("Node 0 DMA: hugepages"));
    }

    #[test]
    fn versions() {
        assert_eq!(
            parse_version(
                "CPU: 1 PID: 1371 Comm: systemd-journal Tainted: G O 3.14.31-00017-g40fab71 #1"
            )
            .unwrap()
            .0,
            3
        );
        assert_eq!(
            parse_version("CPU: 0 PID: 1 Comm: sh Not tainted 5.10.0 #1").map(|v| (v.0, v.1)),
            Some((5, 10))
        );
        assert_eq!(
            parse_version("Pid: 2519, comm: java Not tainted 2.6.32-431.el6.x86_64 #1")
                .map(|v| (v.0, v.1)),
            Some((2, 6))
        );
        assert_eq!(
            parse_version("CPU: 3 PID: 7 Comm: a Tainted: G        W  OE     4.14.0-rc1+ #1")
                .map(|v| (v.0, v.1)),
            Some((4, 14))
        );
    }

    #[test]
    fn constraints() {
        let (c, n, m) = parse_constraint("oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=t,mems_allowed=1,global_oom").unwrap();
        assert_eq!(
            (c.as_str(), n, m.as_deref()),
            ("CONSTRAINT_CPUSET", None, Some("1"))
        );
        assert_eq!(
            parse_mems_allowed("sh cpuset=/ mems_allowed=0-1").as_deref(),
            Some("0-1")
        );
        assert_eq!(parse_node_list("0-1,4"), Some(vec![0, 1, 4]));
    }
}
