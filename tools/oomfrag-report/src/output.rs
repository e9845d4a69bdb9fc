// SPDX-License-Identifier: GPL-2.0

//! Output: the module's lines, `--explain`'s sentences with the
//! arithmetic, and `--json` (one object per line, written by hand).

use crate::analysis::{Analysis, ZoneOut};
use crate::lists::ZoneLists;
use crate::segment::RawReport;
use std::fmt::Write;

fn order_kb(o: u8, page_kb: u64) -> u64 {
    page_kb << o
}

/// The explanation of one zone's decisive check, with its numbers.
fn zone_sentence(a: &Analysis, z: &ZoneOut, order: u8) -> String {
    let name = format!("{} (node {})", z.name, z.node);
    if !z.eligible {
        return format!(
            "{name}: not eligible (above this request's highest zone {}, or outside its nodes).",
            a.highest.unwrap_or("?")
        );
    }
    let gfp = if a.gfp_names.is_empty() {
        "this"
    } else {
        &a.gfp_names
    };
    let chk = if a.last_chance {
        "last-chance check at high"
    } else {
        "min"
    };
    let mark = if a.last_chance { "high" } else { "min" };
    let reserve = if z.reserve_kb > 0 {
        format!(" + lowmem_reserve {} kB", z.reserve_kb)
    } else {
        String::new()
    };
    let thr = z.min_kb + z.reserve_kb as i64;
    let mut cut = String::new();
    let mut usable = z.free_kb as i64;
    if a.cma && !a.may_cma && z.free_cma_kb > 0 {
        let _ = write!(cut, " - free_cma {} kB", z.free_cma_kb);
        usable -= z.free_cma_kb as i64;
    }
    if z.highatomic_kb > 0 {
        let _ = write!(cut, " - highatomic {} kB", z.highatomic_kb);
        usable -= z.highatomic_kb as i64;
    }
    let adj = if z.min_kb != z.mark_kb as i64 {
        format!(" (reduced from {} kB for this request)", z.mark_kb)
    } else {
        String::new()
    };
    let base = if cut.is_empty() {
        format!("free {} kB", z.free_kb)
    } else {
        format!("free {} kB{cut} = {usable} kB", z.free_kb)
    };
    match z.cause {
        "none" if !z.supplies => format!(
            "{name}: {base} > {mark} {} kB{adj}{reserve}: passes the {chk} check, but no block of order {order} or larger is on a list it may use (largest usable order {}): the allocator takes nothing from it (rmqueue() fails).",
            z.min_kb,
            opt(z.largest_usable)
        ),
        "none" if !z.lists_read => format!(
            "{name}: {base} > {mark} {} kB{adj}{reserve}: passes the {chk} check (the report has no free-list line for it).",
            z.min_kb
        ),
        "none" => format!(
            "{name}: {base} > {mark} {} kB{adj}{reserve}, and a block of order {order} or larger is free on a list it may use (largest usable order {}): passes the {chk} check.",
            z.min_kb,
            opt(z.largest_usable)
        ),
        "exhaustion" => format!(
            "{name}: {base}; even all {} kB free <= {mark} {} kB{adj}: exhausted.",
            z.free_kb, z.min_kb
        ),
        "lowmem_reserve" => format!(
            "{name}: {base} > {mark} {} kB{adj}, but <= {mark}{reserve} = {thr} kB: the rest is kept for requests that cannot use higher zones (lowmem_reserve).",
            z.min_kb
        ),
        "cma" if usable <= thr => format!(
            "{name}: {base} <= {mark} {} kB{adj}{reserve}: this {gfp} request cannot use CMA (only movable requests may).",
            z.min_kb
        ),
        "highatomic" if usable <= thr => format!(
            "{name}: {base} <= {mark} {} kB{adj}{reserve}: the rest is the high-atomic reserve, which this request may not use.",
            z.min_kb
        ),
        "cma" | "highatomic" => format!(
            "{name}: {base} > {mark} {} kB{adj}{reserve}, but the only free blocks of order {order} or larger are {} blocks this request may not use (largest usable order {}, largest of any type {}).",
            z.min_kb,
            if z.cause == "cma" { "CMA" } else { "high-atomic" },
            opt(z.largest_usable),
            opt(z.largest_any)
        ),
        "fragmentation" => match z.legacy_fail {
            Some((o, left, min)) => format!(
                "{name}: {base} > {mark} {} kB{adj}{reserve}, but this kernel also required free pages above each order: after taking away the blocks of orders 0-{o}, {left} kB <= {mark}/2^{} = {min} kB: fragmentation.",
                z.min_kb,
                o + 1
            ),
            None => format!(
                "{name}: {base} > {mark} {} kB{adj}{reserve}, but no free block of order {order} ({} kB) or larger is on a list this request may use (largest usable order {}): fragmentation.",
                z.min_kb,
                order_kb(order, a.page_kb),
                opt(z.largest_usable)
            ),
        },
        c => format!("{name}: cause {c}."),
    }
}

