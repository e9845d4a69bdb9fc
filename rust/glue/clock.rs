// SPDX-License-Identifier: GPL-2.0

//! The monotonic clock (`CLOCK_MONOTONIC`, `ktime_get()`): the kernel
//! crate's `time::Instant<Monotonic>` (Linux 7.2 and later), or `Ktime` on
//! a kernel crate without it (6.12, `--cfg oomfrag_ktime` from Kbuild).

#[cfg(not(oomfrag_ktime))]
mod raw {
    use kernel::time::{
        Instant,
        Monotonic, //
    };

    pub(super) type Raw = Instant<Monotonic>;

    pub(super) fn now() -> Raw {
        Raw::now()
    }

    pub(super) fn nanos(later: Raw, earlier: Raw) -> i64 {
        (later - earlier).as_nanos()
    }
}

#[cfg(oomfrag_ktime)]
mod raw {
    use kernel::time::Ktime;

    pub(super) type Raw = Ktime;

    pub(super) fn now() -> Raw {
        Ktime::ktime_get()
    }

    pub(super) fn nanos(later: Raw, earlier: Raw) -> i64 {
        (later - earlier).to_ns()
    }
}

/// A point in time of the monotonic clock.
#[derive(Clone, Copy)]
pub(crate) struct Instant(raw::Raw);

impl Instant {
    /// Now.
    pub(crate) fn now() -> Self {
        Self(raw::now())
    }

    /// Nanoseconds from `earlier` to `self` (negative if `earlier` is later).
    pub(crate) fn nanos_since(self, earlier: Self) -> i64 {
        raw::nanos(self.0, earlier.0)
    }

    /// Nanoseconds since `self`.
    pub(crate) fn elapsed_nanos(self) -> i64 {
        Self::now().nanos_since(self)
    }
}
