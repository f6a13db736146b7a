//! Conformance: for every Uxntal source in the repository, hop's assembler
//! makes the same ROM and the same symbol file as drifblim running on hop.
//! Sources are found by walking the repository, so new ones are covered
//! without being listed. The `.tal` files under `../shared`, if any, are
//! checked the same way.

mod support;

use std::path::{Path, PathBuf};

/// Every `.tal` file under `dir`, skipping build output and hidden folders.
fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        if path.is_dir() {
            sources(&path, found);
        } else if name.ends_with(".tal") {
            found.push(path);
        }
    }
}

/// Copies the `.tal` files of `from` (and its subfolders) into `to`, so
/// that drifblim finds what the program includes.
fn copy_sources(from: &Path, to: &Path) {
    let mut files = Vec::new();
    sources(from, &mut files);
    for file in files {
        let target = to.join(file.strip_prefix(from).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&file, target).unwrap();
    }
}

/// Checks each source; returns one line per disagreement.
fn compare(drifblim: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut failures = Vec::new();
    for file in files {
        let ours = hop::asm::assemble_file(file);
        let scratch = support::TempDir::new("conformance");
        let dir = file.parent().unwrap();
        copy_sources(dir, &scratch.0);
        let name = file.file_name().unwrap().to_str().unwrap();
        let theirs = support::run_drifblim(drifblim, &scratch.0, name);
        match (ours, theirs) {
            (Ok(ours), Ok((rom, sym))) => {
                if ours.rom != rom {
                    let at = ours.rom.iter().zip(&rom).position(|(a, b)| a != b);
                    failures.push(format!(
                        "{}: ROMs differ ({} bytes by hop, {} by drifblim, first difference at offset {at:?})",
                        file.display(),
                        ours.rom.len(),
                        rom.len()
                    ));
                } else if ours.symbol_file() != sym {
                    failures.push(format!("{}: symbol files differ", file.display()));
                }
            }
            (Err(errors), _) => failures.push(format!(
                "{}: hop cannot assemble it: {}",
                file.display(),
                errors[0]
            )),
            (Ok(_), Err(messages)) => failures.push(format!(
                "{}: drifblim cannot assemble it: {messages}",
                file.display()
            )),
        }
    }
    failures
}

#[test]
fn every_repository_source_assembles_as_drifblim_does() {
    let Some(drifblim) = support::drifblim("repository sources not compared with drifblim") else {
        return;
    };
    let mut files = Vec::new();
    sources(Path::new(env!("CARGO_MANIFEST_DIR")), &mut files);
    assert!(
        files.len() >= 6,
        "expected the benchmark sources at least, found {files:?}"
    );
    let failures = compare(&drifblim, &files);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn shared_sources_assemble_as_drifblim_does() {
    let Some(drifblim) = support::drifblim("shared sources not compared with drifblim") else {
        return;
    };
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        &mut files,
    );
    if files.is_empty() {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: ../shared holds no .tal sources to compare with drifblim"
        );
        return;
    }
    let failures = compare(&drifblim, &files);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
