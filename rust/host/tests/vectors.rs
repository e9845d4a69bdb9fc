// SPDX-License-Identifier: GPL-2.0
//! The engine test vectors (rust/kunit/vectors.rs, written by
//! tools/oomfrag-report's gen-vectors from the real-report fixtures and the
//! seeds' and constraint cases): the very table the KUnit suite
//! `oomfrag_vectors` runs in the kernel, checked here by the host build of
//! the engine, with the same check (rust/kunit/vector.rs).

/// The engine where the shared files look for it (`crate::engine`, as in
/// the kernel module).
mod engine {
    pub use oomfrag_engine::*;
}
#[path = "../../kunit/vector.rs"]
mod vector;
#[path = "../../kunit/vectors.rs"]
mod vectors;

use engine::verdict::ZoneVerdict;
use vectors::VECTORS;

#[test]
fn every_vector_gets_its_summary() {
    let mut failed = Vec::new();
    for v in &VECTORS {
        let mut storage = vec![ZoneVerdict::EMPTY; v.zones.len()];
        if let Err(m) = v.check(&mut storage) {
            failed.push(format!("{} ({}): {m}", v.name, v.from));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// Every real-report fixture has its vectors, and names are unique (a
/// KUnit case is named after its vector).
#[test]
fn every_fixture_is_in_the_table() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tools/testing/fixtures/reports"
    );
    let mut fixtures = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "log") {
            continue;
        }
        fixtures += 1;
        let name = path.file_name().unwrap().to_str().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let reports = text
            .lines()
            .filter(|l| l.starts_with("# expect: verdict="))
            .count();
        let from = format!("tools/testing/fixtures/reports/{name}:");
        let vectors = VECTORS.iter().filter(|v| v.from.starts_with(&from)).count();
        assert_eq!(vectors, reports, "{name}");
    }
    assert!(fixtures >= 8, "{fixtures}");
    let mut names: Vec<&str> = VECTORS.iter().map(|v| v.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), VECTORS.len());
}
