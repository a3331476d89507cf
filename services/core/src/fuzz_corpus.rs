//! The committed fuzz corpus (`fuzz/corpus/<target>/`, see `scripts/fuzz`), replayed by the
//! crates' unit tests through the same functions the fuzz targets call: every input the fuzzer
//! kept stays harmless in plain `cargo test`.

use std::path::Path;

/// Calls `check` on every file of `fuzz/corpus/<target>/` and returns how many there were.
/// Each file's name is printed first, so a failing test names the input that broke it.
pub fn replay(target: &str, check: impl Fn(&[u8])) -> std::io::Result<usize> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut paths = std::fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    paths.sort();
    for path in &paths {
        eprintln!("replaying {}", path.display());
        check(&std::fs::read(path)?);
    }
    Ok(paths.len())
}
