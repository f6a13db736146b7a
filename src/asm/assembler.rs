//! The assembler proper: reads the token stream once, writing bytes into a
//! 64 KiB image and recording every label reference, then fills the
//! references in once all labels are known.
//!
//! Padding (`|` and `$`) moves the write pointer, so it can only use labels
//! defined before it; every other reference may point forward.

use std::collections::HashMap;
use std::rc::Rc;

use super::error::{AsmError, Pos, excerpt};
use super::lexer::{Token, tokenize};
use super::opcodes::opcode;
use super::stream::{MAX_BYTES, MAX_TOKENS, TokenStream};
use super::{Assembly, IncludeLoader};

/// Errors reported before assembly gives up on an input.
const MAX_ERRORS: usize = 100;
/// Files one assembly may include, repeats counted: each is read from disk.
const MAX_INCLUDES: usize = 4096;
/// Longest label or macro name, scope included, in bytes. drifblim takes
/// names up to 61 bytes; the limit only keeps a megabyte-long scope from
/// being copied into every `&name` after it.
pub const MAX_NAME: usize = 255;
// The message in `invalid_name` says 255.
const _: () = assert!(MAX_NAME == 255);
/// Most bytes of source one assembly reads from files, the main file and
/// every include counted (as often as it is included).
pub const MAX_SOURCES_SIZE: usize = 4 * super::MAX_SOURCE_SIZE;
/// Most label references one assembly records (each is filled in at the
/// end, so each is kept until then): four times what 64 KiB can hold, so
/// only padding back over the same bytes again and again reaches it.
pub const MAX_REFERENCES: usize = 1 << 18;
/// Where ROMs start: the zero page below it holds variables only.
const PAGE_ONE: u32 = 0x0100;
const MEMORY: u32 = 0x1_0000;

/// The first byte of a token that makes it a rune; names may not start with
/// one (as in drifblim).
const RUNES: &[u8] = b"()[]{}|$@&#\",.;-_=!?%~";

/// What a label reference writes once the label's address is known.
#[derive(Clone, Copy)]
enum Fill {
    /// The low byte of the address (`.` and `-`).
    Byte,
    /// A signed byte, the distance from the end of the operand (`,` `_`).
    Relative,
    /// The 16-bit address (`;` and `=`).
    Short,
    /// A 16-bit distance from the end of the operand (`!` `?` and calls).
    RelativeShort,
}

struct Fixup {
    fill: Fill,
    /// Address of the operand to fill.
    at: u16,
    /// Index into the label table (names are kept there once, however
    /// often they are used).
    label: usize,
    token: Token,
    /// The macro and its use, when the reference came out of a macro
    /// expansion (made into text only for a message).
    site: Option<(Rc<[u8]>, Pos)>,
}

/// A label, listed from its first mention (definition or reference), as
/// drifblim lists them in the symbol file.
struct Label {
    name: Rc<[u8]>,
    /// `None` until it is defined (an anonymous block: until its `}`).
    address: Option<u16>,
}

/// An anonymous block `{ ... }` waiting for its `}`.
struct OpenBlock {
    label: usize,
    token: Token,
}

/// One assembly in progress: the token stream, the labels, the bytes
/// written and the references still to fill in.
pub struct Assembler<'a> {
    files: Vec<String>,
    loader: &'a mut dyn IncludeLoader,
    stream: TokenStream,
    memory: Vec<u8>,
    /// The write pointer; it may run past 0xffff through padding.
    pointer: u32,
    /// One past the highest address written.
    end: u32,
    labels: Vec<Label>,
    label_index: HashMap<Rc<[u8]>, usize>,
    macros: HashMap<Rc<[u8]>, Rc<[Token]>>,
    fixups: Vec<Fixup>,
    blocks: Vec<OpenBlock>,
    blocks_made: u32,
    /// Labels of blocks never closed, and macros defined after a use as a
    /// label: reported once, not again as unknown labels.
    reported: std::collections::HashSet<Rc<[u8]>>,
    brackets: Vec<Token>,
    /// A token read too far, to be handled next.
    pending: Option<Token>,
    /// The current `@label`, which `&name` and `/name` extend.
    scope: Vec<u8>,
    /// Bytes of source read from files so far (see [`MAX_SOURCES_SIZE`]).
    loaded: usize,
    /// Set when going on would cost too much (see [`MAX_REFERENCES`]).
    stopped: bool,
    errors: Vec<AsmError>,
}

