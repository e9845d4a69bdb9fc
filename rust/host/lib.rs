// SPDX-License-Identifier: GPL-2.0

//! Host build of the oomfrag verdict engine: the kernel module's own source
//! files, compiled for `cargo test`, the benchmarks and the offline
//! analyzer.  The module tree is the module's: see rust/oomfrag_main.rs.

#![no_std]
#![forbid(unsafe_code)]

#[path = "../engine/mod.rs"]
mod engine;

pub use engine::*;
