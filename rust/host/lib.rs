// SPDX-License-Identifier: GPL-2.0

//! Host build of the oomfrag verdict engine: the kernel module's own source
//! files, compiled for `cargo test`, the benchmarks and the offline
//! analyzer.  The module tree is the module's: see rust/oomfrag_main.rs.

#![no_std]
#![forbid(unsafe_code)]

#[path = "../frag.rs"]
pub mod frag;
#[path = "../gfp.rs"]
pub mod gfp;
#[path = "../oom.rs"]
pub mod oom;
#[path = "../platform.rs"]
pub mod platform;
#[path = "../query.rs"]
pub mod query;
#[path = "../report.rs"]
pub mod report;
#[path = "../task.rs"]
pub mod task;
#[path = "../verdict.rs"]
pub mod verdict;
#[path = "../watermark.rs"]
pub mod watermark;
#[path = "../zone.rs"]
pub mod zone;
