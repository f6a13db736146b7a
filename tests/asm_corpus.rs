//! The assembler's own corpus: every rune and every error, with the bytes
//! or the message expected.
//!
//! The expected bytes were worked out by hand from the language rules, and
//! each case is also run through drifblim on hop (when `../shared` is
//! present), so an expectation cannot drift from what the self-hosted
//! assembler really does. Cases where hop deliberately differs from
//! drifblim say so and are not compared.

mod support;

use hop::asm::{AsmError, Assembly, assemble_source};

fn assemble(source: &str) -> Result<Assembly, Vec<AsmError>> {
    assemble_source("test.tal", source.as_bytes(), &mut hop::asm::no_includes)
}

/// In-memory files for `~name` includes.
fn assemble_with(
    source: &str,
    files: &'static [(&'static str, &'static str)],
) -> Result<Assembly, Vec<AsmError>> {
    let mut loader = |_from: &str, path: &str| {
        files
            .iter()
            .find(|(name, _)| *name == path)
            .map(|(name, text)| (name.to_string(), text.as_bytes().to_vec()))
            .ok_or_else(|| "no such file".to_string())
    };
    assemble_source("test.tal", source.as_bytes(), &mut loader)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// (what, source, expected ROM in hex). Every one is also checked against
/// drifblim.
const BYTES: &[(&str, &str, &str)] = &[
    ("empty program: one BRK", "", "00"),
    ("literal hex", "#12 #1234", "8012a01234"),
    ("raw hex", "12 1234 ff", "121234ff"),
    (
        "opcodes",
        "BRK INC2 POPr NIPk SWP2r ROT2k DUPkr OVR2kr",
        "00214283 64a5c6e7",
    ),
    (
        "modes in any order, repeated",
        "INCkkrr ADD2k2 EQUrrkk JMP2r",
        "c1b8c86c",
    ),
    (
        "modes on BRK are the specials",
        "BRK2 BRKr BRK2r BRKk",
        "20406080",
    ),
    (
        "LIT forms",
        "LIT 12 LIT2 1234 LITr 56 LIT2r 789a LIT \"a LITk",
        "8012a01234c056e0789a806180",
    ),
    (
        "raw strings",
        "\"hello \"λ \"a\"b",
        "68656c6c6f cebb 612262",
    ),
    (
        "separators: every byte up to 0x20",
        "#01\x01#02\r#03\x00#04\x0b#05",
        "80018002800380048005",
    ),
    (
        "comments nest on ( and ) tokens only",
        "#01 ( a ( nested ) comment ) #02 (named ) #03 ( a(b )c ) #04 ( (x ) #05",
        "8001800280038004 8005",
    ),
    (
        "square brackets are ignored",
        "[ #01 ] [x #02 ]y [ LIT2r 1234 ]",
        "80018002e01234",
    ),
    ("absolute padding", "|0104 #01", "0000000080 01"),
    (
        "absolute padding wraps at 16 bits",
        "|10104 #01",
        "0000000080 01",
    ),
    ("relative padding", "#01 $2 #02", "8001 0000 8002"),
    ("relative padding wraps at 16 bits", "$10000 #01", "8001"),
    (
        "padding by label",
        "@here $3 @there |here 11 |there 22",
        "11000022",
    ),
    (
        "relative padding by label",
        "|03 @three |0100 $three ff",
        "000000ff",
    ),
    (
        "padding by sublabel",
        "@foo &a $2 &b |&a 11 |/b 22",
        "110022",
    ),
    ("padding back overwrites", "|0102 #01 |0101 #02", "00800201"),
    ("trailing padding is not written", "#01 $10 @end", "8001"),
    ("written zeros are kept", "#01 00 00", "80010000"),
    (
        "every reference rune, by sublabel",
        "@foo ,/bar ,&bar _/bar -/bar =/bar !/bar ?/bar .&bar ;/bar &bar",
        "8010 800e 0d 13 0113 400008 200005 8013 a00113",
    ),
    (
        "calls: bare words, back and forward",
        "@start BRK start fwd @fwd",
        "00 60fffc 600000",
    ),
    ("scope calls", "@foo /bar &bar JMP2r", "6000006c"),
    (
        "zero-page references",
        "|20 @var |0100 .var -var ;var =var",
        "802020a000200020",
    ),
    (
        "zero-page reference takes the low byte",
        ".foo -foo @foo",
        "800303",
    ),
    (
        "relative reference, farthest forward",
        ",far $80 @far",
        "807f",
    ),
    (
        "relative reference wraps at 16 bits",
        "|10 @var $1 |fff0 ,var",
        "",
    ),
    (
        "@ sets the scope to the part before /",
        "@foo/bar/baz &qux ;foo/qux",
        "a00100",
    ),
    (
        "& extends the scope",
        "@foo &bar/baz ;foo/bar/baz",
        "a00100",
    ),
    ("/ references the scope", "@foo ;/x/y &x/y", "a00103"),
    (
        "the first scope is Top",
        "&x #01 ;&x ;Top ;Top/x",
        "8001a00100a00100a00100",
    ),
    (
        "names may hold odd characters",
        "@'x ;'x @x&y ;x&y @ADDx ;ADDx",
        "a00100a00103a00106",
    ),
    ("anonymous call block", "{ #01 } #02", "600002 8001 8002"),
    ("?{ jumps if", "?{ #01 } #02", "200002 8001 8002"),
    ("!{ jumps", "!{ #01 } #02", "400002 8001 8002"),
    (";{ pushes the end", ";{ #01 } #02", "a00105 8001 8002"),
    (
        ".{ ,{ _{ -{ ={",
        ".{ } ,{ } _{ } -{ } ={ }",
        "8002 80ff ff 06 0108",
    ),
    (
        "nested blocks",
        "{ #01 { #02 } #03 } #04",
        "600009 8001 600002 8002 8003 8004",
    ),
    (
        "blocks open and close by first character",
        "?{x #01 }y #02",
        "200002 8001 8002",
    ),
    (
        "a block may hold labels",
        "{ @inner #01 } ;inner",
        "600002 8001 a00103",
    ),
    ("macros", "%m { #01 } m m", "80018001"),
    (
        "macro with a stack comment",
        "%m ( a -- b ) { #01 } m",
        "8001",
    ),
    (
        "macro holding blocks",
        "%m { ?{ #01 } } #00 m m",
        "8000 200002 8001 200002 8001",
    ),
    ("macro defining a macro", "%m { %n { #02 } } m n", "8002"),
    ("macro using a macro", "%m { #01 } %n { m m } n", "80018001"),
    ("macro in a scope", "@foo %/x { #01 } /x foo/x", "80018001"),
    (
        "macro with labels",
        "%m { &lab #01 } @foo m ;foo/lab",
        "8001a00100",
    ),
    (
        "a macro body ends at the } that balances it",
        "%m { #01 x{ } ;{x } } #02",
        "8002",
    ),
];

#[test]
fn every_rune_assembles_to_the_expected_bytes() {
    let mut failures = Vec::new();
    for &(what, source, expected) in BYTES {
        let expected: String = expected.split_whitespace().collect();
        match assemble(source) {
            Ok(assembly) if hex(&assembly.rom) == expected => {}
            Ok(assembly) if expected.is_empty() => {
                // Only checked against drifblim.
                let _ = assembly;
            }
            Ok(assembly) => failures.push(format!(
                "{what}: {source:?} gave {} instead of {expected}",
                hex(&assembly.rom)
            )),
            Err(errors) => failures.push(format!("{what}: {source:?} failed: {}", errors[0])),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn drifblim_agrees_with_the_expected_bytes_and_symbols() {
    let Some(drifblim) = support::drifblim("the corpus is not checked against drifblim") else {
        return;
    };
    let mut failures = Vec::new();
    for &(what, source, _) in BYTES {
        let ours = assemble(source).expect("checked by the other test");
        match support::drifblim_on(&drifblim, source.as_bytes()) {
            Ok((rom, sym)) => {
                if rom != ours.rom {
                    failures.push(format!(
                        "{what}: drifblim made {}, hop {}",
                        hex(&rom),
                        hex(&ours.rom)
                    ));
                } else if sym != ours.symbol_file() {
                    failures.push(format!("{what}: symbol files differ"));
                }
            }
            Err(messages) => failures.push(format!("{what}: drifblim failed: {messages}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn farthest_relative_reference_back() {
    // LIT at 0x017d, its operand at 0x017e: 0x0100 is 128 bytes back.
    let assembly = assemble("@back $7d ,back").unwrap();
    assert_eq!(assembly.rom.len(), 0x7f);
    assert_eq!(&assembly.rom[0x7d..], &[0x80, 0x80]);
}

#[test]
fn symbols_are_listed_from_their_first_mention() {
    let assembly = assemble("{ @inner { #01 } ;later @mid } @later").unwrap();
    let names: Vec<(u16, String)> = assembly
        .symbols
        .iter()
        .map(|(a, n)| (*a, String::from_utf8_lossy(n).into_owned()))
        .collect();
    let expected = [
        (0x0100, "Top"),
        (0x010b, "λ0000"),
        (0x0103, "inner"),
        (0x0108, "λ0001"),
        (0x010b, "later"),
        (0x010b, "mid"),
    ];
    let expected: Vec<(u16, String)> = expected.iter().map(|&(a, n)| (a, n.to_string())).collect();
    assert_eq!(names, expected);
    // The file: big-endian address, name, NUL.
    let file = assembly.symbol_file();
    assert_eq!(&file[..6], b"\x01\x00Top\x00");
    assert_eq!(&file[6..15], "\x01\x0bλ0000\x00".as_bytes());
    assert_eq!(assembly.address_of("mid"), Some(0x010b));
}

#[test]
fn includes_are_spliced_in_place() {
    // drifblim stops reading the including file at an include; hop goes on
    // after it, as the reference assembler does (a deliberate difference).
    let files = &[("lib.tal", "@lib #02 ~deeper.tal"), ("deeper.tal", "#03")];
    let assembly = assemble_with("#01 ~lib.tal #04 ;lib", files).unwrap();
    assert_eq!(hex(&assembly.rom), "8001800280038004a00102");
}

/// (what, source, line, column, words the reason must contain, whether
/// drifblim rejects it too).
const ERRORS: &[(&str, &str, u32, u32, &str, bool)] = &[
    (
        "unknown label",
        "#01\n  ;nope",
        2,
        3,
        "unknown label nope",
        true,
    ),
    (
        "unknown sublabel",
        "@foo ,&nope",
        1,
        6,
        "unknown label foo/nope",
        true,
    ),
    (
        "duplicate label",
        "@foo\n@foo",
        2,
        1,
        "duplicate label foo",
        true,
    ),
    (
        "duplicate sublabel",
        "@foo &x &x",
        1,
        9,
        "duplicate label foo/x",
        true,
    ),
    (
        "the implicit Top",
        "@Top",
        1,
        1,
        "duplicate label Top",
        true,
    ),
    (
        "relative too far forward",
        ",far $81 @far",
        1,
        1,
        "out of range: far is 128 bytes",
        true,
    ),
    (
        "relative too far back",
        "@back $7e ,back",
        1,
        11,
        "out of range: back is -129 bytes",
        true,
    ),
    (
        "raw relative too far",
        "_far $82 @far",
        1,
        1,
        "out of range",
        true,
    ),
    (
        "hex literal of one digit",
        "#1",
        1,
        1,
        "invalid hex literal",
        true,
    ),
    (
        "hex literal of three digits",
        "#123",
        1,
        1,
        "invalid hex literal",
        true,
    ),
    (
        "hex literal in capitals",
        "#AB",
        1,
        1,
        "invalid hex literal",
        true,
    ),
    (
        "hex literal, not hex",
        "#zz",
        1,
        1,
        "invalid hex literal",
        true,
    ),
    ("empty hex literal", "#", 1, 1, "invalid hex literal", true),
    (
        "raw hex of three digits",
        "abc",
        1,
        1,
        "invalid raw hex",
        true,
    ),
    (
        "padding to an unknown label",
        "|nowhere",
        1,
        1,
        "unknown label nowhere",
        true,
    ),
    (
        "padding to a later label",
        "$later @later",
        1,
        1,
        "labels defined before it",
        true,
    ),
    ("empty padding", "|", 1, 1, "padding needs", true),
    (
        "unclosed comment",
        "#01 ( never\nclosed",
        1,
        5,
        "comment not closed",
        true,
    ),
    ("stray )", "#01 ) #02", 1, 5, "`)` outside a comment", false),
    ("unclosed [", "[ #01", 1, 1, "no matching `]`", false),
    ("stray ]", "#01 ]", 1, 5, "`]` without a `[`", false),
    ("unclosed {", "?{ #01", 1, 1, "no matching `}`", true),
    ("stray }", "#01 }", 1, 5, "`}` without a `{`", true),
    (
        "unclosed macro body",
        "%m { #01",
        1,
        4,
        "macro body not closed",
        true,
    ),
    (
        "macro without a body",
        "%m #01",
        1,
        1,
        "macro without a body",
        false,
    ),
    (
        "recursive macro",
        "%m { #01 m } m",
        1,
        10,
        "recursive macro m",
        false,
    ),
    (
        "mutually recursive macros",
        "%m { n } %n { m } m",
        1,
        15,
        "recursive macro m",
        false,
    ),
    (
        "macro defined after use",
        "m %m { #01 }",
        1,
        3,
        "used before this definition",
        true,
    ),
    (
        "duplicate macro",
        "%m { } %m { }",
        1,
        8,
        "duplicate macro m",
        true,
    ),
    (
        "macro named like a label",
        "@foo %foo { }",
        1,
        6,
        "has the name of a label",
        true,
    ),
    (
        "label named like a macro",
        "%foo { } @foo",
        1,
        10,
        "has the name of a macro",
        true,
    ),
    (
        "label named like an opcode",
        "@ADD2",
        1,
        1,
        "cannot be an opcode",
        true,
    ),
    (
        "label named like hex",
        "@beef",
        1,
        1,
        "cannot be a hex number",
        true,
    ),
    (
        "label starting with a rune",
        "@;x",
        1,
        1,
        "cannot start with a rune",
        true,
    ),
    (
        "macro named like hex",
        "%ab { }",
        1,
        1,
        "cannot be a hex number",
        true,
    ),
    ("empty string", "\"", 1, 1, "empty string", true),
    (
        "reference without a name",
        "#01 ;",
        1,
        5,
        "a label name must follow",
        true,
    ),
    (
        "write into the zero page",
        "|80 \"hi",
        1,
        5,
        "zero page at 0x0080",
        true,
    ),
    ("output past 64 KiB", "|ffff #01", 1, 7, "past 64 KiB", true),
    (
        "padding past 64 KiB, then a write",
        "|ff00 $200 #01",
        1,
        12,
        "past 64 KiB",
        false,
    ),
    (
        "error in a macro names it",
        "%m { ;nope } m",
        1,
        6,
        "in macro m used at test.tal:1:14",
        true,
    ),
];

#[test]
fn every_error_is_reported_where_it_is() {
    let mut failures = Vec::new();
    for &(what, source, line, col, words, _) in ERRORS {
        match assemble(source) {
            Ok(assembly) => failures.push(format!(
                "{what}: {source:?} assembled to {}",
                hex(&assembly.rom)
            )),
            Err(errors) => {
                let e = &errors[0];
                if e.line != line || e.col != col || !e.reason.contains(words) {
                    failures.push(format!(
                        "{what}: {source:?}: expected {line}:{col} and {words:?}, got {e}"
                    ));
                }
                if errors.len() != 1 {
                    failures.push(format!(
                        "{what}: {} errors for one problem: {errors:?}",
                        errors.len()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn drifblim_rejects_the_same_errors() {
    let Some(drifblim) = support::drifblim("the error corpus is not checked against drifblim")
    else {
        return;
    };
    let mut failures = Vec::new();
    for &(what, source, _, _, _, both) in ERRORS {
        if both && let Ok((rom, _)) = support::drifblim_on(&drifblim, source.as_bytes()) {
            failures.push(format!("{what}: drifblim accepts it, making {}", hex(&rom)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn include_errors() {
    let missing = assemble_with("#01 ~nope.tal", &[]).unwrap_err();
    assert_eq!(missing.len(), 1);
    assert_eq!(
        missing[0].to_string(),
        "test.tal:1:5: cannot include nope.tal: no such file (~nope.tal)"
    );
    let cycle =
        assemble_with("~a.tal", &[("a.tal", "#01 ~b.tal"), ("b.tal", "~a.tal")]).unwrap_err();
    assert_eq!(cycle.len(), 1);
    assert_eq!(cycle[0].file, "b.tal");
    assert!(
        cycle[0].reason.contains("a.tal includes itself"),
        "{}",
        cycle[0]
    );
}

#[test]
fn several_errors_in_one_run() {
    let errors = assemble("@foo ;nope1\n#zz\n@foo\n,far $100 @far\n{ ;nope2 |00 #01").unwrap_err();
    let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        lines,
        [
            "test.tal:2:1: invalid hex literal: `#` takes 2 or 4 lowercase hex digits (#zz)",
            "test.tal:3:1: duplicate label foo (@foo)",
            "test.tal:5:14: write into the zero page at 0x0000: only padding and labels may go there (#01)",
            "test.tal:5:1: this `{` has no matching `}` ({)",
            "test.tal:1:6: unknown label nope1 (;nope1)",
            "test.tal:4:1: relative reference out of range: far is 255 bytes away, a byte reaches -128 to 127 (,far)",
            "test.tal:5:3: unknown label nope2 (;nope2)",
        ]
    );
}

#[test]
fn runaway_expansion_stops() {
    // 2^30 tokens if nothing stopped it.
    let mut source = String::from("%m0 { [ ] }\n");
    for level in 1..=30 {
        source.push_str(&format!("%m{level} {{ m{0} m{0} }}\n", level - 1));
    }
    source.push_str("m30");
    let start = std::time::Instant::now();
    let errors = assemble(&source).unwrap_err();
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
    assert!(
        errors
            .iter()
            .any(|e| e.reason.contains("expands without end")),
        "{errors:?}"
    );
}

#[test]
fn includes_are_bounded() {
    // A file that includes an empty file forever.
    let mut loader = |_from: &str, path: &str| Ok::<_, String>((path.to_string(), Vec::new()));
    let source = "~empty.tal ".repeat(10_000);
    let errors = assemble_source("test.tal", source.as_bytes(), &mut loader).unwrap_err();
    assert_eq!(errors.len(), 100 + 1, "stops at the error limit");
    assert!(
        errors[0].reason.contains("more than 4096 includes"),
        "{}",
        errors[0]
    );
}
