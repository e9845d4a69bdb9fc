// SPDX-License-Identifier: GPL-2.0

//! The kernel side: the only `unsafe` of the module and its C shims.

pub mod capture;
pub mod live;
pub mod oom_notifier;
pub mod user_input;