fn opt(o: Option<u8>) -> String {
    o.map_or("none".into(), |o| o.to_string())
}

/// `--explain`'s sentences.
pub fn explain(a: &Analysis) -> Vec<String> {
    let mut out = Vec::new();
    let order = a.order.filter(|o| *o >= 0).unwrap_or(0) as u8;
    if a.memcg {
        out.push("A memory cgroup reached its limit: the OOM is the cgroup's, not a shortage in any zone.".into());
        return out;
    }
    match a.order {
        Some(o) if o >= 0 => out.push(format!(
            "Request: order {o} ({} kB), gfp {}; highest zone {}{}.",
            order_kb(o as u8, a.page_kb),
            if a.gfp_names.is_empty() {
                "none"
            } else {
                &a.gfp_names
            },
            a.highest.unwrap_or("none"),
            if a.cma {
                if a.may_cma {
                    "; may use CMA (movable)"
                } else {
                    "; may not use CMA (not movable)"
                }
            } else {
                ""
            }
        )),
        Some(_) => {
            out.push("A manual OOM (sysrq-f): judged as an order-0 GFP_KERNEL request.".into())
        }
        None if a.headless => {
            out.push("A Mem-Info block without its first line: no request to judge.".into())
        }
        None => out.push("The report does not print the order.".into()),
    }
    out.extend(a.notes.iter().cloned());
    if !a.page_fault {
        for z in &a.zones {
            out.push(zone_sentence(a, z, order));
            for (o, l) in &z.mixed {
                out.push(format!(
                    "{} order {o} lists ({l}) mix blocks this request may and may not use; the allocator only asks whether a usable list is non-empty, which the letters show, so the verdict does not depend on how those blocks split.",
                    z.name
                ));
            }
        }
    }
    if !a.per_order.is_empty() {
        let mut runs: Vec<(u8, u8, &str)> = Vec::new();
        for &(o, v) in &a.per_order {
            match runs.last_mut() {
                Some(r) if r.2 == v => r.1 = o,
                _ => runs.push((o, o, v)),
            }
        }
        let text: Vec<String> = runs
            .iter()
            .map(|(x, y, v)| {
                if x == y {
                    format!("order {x}: {v}")
                } else {
                    format!("orders {x}-{y}: {v}")
                }
            })
            .collect();
        out.push(if a.headless {
            format!("Were there a GFP_KERNEL request: {}.", text.join("; "))
        } else {
            format!("Were the order known: {}.", text.join("; "))
        });
    }
    let v = &a.verdict;
    out.push(match v.as_str() {
        "none" => "Verdict none: an eligible zone passes its check in this report, so the memory came back between the failure and the report (the kernel raced with freed memory).".into(),
        "unknown" => format!("Verdict unknown: the report lacks {}.", a.missing.join(", ")),
        "no_eligible_zone" => "Verdict no_eligible_zone: the request's nodes and zones leave no zone to allocate from.".into(),
        _ => format!("Verdict {v}{}.", if a.last_chance { " (from the last-chance check at the high watermark, just before the OOM killer)" } else { "" }),
    });
    out
}

/// Escapes a JSON string.
fn js(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    if !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20) {
        o.push_str(s);
        o.push('"');
        return o;
    }
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A key=value line as a JSON object (numbers stay numbers).
fn kv_object(line: &str) -> String {
    let body = line.strip_prefix("oomfrag: ").unwrap_or(line);
    let mut o = String::from("{");
    for (i, w) in body.split(' ').filter(|w| w.contains('=')).enumerate() {
        let (k, v) = w.split_once('=').unwrap_or((w, ""));
        if i > 0 {
            o.push(',');
        }
        let digit = |b: Option<&u8>| b.is_some_and(u8::is_ascii_digit);
        let num = (digit(v.as_bytes().first())
            || (v.starts_with('-') && digit(v.as_bytes().get(1))))
            && v.parse::<f64>().is_ok()
            && !v.starts_with('+')
            && !(v.len() > 1 && v.starts_with('0') && !v.starts_with("0."));
        let _ = write!(o, "{}:{}", js(k), if num { v.to_string() } else { js(v) });
    }
    o.push('}');
    o
}

