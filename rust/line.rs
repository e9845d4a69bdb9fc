// SPDX-License-Identifier: GPL-2.0

//! One log line, formatted once into preallocated memory and handed to
//! printk as a plain string.
//!
//! printk formats its arguments twice (once to size the ring-buffer record,
//! once into it), and for a `pr_info!` of oomfrag's `Display` types both
//! passes run the whole Rust formatting of a 300-500 byte line.  Formatted
//! here first, the line costs one formatting pass and two copies; it is
//! the larger part of the OOM path's printing (see "Cost" in
//! Documentation/oomfrag.rst).  Pure: no allocation, no `unsafe`.

use core::fmt;

/// The longest line kept: printk's own record limit (`PRINTKRB_RECORD_MAX`,
/// 1024 bytes, less the `oomfrag: ` prefix); longer lines are cut at a
/// character boundary.
pub(crate) const LINE_MAX: usize = 1000;

/// A line buffer.
pub(crate) struct Line {
    buf: [u8; LINE_MAX],
    len: usize,
}

impl Line {
    /// An empty line.
    pub(crate) const fn new() -> Self {
        Self {
            buf: [0; LINE_MAX],
            len: 0,
        }
    }

    /// Formats `d` into the buffer, replacing what was there, and returns
    /// the text.
    pub(crate) fn format(&mut self, d: impl fmt::Display) -> &str {
        self.len = 0;
        let _ = fmt::write(self, format_args!("{d}"));
        self.as_str()
    }

    /// The text so far.
    pub(crate) fn as_str(&self) -> &str {
        // Only whole `str`s, or their prefixes cut at a character boundary,
        // are ever copied in: always UTF-8.
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl Default for Line {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = LINE_MAX - self.len;
        let mut n = s.len().min(room);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}
