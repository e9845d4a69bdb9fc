// SPDX-License-Identifier: GPL-2.0

//! Runs one engine test vector (rust/kunit/vector.rs) in the kernel, for
//! the generated KUnit suite `oomfrag_vectors` (vectors_suite.rs): the
//! zone verdicts go in a buffer allocated for the case (the table itself
//! is `static`), and a difference is printed with the vector's name and
//! origin before the case fails.

use crate::engine::verdict::ZoneVerdict;
use crate::vectors::VECTORS;
use kernel::prelude::*;

/// Checks vector `i` of [`VECTORS`] with this module's engine.
pub(crate) fn run(i: usize) -> Result {
    let v = VECTORS.get(i).ok_or(EINVAL)?;
    let mut storage = KVec::from_elem(ZoneVerdict::EMPTY, v.zones.len(), GFP_KERNEL)?;
    v.check(&mut storage).map_err(|m| {
        pr_err!("vector {} ({}): {}\n", v.name, v.from, format_args!("{m}"));
        EINVAL
    })
}