impl<'a> Assembler<'a> {
    /// An assembly of `text`, named `name` in messages; includes come from
    /// `loader`.
    pub fn new(name: &str, text: &[u8], loader: &'a mut dyn IncludeLoader) -> Assembler<'a> {
        let mut assembler = Assembler {
            files: vec![name.to_string()],
            loader,
            stream: TokenStream::new(name.to_string(), tokenize(0, text)),
            memory: vec![0; MEMORY as usize],
            pointer: PAGE_ONE,
            end: 0,
            labels: Vec::new(),
            label_index: HashMap::new(),
            macros: HashMap::new(),
            fixups: Vec::new(),
            blocks: Vec::new(),
            blocks_made: 0,
            reported: Default::default(),
            brackets: Vec::new(),
            pending: None,
            scope: b"Top".to_vec(),
            loaded: text.len(),
            stopped: false,
            errors: Vec::new(),
        };
        // drifblim starts in a scope named Top, which is a label at 0x0100.
        assembler.mention(b"Top".as_slice().into());
        assembler.labels[0].address = Some(PAGE_ONE as u16);
        assembler
    }

    /// Assembles everything and returns the ROM or every error found.
    pub fn run(mut self) -> Result<Assembly, Vec<AsmError>> {
        while let Some(token) = self.next() {
            self.token(token);
            if self.errors.len() >= MAX_ERRORS || self.stopped {
                break;
            }
        }
        self.finish()
    }

    fn next(&mut self) -> Option<Token> {
        self.pending.take().or_else(|| self.stream.read())
    }

    fn finish(mut self) -> Result<Assembly, Vec<AsmError>> {
        if self.stream.exhausted {
            let pos = Pos {
                file: 0,
                line: 0,
                col: 0,
            };
            self.error_at(
                pos,
                format!(
                    "more than {MAX_TOKENS} tokens or {} MiB of text to read: \
                     a macro or include expands without end",
                    MAX_BYTES >> 20
                ),
                "",
            );
        }
        if self.errors.len() < MAX_ERRORS {
            for block in std::mem::take(&mut self.blocks) {
                self.error(&block.token, "this `{` has no matching `}`");
                let name = self.labels[block.label].name.clone();
                self.reported.insert(name);
            }
            for bracket in std::mem::take(&mut self.brackets) {
                self.error(&bracket, "this `[` has no matching `]`");
            }
            self.resolve();
        }
        if self.errors.len() >= MAX_ERRORS {
            self.errors.truncate(MAX_ERRORS);
            let last = self
                .errors
                .last()
                .map(|e| e.file.clone())
                .unwrap_or_default();
            self.errors.push(AsmError {
                file: last,
                line: 0,
                col: 0,
                reason: format!("too many errors; stopped after {MAX_ERRORS}"),
                token: String::new(),
            });
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        // Like drifblim: everything from 0x0100 to the last byte written,
        // and at least one byte (an empty program is a lone BRK).
        let end = self.end.max(PAGE_ONE + 1) as usize;
        let rom = self.memory[PAGE_ONE as usize..end].to_vec();
        let symbols = self
            .labels
            .iter()
            .filter_map(|l| Some((l.address?, l.name.to_vec())))
            .collect();
        Ok(Assembly { rom, symbols })
    }

    // ----- errors -----

    fn error(&mut self, token: &Token, reason: impl Into<String>) {
        let mut reason = reason.into();
        reason.push_str(&self.context());
        self.error_at(token.pos, reason, &token.show());
    }

    fn error_at(&mut self, pos: Pos, reason: String, token: &str) {
        let file = self
            .files
            .get(pos.file as usize)
            .cloned()
            .unwrap_or_default();
        self.errors.push(AsmError {
            file,
            line: pos.line,
            col: pos.col,
            reason,
            token: token.to_string(),
        });
    }

    /// ", in macro NAME used at FILE:LINE:COL" when the token being handled
    /// comes from a macro body.
    fn context(&self) -> String {
        self.describe_site(self.stream.expansion())
    }

    fn describe_site(&self, site: Option<(Rc<[u8]>, Pos)>) -> String {
        match site {
            Some((name, site)) => format!(
                ", in macro {} used at {}:{}:{}",
                excerpt(&name),
                self.files
                    .get(site.file as usize)
                    .map_or("", |f| f.as_str()),
                site.line,
                site.col
            ),
            None => String::new(),
        }
    }

    // ----- one token -----

    fn token(&mut self, token: Token) {
        let text = token.text.clone();
        let rest = &text[1.min(text.len())..];
        match token.first() {
            b'(' => self.comment(&token),
            b')' => self.error(&token, "`)` outside a comment"),
            // Square brackets only group tokens for the reader.
            b'[' => self.brackets.push(token),
            b']' => {
                if self.brackets.pop().is_none() {
                    self.error(&token, "`]` without a `[` before it");
                }
            }
            b'{' => {
                let name = self.open_block(&token);
                self.emit_reference(&token, &[0x60], Fill::RelativeShort, name);
            }
            b'}' => self.close_block(&token),
            b'%' => self.macro_definition(&token),
            b'~' => self.include(&token),
            b'|' | b'$' => self.padding(&token),
            b'@' => {
                let name: Rc<[u8]> = rest.into();
                let scope_end = name.iter().position(|&c| c == b'/').unwrap_or(name.len());
                // A name too long for a label is refused below; it does
                // not become the scope.
                if name.len() <= MAX_NAME {
                    self.scope = name[..scope_end].to_vec();
                }
                self.define_label(&token, name);
            }
            b'&' => {
                let name = self.sublabel(rest);
                self.define_label(&token, name);
            }
            b'#' => match hex(rest) {
                Some(value) if rest.len() == 2 => {
                    self.emit(&token, &[0x80, value as u8]);
                }
                Some(value) if rest.len() == 4 => {
                    let [high, low] = value.to_be_bytes();
                    self.emit(&token, &[0xa0, high, low]);
                }
                _ => self.error(
                    &token,
                    "invalid hex literal: `#` takes 2 or 4 lowercase hex digits",
                ),
            },
            b'"' => {
                if rest.is_empty() {
                    self.error(&token, "empty string: `\"` needs at least one character");
                } else {
                    self.emit(&token, rest);
                }
            }
            b'.' | b',' | b';' | b'-' | b'_' | b'=' | b'!' | b'?' => {
                let (prefix, fill): (&[u8], Fill) = match token.first() {
                    b'.' => (&[0x80], Fill::Byte),
                    b',' => (&[0x80], Fill::Relative),
                    b';' => (&[0xa0], Fill::Short),
                    b'-' => (&[], Fill::Byte),
                    b'_' => (&[], Fill::Relative),
                    b'=' => (&[], Fill::Short),
                    b'!' => (&[0x40], Fill::RelativeShort),
                    _ => (&[0x20], Fill::RelativeShort),
                };
                if rest.is_empty() {
                    self.error(&token, "a label name must follow the rune");
                } else if rest[0] == b'{' {
                    let name = self.open_block(&token);
                    self.emit_reference(&token, prefix, fill, name);
                } else {
                    let name = self.reference_name(rest);
                    self.emit_reference(&token, prefix, fill, name);
                }
            }
            _ => self.word(&token),
        }
    }

    /// A token with no rune: an opcode, raw hex, a macro or a call.
    fn word(&mut self, token: &Token) {
        let text = &token.text;
        if let Some(byte) = opcode(text) {
            self.emit(token, &[byte]);
        } else if let Some(value) = hex(text) {
            match text.len() {
                2 => {
                    self.emit(token, &[value as u8]);
                }
                4 => {
                    self.emit(token, &value.to_be_bytes());
                }
                _ => self.error(token, "invalid raw hex: it takes 2 or 4 digits"),
            }
        } else {
            let name = self.reference_name(text);
            if let Some(body) = self.macros.get(&name).cloned() {
                if let Err(reason) = self.stream.expand(name, body, token.pos) {
                    self.error(token, reason);
                }
            } else {
                self.emit_reference(token, &[0x60], Fill::RelativeShort, name);
            }
        }
    }

    /// Skips a comment: `(` opens it, and inside it only the tokens `(` and
    /// `)` nest and close.
    fn comment(&mut self, open: &Token) {
        let mut depth = 1u32;
        while let Some(token) = self.next() {
            match &*token.text {
                b"(" => depth += 1,
                b")" => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
        if !self.stream.exhausted {
            self.error(open, "comment not closed: this `(` has no matching `)`");
        }
    }

    // ----- names and labels -----

    /// `&name` and `/name` belong to the current scope; other names stand
    /// as written.
    fn reference_name(&self, name: &[u8]) -> Rc<[u8]> {
        match name.first() {
            Some(b'&') | Some(b'/') => self.sublabel(&name[1..]),
            _ => name.into(),
        }
    }

    fn sublabel(&self, name: &[u8]) -> Rc<[u8]> {
        let mut full = self.scope.clone();
        full.push(b'/');
        full.extend_from_slice(name);
        full.into()
    }

    /// Why `name` cannot name a label or macro, if it cannot.
    fn invalid_name(name: &[u8]) -> Option<&'static str> {
        if name.is_empty() {
            Some("missing name")
        } else if name.len() > MAX_NAME {
            Some("a name is at most 255 bytes long")
        } else if RUNES.contains(&name[0]) {
            Some("a name cannot start with a rune character")
        } else if hex(name).is_some() {
            Some("a name cannot be a hex number")
        } else if opcode(name).is_some() {
            Some("a name cannot be an opcode")
        } else {
            None
        }
    }

    fn define_label(&mut self, token: &Token, name: Rc<[u8]>) {
        if let Some(why) = Self::invalid_name(&name) {
            self.error(token, format!("invalid label name: {why}"));
        } else if self.is_defined(&name) {
            self.error(token, format!("duplicate label {}", excerpt(&name)));
        } else if self.macros.contains_key(&name) {
            self.error(
                token,
                format!("label {} has the name of a macro", excerpt(&name)),
            );
        } else {
            let index = self.mention(name);
            self.labels[index].address = Some(self.pointer as u16);
        }
    }

    fn is_defined(&self, name: &[u8]) -> bool {
        self.label_index
            .get(name)
            .is_some_and(|&i| self.labels[i].address.is_some())
    }

    /// The label called `name`, listed now if this is its first mention.
    fn mention(&mut self, name: Rc<[u8]>) -> usize {
        if let Some(&index) = self.label_index.get(&name) {
            return index;
        }
        let index = self.labels.len();
        self.label_index.insert(name.clone(), index);
        self.labels.push(Label {
            name,
            address: None,
        });
        index
    }

    /// Starts an anonymous block: a label named like drifblim's, `λ0000`
    /// counting up, listed from the `{` and placed at the `}`.
    fn open_block(&mut self, token: &Token) -> Rc<[u8]> {
        let name: Rc<[u8]> = format!("λ{:04x}", self.blocks_made).into_bytes().into();
        self.blocks_made += 1;
        if self.is_defined(&name) {
            self.error(
                token,
                format!(
                    "the anonymous block's label {} is already a label",
                    excerpt(&name)
                ),
            );
        }
        let label = self.mention(name.clone());
        self.blocks.push(OpenBlock {
            label,
            token: token.clone(),
        });
        name
    }

    fn close_block(&mut self, token: &Token) {
        match self.blocks.pop() {
            Some(block) => {
                let label = &mut self.labels[block.label];
                label.address = label.address.or(Some(self.pointer as u16));
            }
            None => self.error(token, "`}` without a `{` before it"),
        }
    }

    // ----- padding, macros, includes -----

    fn padding(&mut self, token: &Token) {
        let arg = &token.text[1..];
        let value = if let Some(value) = hex(arg) {
            value
        } else if arg.is_empty() {
            self.error(token, "padding needs a hex number or a label");
            return;
        } else {
            let name = self.reference_name(arg);
            match self
                .label_index
                .get(&name)
                .and_then(|&i| self.labels[i].address)
            {
                Some(address) => address,
                None => {
                    self.error(
                        token,
                        format!(
                            "unknown label {} (padding can only use labels defined before it)",
                            excerpt(&name)
                        ),
                    );
                    return;
                }
            }
        };
        if token.first() == b'|' {
            self.pointer = value as u32;
        } else {
            self.pointer = self.pointer.saturating_add(value as u32);
        }
    }

    /// `%name { body }`: the body is every token up to the `}` that
    /// balances the first `{`.
    fn macro_definition(&mut self, token: &Token) {
        let text = &token.text[1..];
        let name: Rc<[u8]> = if text.first() == Some(&b'/') {
            self.sublabel(&text[1..])
        } else {
            text.into()
        };
        // Up to the opening brace, only comments may come.
        let open = loop {
            let Some(next) = self.next() else {
                if !self.stream.exhausted {
                    self.error(token, "macro without a body: `{` expected after its name");
                }
                return;
            };
            match next.first() {
                b'(' => self.comment(&next),
                b'{' => break next,
                _ => {
                    self.error(token, "macro without a body: `{` expected after its name");
                    self.pending = Some(next);
                    return;
                }
            }
        };
        let mut body = Vec::new();
        let mut depth = 1u32;
        loop {
            let Some(next) = self.next() else {
                if !self.stream.exhausted {
                    self.error(&open, "macro body not closed: this `{` has no matching `}`");
                }
                return;
            };
            // As in drifblim: `{` first or second opens (`{`, `?{`, `;{`),
            // and only the token `}` closes.
            if next.text.iter().take(2).any(|&c| c == b'{') {
                depth += 1;
            } else if &*next.text == b"}" {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            body.push(next);
        }
        if let Some(why) = Self::invalid_name(&name) {
            self.error(token, format!("invalid macro name: {why}"));
        } else if self.macros.contains_key(&name) {
            self.error(token, format!("duplicate macro {}", excerpt(&name)));
        } else if self.is_defined(&name) {
            self.error(
                token,
                format!("macro {} has the name of a label", excerpt(&name)),
            );
        } else if self.label_index.contains_key(&name) {
            self.error(
                token,
                format!(
                    "macro {} is used before this definition: define macros before using them",
                    excerpt(&name)
                ),
            );
            self.reported.insert(name);
        } else {
            self.macros.insert(name, body.into());
        }
    }

    fn include(&mut self, token: &Token) {
        let path = String::from_utf8_lossy(&token.text[1..]).into_owned();
        let shown = excerpt(&token.text[1..]);
        if path.is_empty() {
            self.error(token, "`~` needs a file name");
            return;
        }
        // The main file is files[0]; every other entry is one include.
        if self.files.len() > MAX_INCLUDES {
            self.error(token, format!("more than {MAX_INCLUDES} includes"));
            return;
        }
        let from = self
            .files
            .get(token.pos.file as usize)
            .cloned()
            .unwrap_or_default();
        match self.loader.load(&from, &path) {
            Ok((name, text)) => {
                // Each file is read through its own cap, so the total
                // overshoots by at most one file before it is refused.
                self.loaded += text.len();
                if self.loaded > MAX_SOURCES_SIZE {
                    self.error(
                        token,
                        format!(
                            "cannot include {shown}: more than {} MiB of source in all",
                            MAX_SOURCES_SIZE >> 20
                        ),
                    );
                    return;
                }
                let file = self.files.len() as u32;
                self.files.push(name.clone());
                if let Err(reason) = self.stream.include(name, tokenize(file, &text)) {
                    self.error(token, reason);
                }
            }
            Err(reason) => self.error(token, format!("cannot include {shown}: {reason}")),
        }
    }

    // ----- writing bytes -----

    /// Writes `bytes` at the pointer, unless they would land in the zero
    /// page or past the end of memory. Returns where they start.
    fn emit(&mut self, token: &Token, bytes: &[u8]) -> Option<u16> {
        let start = self.pointer;
        let end = start.saturating_add(bytes.len() as u32);
        if start < PAGE_ONE {
            self.error(
                token,
                format!(
                    "write into the zero page at {start:#06x}: only padding and labels may go there"
                ),
            );
            return None;
        }
        if end > MEMORY {
            self.error(
                token,
                format!(
                    "output past 64 KiB: this writes up to {:#x}",
                    end.saturating_sub(1)
                ),
            );
            return None;
        }
        self.memory[start as usize..end as usize].copy_from_slice(bytes);
        self.pointer = end;
        self.end = self.end.max(end);
        Some(start as u16)
    }

    /// Writes `prefix` and room for a reference to `name`, filled in later.
    fn emit_reference(&mut self, token: &Token, prefix: &[u8], fill: Fill, name: Rc<[u8]>) {
        let mut bytes = prefix.to_vec();
        let width = match fill {
            Fill::Byte | Fill::Relative => 1,
            Fill::Short | Fill::RelativeShort => 2,
        };
        bytes.resize(prefix.len() + width, 0xff);
        let label = self.mention(name);
        if self.fixups.len() >= MAX_REFERENCES {
            self.error(
                token,
                format!("more than {MAX_REFERENCES} label references; giving up"),
            );
            self.stopped = true;
            return;
        }
        if let Some(start) = self.emit(token, &bytes) {
            self.fixups.push(Fixup {
                fill,
                at: start + prefix.len() as u16,
                label,
                token: token.clone(),
                site: self.stream.expansion(),
            });
        }
    }

    /// Fills in every reference now that all labels are known.
    fn resolve(&mut self) {
        for fixup in std::mem::take(&mut self.fixups) {
            // Past the errors that will be shown, stop: an error per
            // reference could cost more memory than the references.
            if self.errors.len() > MAX_ERRORS {
                break;
            }
            let label = &self.labels[fixup.label];
            let target = match label.address {
                Some(address) => address,
                None if self.reported.contains(&label.name) => continue,
                None => {
                    let name = excerpt(&label.name);
                    let context = self.describe_site(fixup.site);
                    self.error_at(
                        fixup.token.pos,
                        format!("unknown label {name}{context}"),
                        &fixup.token.show(),
                    );
                    continue;
                }
            };
            let at = fixup.at as usize;
            let distance = target.wrapping_sub(fixup.at).wrapping_sub(2);
            match fixup.fill {
                Fill::Byte => self.memory[at] = target as u8,
                Fill::Short => {
                    self.memory[at..at + 2].copy_from_slice(&target.to_be_bytes());
                }
                Fill::RelativeShort => {
                    self.memory[at..at + 2].copy_from_slice(&distance.to_be_bytes());
                }
                Fill::Relative => {
                    let signed = distance as i16;
                    if (-128..=127).contains(&signed) {
                        self.memory[at] = signed as u8;
                    } else {
                        let name = excerpt(&self.labels[fixup.label].name);
                        let context = self.describe_site(fixup.site);
                        self.error_at(
                            fixup.token.pos,
                            format!(
                                "relative reference out of range: {name} is {signed} bytes away, \
                                 a byte reaches -128 to 127{context}"
                            ),
                            &fixup.token.show(),
                        );
                    }
                }
            }
        }
    }
}

/// The value of a lowercase hex number of any length (kept to 16 bits, as
/// drifblim does for padding), or `None` if `text` is not one.
fn hex(text: &[u8]) -> Option<u16> {
    if text.is_empty() {
        return None;
    }
    let mut value = 0u16;
    for &c in text {
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        value = value.wrapping_shl(4) | digit as u16;
    }
    Some(value)
}
