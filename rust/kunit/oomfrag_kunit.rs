// SPDX-License-Identifier: GPL-2.0

//! oomfrag_kunit: oomfrag's KUnit suites, in a module of their own so that
//! the module users load carries no test code.  Built by
//! `make test-modules`; the suites run when it is loaded (`make check`
//! loads it in QEMU and counts them with the kernel's kunit.py).
//!
//! It compiles the same engine (`rust/engine/`) and live-zone reader
//! (`rust/glue/live.rs`) as oomfrag itself.  The suite `oomfrag_vectors`
//! (vectors_suite.rs) runs the engine test vectors of vectors.rs, the
//! table the host tests run too (rust/host/tests/vectors.rs).

use kernel::prelude::*;

// The engine and the live-zone reader exactly as the module compiles them;
// the suites call what they test, not every item (the formats, for one,
// are tested on the host), hence `dead_code` and the formats' unused
// re-exports.
#[allow(dead_code, unused_imports)]
#[path = "../engine/mod.rs"]
mod engine;
#[allow(dead_code)]
#[path = "../glue/live.rs"]
mod live;
mod suites;
mod vector;
mod vectors;
mod vectors_run;
mod vectors_suite;

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
