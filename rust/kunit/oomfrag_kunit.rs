// SPDX-License-Identifier: GPL-2.0

//! oomfrag_kunit: oomfrag's KUnit suites, in a module of their own so that
//! the module users load carries no test code.  Built by
//! `make test-modules`; the suites run when it is loaded (`make check`
//! loads it in QEMU and counts them with the kernel's kunit.py).
//!
//! It compiles the same engine and live-zone files as oomfrag itself.

use kernel::prelude::*;

#[path = "../engine/mod.rs"]
pub mod engine;
#[path = "../glue/live.rs"]
pub mod live;
mod suites;

module! {
    type: OomFragKunit,
    name: "oomfrag_kunit",
    authors: ["The oomfrag developers"],
    description: "KUnit suites of oomfrag (test builds only)",
    license: "GPL",
}

struct OomFragKunit;

impl kernel::Module for OomFragKunit {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(OomFragKunit)
    }
}
