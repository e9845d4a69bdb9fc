// SPDX-License-Identifier: GPL-2.0
//! The engine test vectors in rust/kunit (vectors.rs, the table the host
//! and the KUnit suite `oomfrag_vectors` run, and vectors_suite.rs, that
//! suite) are what gen-vectors writes now from the fixtures and its cases:
//! regenerated into a temporary directory, nothing changes.  When this
//! fails, run `cargo run --bin gen-vectors` here and read the diff.

use std::path::Path;
use std::process::Command;

#[test]
fn regenerating_the_vectors_changes_nothing() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gen-vectors");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_gen-vectors"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "gen-vectors failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let kunit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rust/kunit");
    for name in ["vectors.rs", "vectors_suite.rs"] {
        let fresh = std::fs::read_to_string(out.join(name)).unwrap();
        let kept = std::fs::read_to_string(kunit.join(name)).unwrap();
        if fresh != kept {
            let line = fresh
                .lines()
                .zip(kept.lines())
                .position(|(a, b)| a != b)
                .map_or(fresh.lines().count().min(kept.lines().count()), |i| i)
                + 1;
            panic!(
                "rust/kunit/{name} is not what gen-vectors writes now (first difference at line {line}): \
                 run `cargo run --bin gen-vectors` in tools/oomfrag-report"
            );
        }
    }
}
