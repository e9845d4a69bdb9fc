// SPDX-License-Identifier: GPL-2.0

//! Host build of oomfrag's verdict engine (`rust/engine/`, the files the
//! kernel module compiles), for `cargo test`, the benchmarks and the offline
//! analyzer (tools/oomfrag-report).

#![no_std]
#![forbid(unsafe_code)]

#[path = "../engine/mod.rs"]
mod engine;

pub use engine::*;
