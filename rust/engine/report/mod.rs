// SPDX-License-Identifier: GPL-2.0

//! Text formats of oomfrag: the OOM verdict lines (`log.rs`), the debugfs
//! files (`text.rs`) and the Prometheus metrics (`metrics.rs`).
//!
//! Formatting only: every number printed here was decided by the engine
//! (`verdict.rs`, `watermark.rs`, `frag.rs`) or read by it; nothing here
//! judges.  Pure like the engine (no `unsafe`, no allocation): everything
//! writes through `core::fmt`, so the same code feeds `pr_info!` on the OOM
//! path, the debugfs files, the host tests and the offline analyzer.  Every
//! format is documented in Documentation/oomfrag.rst; bump
//! [`FORMAT_VERSION`] when one changes.

use super::request::COMM_LEN;
use super::zone::NodeMask;
use core::fmt::{
    self,
    Display,
    Formatter,
    Write, //
};

mod log;
mod metrics;
mod text;

pub use log::{
    SummaryLine,
    ZoneLine, //
};
pub use metrics::Metrics;
pub use text::{
    BuddyLine,
    EventText,
    WatermarkTable,
    ZoneSnapshotText, //
};

/// Version of the formats below (each debugfs file starts with a
/// [`Header`]).  The summary line's `kill=unknown reason=no_request` (a
/// request not shown: [`super::request::Request::shown`]) is printed only
/// by the offline analyzer and changes no debugfs file: still 3.
pub const FORMAT_VERSION: u32 = 3;

/// The first line of debugfs file `name`: `# oomfrag <name> v1`.
pub struct Header(pub &'static str);

impl Display for Header {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "# oomfrag {} v{FORMAT_VERSION}", self.0)
    }
}

/// Writes a NUL-padded task name as one logfmt value: bytes that are not
/// printable ASCII, and `=` and `"` (which would end or quote a logfmt
/// value), print as `?`.
fn write_comm(f: &mut Formatter<'_>, comm: &[u8; COMM_LEN]) -> fmt::Result {
    if comm[0] == 0 {
        return f.write_char('-');
    }
    for &b in comm.iter().take_while(|&&b| b != 0) {
        let plain = b.is_ascii_graphic() && b != b'=' && b != b'"';
        let c = if plain { b as char } else { '?' };
        f.write_char(c)?;
    }
    Ok(())
}

/// Writes an index in thousandths as the kernel's debugfs files do
/// (`%d.%03d`), e.g. `0.912`, `-1.000`.
pub struct Index(pub i32);

impl Display for Index {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:03}", a / 1000, a % 1000)
    }
}

/// An optional order, `-` when there is none.
pub struct OptOrder(pub Option<u8>);

impl Display for OptOrder {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(o) => write!(f, "{o}"),
            None => f.write_str("-"),
        }
    }
}

/// A gfp mask as `0xcc0(GFP_KERNEL)`.
pub struct Gfp(pub u32);

impl Display for Gfp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}(", self.0)?;
        super::gfp_types::decode(self.0, f)?;
        f.write_char(')')
    }
}

/// A node set as the kernel prints a nodemask (`%*pbl`): `0-1,4`.
pub struct NodeList<'a>(pub &'a NodeMask);

impl Display for NodeList<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (a, b) in self.0.runs() {
            if !first {
                f.write_char(',')?;
            }
            first = false;
            if a == b {
                write!(f, "{a}")?;
            } else {
                write!(f, "{a}-{b}")?;
            }
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}
