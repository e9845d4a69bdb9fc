// SPDX-License-Identifier: GPL-2.0

//! What the module remembers of OOM events: the last [`HISTORY`] events for
//! the `last` file, the `stats` counters, and the print rate limit.

use crate::engine::event::Event;
use crate::engine::stats::Stats;
use crate::engine::verdict::ZoneVerdict;
use crate::glue::clock::Instant;
use kernel::prelude::*;

/// An event whose zone verdicts live in a buffer sized at load.
pub(crate) type KEvent = Event<KVec<ZoneVerdict>>;

/// A preallocated event with room for `zones` zones.
pub(crate) fn new_event(zones: usize) -> Result<KEvent> {
    Ok(Event::new(KVec::from_elem(
        ZoneVerdict::EMPTY,
        zones,
        GFP_KERNEL,
    )?))
}

/// OOM verdicts kept for the `last` file.
pub(crate) const HISTORY: usize = 8;
/// At most this many events are printed per [`RATELIMIT_NS`]; later ones are
/// counted in `stats` and kept in `last`.
const RATELIMIT_BURST: u32 = 10;
const RATELIMIT_NS: i64 = 5_000_000_000;

/// A print rate limit: at most [`RATELIMIT_BURST`] lines per
/// [`RATELIMIT_NS`] (as the kernel's `DEFAULT_RATELIMIT_*`, in spirit).
#[derive(Default)]
pub(crate) struct RateLimit {
    start: Option<Instant>,
    count: u32,
}

impl RateLimit {
    /// A limit whose first window starts with the first line.
    pub(crate) const fn new() -> Self {
        Self {
            start: None,
            count: 0,
        }
    }

    /// Whether one more line may be printed now.
    pub(crate) fn allow(&mut self) -> bool {
        let now = Instant::now();
        if self.start.is_none_or(|s| now.nanos_since(s) > RATELIMIT_NS) {
            self.start = Some(now);
            self.count = 0;
        }
        self.count += 1;
        self.count <= RATELIMIT_BURST
    }
}

/// The event ring, counters and rate limit (under the module's spinlock).
pub(crate) struct History {
    events: KVec<KEvent>,
    next: usize,
    /// Counters for the `stats` file.
    pub(crate) stats: Stats,
    window: RateLimit,
}

impl History {
    /// An empty history with its ring preallocated, each event with room
    /// for `zones` zones.
    pub(crate) fn new(zones: usize) -> Result<Self> {
        let mut events = KVec::with_capacity(HISTORY, GFP_KERNEL)?;
        for _ in 0..HISTORY {
            events.push(new_event(zones)?, GFP_KERNEL)?;
        }
        Ok(Self {
            events,
            next: 0,
            stats: Stats::default(),
            window: RateLimit::new(),
        })
    }

    /// The next slot of the ring, to be filled in place (an event is too
    /// big for a kprobe handler's stack); it becomes the newest event.
    pub(crate) fn next_slot(&mut self) -> &mut KEvent {
        let i = self.next % HISTORY;
        self.next = self.next.wrapping_add(1);
        &mut self.events[i]
    }

    /// Counts the newest event and decides whether to print it (rate
    /// limit).
    pub(crate) fn count_newest(&mut self) -> bool {
        let i = self.next.wrapping_sub(1) % HISTORY;
        self.stats.record(&self.events[i].summary);
        let print = self.window.allow();
        if !print {
            self.stats.suppressed += 1;
        }
        print
    }

    /// Copies the events into `out` (at least [`HISTORY`] long), oldest
    /// first; returns how many there are.
    pub(crate) fn copy_to(&self, out: &mut [KEvent]) -> usize {
        let count = self.next.min(HISTORY);
        for (k, slot) in out.iter_mut().take(count).enumerate() {
            slot.copy_from(&self.events[(self.next - count + k) % HISTORY]);
        }
        count
    }
}
