// SPDX-License-Identifier: GPL-2.0

//! The verdict engine: plain data in (zone snapshots, a request, the
//! kernel's constants), a verdict out.  No `unsafe`, no kernel calls, no
//! allocation: the same files are compiled by the module, its KUnit test
//! module and, on the host, `rust/host` (tests, the offline analyzer).

pub mod frag;
pub mod gfp;
pub mod oom;
pub mod platform;
pub mod query;
pub mod report;
pub mod task;
pub mod verdict;
pub mod watermark;
pub mod zone;