/// One report as a JSON object on one line.
pub fn json(a: &Analysis) -> String {
    let mut o = String::from("{");
    let _ = write!(o, "\"verdict\":{}", js(&a.verdict));
    let _ = write!(o, ",\"summary\":{}", kv_object(&a.lines[0]));
    o.push_str(",\"zones\":[");
    for (i, l) in a.lines[1..].iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        o.push_str(&kv_object(l));
    }
    o.push_str("],\"missing\":[");
    o.push_str(
        &a.missing
            .iter()
            .map(|m| js(m))
            .collect::<Vec<_>>()
            .join(","),
    );
    o.push_str("],\"assumed\":[");
    o.push_str(
        &a.assumed
            .iter()
            .map(|m| js(m))
            .collect::<Vec<_>>()
            .join(","),
    );
    o.push_str("],\"explain\":[");
    o.push_str(
        &explain(a)
            .iter()
            .map(|m| js(m))
            .collect::<Vec<_>>()
            .join(","),
    );
    o.push_str("]}");
    o
}

fn js_list<S: AsRef<str>>(v: &[S]) -> String {
    v.iter()
        .map(|m| js(m.as_ref()))
        .collect::<Vec<_>>()
        .join(",")
}

fn js_opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or("null".into(), |v| v.to_string())
}

/// One zone's chart as JSON (see [`ZoneLists`]).
fn lists_json(l: &ZoneLists) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "{{\"node\":{},\"zone\":{},\"page_kb\":{},\"printed\":{},\"letters\":{},\"odd_letter\":{},\"total_kb\":{},\"usable_types\":{}",
        l.node,
        js(l.zone),
        l.page_kb,
        l.printed,
        l.letters,
        l.odd_letter,
        js_opt(l.total_kb),
        js(&l.usable_types)
    );
    let _ = write!(
        o,
        ",\"check\":{{\"mark\":{},\"mark_kb\":{},\"min_kb\":{},\"threshold_kb\":{},\"free_kb\":{}}}",
        js(l.check_mark),
        l.check_mark_kb,
        l.check_min_kb,
        l.check_kb,
        l.check_free_kb
    );
    o.push_str(",\"orders\":[");
    for (i, x) in l.orders.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        let _ = write!(
            o,
            "{{\"order\":{},\"count\":{},\"block_kb\":{},\"types\":{},\"usable\":{},\"class\":{}}}",
            js_opt(x.order),
            x.count,
            x.block_kb,
            js(&x.types),
            js(&x.usable),
            js(x.class)
        );
    }
    o.push_str("]}");
    o
}

/// One report as `--json` prints it: [`json`]'s object with the keys that
/// came later (the page in web/ reads them): `time` (the log's, of the
/// first line, or null), `problems` (what the text output prints after the
/// lines: why the report may be incomplete), `zones_dropped` and
/// `unmatched_buddy_lines` (zones beyond the cap, buddy lines without their
/// zone line), `lines` (the lines the text output prints, `summary` and
/// `zones` as text), and `lists`, one chart per entry of `zones` (see
/// [`crate::lists`]).
pub fn json_report(a: &Analysis, r: &RawReport, lists: &[ZoneLists]) -> String {
    let mut o = json(a);
    o.pop();
    let _ = write!(
        o,
        ",\"time\":{},\"problems\":[{}],\"zones_dropped\":{},\"unmatched_buddy_lines\":{},\"lines\":[{}],\"lists\":[",
        r.time.as_deref().map_or("null".into(), js),
        js_list(&r.problems),
        r.zones_dropped,
        r.orphan_buddies,
        js_list(&a.lines)
    );
    o.push_str(&lists.iter().map(lists_json).collect::<Vec<_>>().join(","));
    o.push_str("]}");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_escaped() {
        assert_eq!(js("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
        assert_eq!(
            kv_object("oomfrag: event=oom seq=1 gfp=0xcc0(GFP_KERNEL) idx=-1.000 comm=007"),
            "{\"event\":\"oom\",\"seq\":1,\"gfp\":\"0xcc0(GFP_KERNEL)\",\"idx\":-1.000,\"comm\":\"007\"}"
        );
    }
}
