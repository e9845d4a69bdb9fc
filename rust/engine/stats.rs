// SPDX-License-Identifier: GPL-2.0

//! The counters of the `stats` file, over every OOM event since load.

use super::event::Summary;
use super::oom::{
    Constraint,
    Kill,
    NoKill, //
};
use super::request::Trigger;
use super::verdict::Verdict;

/// Counters for the `stats` file.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    /// OOM events seen (calls of `out_of_memory()`, killing or not).
    pub events: u64,
    /// Events by verdict, in `Verdict::ALL` order.
    pub by_verdict: [u64; Verdict::COUNT],
    /// Events by trigger, in `Trigger::ALL` order.
    pub by_trigger: [u64; Trigger::COUNT],
    /// Events by constraint, in `Constraint::ALL` order.
    pub by_constraint: [u64; Constraint::COUNT],
    /// Events where `out_of_memory()` goes on to kill.
    pub kill: u64,
    /// Events where it returns without killing, by reason (`NoKill::ALL`).
    pub no_kill: [u64; NoKill::COUNT],
    /// Events where the module cannot tell.
    pub kill_unknown: u64,
    /// Lines not printed because of rate limiting.
    pub suppressed: u64,
    /// Compute time of the last event, ns.
    pub last_ns: u64,
    /// Largest compute time seen, ns.
    pub max_ns: u64,
    /// Whether the request-capturing kprobe is active.
    pub kprobe: bool,
}

impl Stats {
    /// Counts an event.
    pub fn record(&mut self, e: &Summary) {
        self.events += 1;
        self.by_verdict[e.verdict as usize] += 1;
        self.by_trigger[e.req.trigger as usize] += 1;
        self.by_constraint[e.constraint as usize] += 1;
        match e.kill {
            _ if !e.called_oom() => {}
            Kill::Yes => self.kill += 1,
            Kill::No(r) => self.no_kill[r as usize] += 1,
            Kill::Unknown(_) => self.kill_unknown += 1,
        }
        self.last_ns = e.compute_ns;
        self.max_ns = self.max_ns.max(e.compute_ns);
    }
}
