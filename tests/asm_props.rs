//! Property test: the assembler takes any token soup (runes, names, hex,
//! brackets, macros that use themselves, includes that include each other,
//! random bytes) without panicking and without running on: every input
//! ends in a ROM or in errors, quickly.

use std::time::{Duration, Instant};

use proptest::prelude::*;

/// Tokens that exercise the assembler's states: comments, blocks, macro
/// definitions and uses (including recursive ones), padding, every rune.
const VOCABULARY: &[&str] = &[
    "(",
    ")",
    "( x )",
    "[",
    "]",
    "{",
    "}",
    "}x",
    "?{",
    "!{",
    ";{",
    "_{",
    "x{",
    "%m",
    "%n",
    "%o",
    "%/p",
    "m",
    "n",
    "o",
    "/p",
    "{ m }",
    "{ n n }",
    "{ o o }",
    "@foo",
    "@foo/bar",
    "&bar",
    "&",
    "/bar",
    ";foo",
    ",foo",
    ".foo",
    "-foo",
    "_foo",
    "=foo",
    "!foo",
    "?foo",
    "foo",
    ";&bar",
    ",/bar",
    "|0100",
    "|00",
    "|ffff",
    "|foo",
    "|&bar",
    "$10",
    "$ffff",
    "$foo",
    "#01",
    "#1234",
    "#zz",
    "#",
    "\"hi",
    "\"",
    "ADD2k",
    "BRK",
    "LIT",
    "LIT2r",
    "ff",
    "1234",
    "abc",
    "~a.tal",
    "~b.tal",
    "~self.tal",
    "~test.tal",
    "~missing.tal",
    "~",
    "Top",
    "@Top",
    "λ0000",
    ";λ0000",
];

/// Included files: a cycle through two files, one that includes itself,
/// and the main file's own name.
fn loader(_from: &str, path: &str) -> Result<(String, Vec<u8>), String> {
    let text = match path {
        "a.tal" => "@a #01 ~b.tal m",
        "b.tal" => "( b ) ~a.tal }",
        "self.tal" => "%m { m } ~self.tal",
        "test.tal" => "#02 ~test.tal",
        _ => return Err("no such file".into()),
    };
    Ok((path.to_string(), text.as_bytes().to_vec()))
}

fn token() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => prop::sample::select(VOCABULARY).prop_map(|t| t.as_bytes().to_vec()),
        2 => ("[(){}\\[\\]|$@&#\",.;_=!?%~-]?[a-z0-9&/{}]{0,5}").prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..8),
    ]
}

fn soup() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        (
            token(),
            prop::sample::select(&[b" ", b"\n", b"\t", b"\0"][..]),
        ),
        0..200,
    )
    .prop_map(|tokens| {
        let mut text = Vec::new();
        for (token, separator) in tokens {
            text.extend_from_slice(&token);
            text.extend_from_slice(separator);
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn token_soup_never_panics_nor_runs_on(text in soup()) {
        let start = Instant::now();
        let result = hop::asm::assemble_source("test.tal", &text, &mut loader);
        prop_assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
        match result {
            Ok(assembly) => {
                prop_assert!(!assembly.rom.is_empty() && assembly.rom.len() <= 0xff00);
                prop_assert_eq!(assembly.symbols[0].1.as_slice(), b"Top".as_slice());
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty() && errors.len() <= 101);
                for e in &errors {
                    prop_assert!(!e.to_string().is_empty());
                }
            }
        }
    }
}
