// SPDX-License-Identifier: GPL-2.0

//! Host build of the oomfrag verdict engine: the kernel module's own
//! `engine.rs` and `report.rs`, compiled for `cargo test`.

#![no_std]
#![forbid(unsafe_code)]

#[path = "../engine.rs"]
pub mod engine;
#[path = "../report.rs"]
pub mod report;
