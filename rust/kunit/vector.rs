// SPDX-License-Identifier: GPL-2.0

//! One engine test vector and its check, shared by the KUnit suite
//! `oomfrag_vectors` (oomfrag_kunit.ko) and the host test
//! rust/host/tests/vectors.rs: both run the table of `vectors.rs`, which
//! tools/oomfrag-report's `gen-vectors` writes from the real-report
//! fixtures and the seeds' and constraint cases (see its header).
//!
//! No allocation and no `unsafe`: the table is `static` data of the
//! engine's own types, and a check needs only the caller's storage for the
//! zone verdicts.  The engine is reached as `crate::engine` (the kernel
//! crate mounts it there; the host test re-exports `oomfrag_engine` there).
//! Everything platform-dependent (zone indices, page size, orders, CMA,
//! NUMA) is the vector's own, never the running kernel's.

use crate::engine::event::Event;
use crate::engine::oom::{
    Constraint,
    Kill, //
};
use crate::engine::platform::Platform;
use crate::engine::request::Request;
use crate::engine::task::Cpuset;
use crate::engine::verdict::{
    Stage,
    Unknown,
    Verdict,
    ZoneVerdict, //
};
use crate::engine::watermark::Cause;
use crate::engine::zone::{
    NodeMask,
    ZoneSnapshot, //
};
use core::fmt;

/// A node mask as `static` data (`NodeMask` has no const constructor but
/// its `ALL` and `NONE`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Nodes {
    /// Every node (`NodeMask::ALL`).
    All,
    /// The nodes whose bits are set in these words (`NodeMask::from_words`).
    Words(&'static [u64]),
}

impl Nodes {
    /// The engine's mask.
    pub(crate) fn mask(self) -> NodeMask {
        match self {
            Nodes::All => NodeMask::ALL,
            Nodes::Words(w) => NodeMask::from_words(w),
        }
    }
}

/// The task's cpuset (`Cpuset`, with its masks as [`Nodes`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Walls {
    /// `cpusets_enabled()`.
    pub(crate) enabled: bool,
    /// `current->mems_allowed`.
    pub(crate) mems_allowed: Nodes,
    /// Nodes a `__GFP_HARDWALL` request may use.
    pub(crate) hardwall: Nodes,
    /// Nodes a request without `__GFP_HARDWALL` may use.
    pub(crate) softwall: Nodes,
}

/// One zone's expected outcome at the expected stage.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WantZone {
    /// Whether the request may use the zone at that stage.
    pub(crate) eligible: bool,
    /// Whether the zone's check passes.
    pub(crate) ok: bool,
    /// The check's cause.
    pub(crate) cause: Cause,
    /// The largest order with a block the request may use.
    pub(crate) largest_usable: Option<u8>,
}

/// What the engine must decide for a vector.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Want {
    /// The summary verdict.
    pub(crate) verdict: Verdict,
    /// The check it is read from.
    pub(crate) stage: Stage,
    /// `constrained_alloc()`'s class.
    pub(crate) constraint: Constraint,
    /// Whether `out_of_memory()` goes on to kill.
    pub(crate) kill: Kill,
    /// What the data lacks, in `Unknown::ALL`'s order.
    pub(crate) missing: &'static [Unknown],
    /// The order and gfp mask the zones are judged for.
    pub(crate) eval_order: u8,
    /// See [`Want::eval_order`].
    pub(crate) eval_gfp: u32,
    /// Zones the request may use.
    pub(crate) eligible: usize,
    /// Free pages of the zones it may not use.
    pub(crate) free_ineligible: u64,
    /// Whether the task's cpuset leaves out a node with memory.
    pub(crate) cpuset_limited: bool,
    /// Each zone's outcome, in the order of [`Vector::zones`].
    pub(crate) zones: &'static [WantZone],
}

/// One engine test vector: a machine, its zones, a request, and the
/// summary the engine must reach.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Vector {
    /// Its name (the fixture's, or the case's).
    pub(crate) name: &'static str,
    /// Where it comes from: a fixture and line, or a host test.
    pub(crate) from: &'static str,
    /// The kernel the zones are from.
    pub(crate) platform: Platform,
    /// The zones, as `Event::evaluate` reads them.
    pub(crate) zones: &'static [ZoneSnapshot],
    /// The request, but for its node masks, which are [`Vector::nodes`]
    /// and [`Vector::cpuset`].
    pub(crate) request: Request,
    /// `Request::nodes`.
    pub(crate) nodes: Nodes,
    /// `Request::task.cpuset`.
    pub(crate) cpuset: Walls,
    /// The expected summary.
    pub(crate) want: Want,
}

