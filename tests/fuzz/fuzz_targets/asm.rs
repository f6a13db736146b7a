//! The assembler against any source: the input is the main file; `~a.tal`
//! includes the input itself (a cycle) and `~b.tal` a small library. Every
//! input must end in a ROM that fits, or in errors that name a position.
#![no_main]

use hop::asm::assemble_source;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|source: &[u8]| {
    let mut loader = |_from: &str, path: &str| -> Result<(String, Vec<u8>), String> {
        match path {
            "a.tal" => Ok((path.to_string(), source.to_vec())),
            "b.tal" => Ok((path.to_string(), b"@lib #01 JMP2r %m { INC }".to_vec())),
            _ => Err(format!("{path}: no such file")),
        }
    };
    match assemble_source("fuzz.tal", source, &mut loader) {
        Ok(assembly) => {
            assert!(!assembly.rom.is_empty() && assembly.rom.len() <= 0xff00);
            let _ = assembly.symbol_file();
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in &errors {
                let _ = e.to_string();
            }
        }
    }
});
