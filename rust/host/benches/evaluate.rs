// SPDX-License-Identifier: GPL-2.0
//! Benchmark: time to evaluate one OOM event over a NUMA-sized zone set.
//! Prints numbers; asserts nothing about speed.  `cargo bench`.

use oomfrag_engine::event::Event;
use oomfrag_engine::gfp_types;
use oomfrag_engine::platform::Platform;
use oomfrag_engine::report::*;
use oomfrag_engine::request::*;
use oomfrag_engine::verdict::*;
use oomfrag_engine::zone::*;
use std::time::Instant;

fn main() {
    let p = Platform {
        zone_idx: [Some(0), Some(1), Some(2), None, Some(3), None],
        cma: true,
        mobility_disabled: false,
        page_shift: 12,
        numa: true,
    };
    let mut zones = Vec::new();
    for node in 0..8u16 {
        for idx in 0..4u8 {
            let mut z = ZoneSnapshot::empty(node, idx, ZoneType::Normal, 11);
            for o in 0..11 {
                z.nr_free[o] = 1000 >> o;
                z.nonempty[o] = 0b11;
            }
            z.free = (0..z.orders()).map(|o| z.nr_free[o] << o).sum();
            z.wmark = [500, 600, 700];
            zones.push(z);
        }
    }
    let iters = 20_000u32;
    let mut e = Event::new(vec![ZoneVerdict::EMPTY; zones.len()]);
    let start = Instant::now();
    for i in 0..iters {
        let req = Request {
            trigger: Trigger::Alloc,
            order: Some((i % 4) as i32),
            gfp: Some(gfp_types::KERNEL),
            ..Request::unknown(gfp_types::KERNEL)
        };
        e.evaluate(&p, std::hint::black_box(&zones), req);
    }
    let ns = start.elapsed().as_nanos() / iters as u128;
    println!(
        "evaluate: {} zones, {} ns per event ({} iterations)",
        zones.len(),
        ns,
        iters
    );
    let mut s = String::new();
    let start = Instant::now();
    for _ in 0..2000 {
        s.clear();
        use std::fmt::Write;
        write!(s, "{}", EventText(&p, &e)).unwrap();
    }
    println!(
        "format: {} bytes, {} ns per event",
        s.len(),
        start.elapsed().as_nanos() / 2000
    );
}