impl Vector {
    /// The request, with its node masks.
    pub(crate) fn request(&self) -> Request {
        let mut r = self.request;
        r.nodes = self.nodes.mask();
        let c = &self.cpuset;
        r.task.cpuset = Cpuset {
            enabled: c.enabled,
            mems_allowed: c.mems_allowed.mask(),
            hardwall: c.hardwall.mask(),
            softwall: c.softwall.mask(),
        };
        r
    }

    /// Evaluates the vector into `storage` (which must hold a verdict per
    /// zone) and returns the first difference from [`Vector::want`].
    pub(crate) fn check(&self, storage: &mut [ZoneVerdict]) -> Result<(), Mismatch> {
        let mut e = Event::new(storage);
        e.evaluate(&self.platform, self.zones, self.request());
        let (s, w) = (&e.summary, &self.want);
        same("verdict", s.verdict.name(), w.verdict.name())?;
        same("stage", s.stage.name(), w.stage.name())?;
        same("constraint", s.constraint.name(), w.constraint.name())?;
        same("kill", kill_word(s.kill), kill_word(w.kill))?;
        let mut got = s.missing.iter();
        for u in w.missing {
            same("missing", got.next().map_or("", |g| g.name()), u.name())?;
        }
        same("missing", got.next().map_or("", |g| g.name()), "")?;
        same("eval_order", s.eval_order, w.eval_order)?;
        same("eval_gfp", s.eval_gfp, w.eval_gfp)?;
        same("zones", e.kept, w.zones.len())?;
        same("eligible", s.eligible, w.eligible)?;
        same("free_ineligible", s.free_ineligible, w.free_ineligible)?;
        same("cpuset_limited", s.cpuset_limited, w.cpuset_limited)?;
        for (i, (v, z)) in e.zones().iter().zip(w.zones).enumerate() {
            let c = v.at(w.stage);
            let at = |field| Field::Zone(i, field);
            same(at("eligible"), v.eligible_at(w.stage), z.eligible)?;
            same(at("ok"), c.ok, z.ok)?;
            same(at("cause"), c.cause.name(), z.cause.name())?;
            same(
                at("largest_usable"),
                v.largest_usable.map_or(-1, i32::from),
                z.largest_usable.map_or(-1, i32::from),
            )?;
        }
        Ok(())
    }
}

/// `Kill` as a word (`kill=` and its reason).
fn kill_word(k: Kill) -> &'static str {
    match k {
        Kill::No(r) => r.name(),
        k => k.name(),
    }
}

/// What differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    /// A field of the summary.
    Summary(&'static str),
    /// A field of the zone at this index.
    Zone(usize, &'static str),
}

impl From<&'static str> for Field {
    fn from(f: &'static str) -> Self {
        Field::Summary(f)
    }
}

/// A value compared, for the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    /// A name.
    Word(&'static str),
    /// A number.
    Num(i64),
}

impl From<&'static str> for Value {
    fn from(w: &'static str) -> Self {
        Value::Word(w)
    }
}

macro_rules! value_from {
    ($how:ident: $($t:ty),*) => {
        $(impl From<$t> for Value {
            fn from(n: $t) -> Self {
                value_from!(@$how n)
            }
        })*
    };
    (@lossless $n:ident) => {
        Value::Num(i64::from($n))
    };
    (@bounded $n:ident) => {
        Value::Num(i64::try_from($n).unwrap_or(i64::MAX))
    };
}
value_from!(lossless: u8, u32, i32, bool);
value_from!(bounded: u64, usize);

/// The first field where the engine's result differs from the vector's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mismatch {
    /// The field.
    pub(crate) field: Field,
    /// The engine's value.
    pub(crate) got: Value,
    /// The vector's.
    pub(crate) want: Value,
}

fn same<F: Into<Field>, V: Into<Value> + PartialEq>(
    field: F,
    got: V,
    want: V,
) -> Result<(), Mismatch> {
    if got == want {
        return Ok(());
    }
    Err(Mismatch {
        field: field.into(),
        got: got.into(),
        want: want.into(),
    })
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Word(w) => write!(f, "\"{w}\""),
            Value::Num(n) => write!(f, "{n}"),
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Field::Summary(n) => write!(f, "{n}")?,
            Field::Zone(i, n) => write!(f, "zone {i} {n}")?,
        }
        write!(f, ": engine {}, vector {}", self.got, self.want)
    }
}
