//! The token stream the assembler reads: the main file, with included files
//! and macro bodies spliced in where they are used.
//!
//! Sources form a stack. A macro use pushes its body, an include pushes the
//! file; reading goes on from the top and falls back to the source below
//! when one runs out. Because comments and macro definitions are parsed on
//! this stream, a comment or a definition may start inside a macro body and
//! end in the text after its use, as in drifblim.
//!
//! Every input must finish: a macro that is already being expanded cannot
//! be expanded again inside itself, an included file cannot include itself,
//! nesting is bounded, and so are the tokens read and their bytes: a few
//! long tokens expanded many times cost as much memory and time as many
//! short ones.

use std::rc::Rc;

use super::error::{Pos, excerpt};
use super::lexer::Token;

/// Most tokens one assembly reads, macro expansions and includes counted:
/// far above any real program (a full 64 KiB ROM is some 50,000 tokens),
/// and reached in well under a second by a runaway expansion.
pub const MAX_TOKENS: usize = 1 << 22;
/// Most bytes of token text one assembly reads, counted like
/// [`MAX_TOKENS`]: 64 times the largest source (see
/// [`super::MAX_SOURCE_SIZE`]), so a 1 MiB label expanded through a macro
/// stops after 64 uses, not a thousand.
pub const MAX_BYTES: usize = 64 << 20;
/// Deepest nesting of includes.
pub const MAX_INCLUDE_DEPTH: usize = 64;
/// Deepest nesting of macro expansions inside one another.
pub const MAX_MACRO_DEPTH: usize = 1024;

/// Where the tokens of a stack entry come from.
enum Origin {
    File(String),
    Macro { name: Rc<[u8]>, site: Pos },
}

struct Source {
    tokens: Rc<[Token]>,
    next: usize,
    origin: Origin,
}

/// The tokens still to assemble: the file's, with macro bodies and
/// included files spliced in as they are met.
pub struct TokenStream {
    sources: Vec<Source>,
    read: usize,
    bytes: usize,
    /// Set when [`MAX_TOKENS`] or [`MAX_BYTES`] ran out; reading then stops.
    pub exhausted: bool,
}

impl TokenStream {
    /// The stream of one file's `tokens`.
    pub fn new(file: String, tokens: Vec<Token>) -> TokenStream {
        TokenStream {
            sources: vec![Source {
                tokens: tokens.into(),
                next: 0,
                origin: Origin::File(file),
            }],
            read: 0,
            bytes: 0,
            exhausted: false,
        }
    }

    /// The next token. A source that ran out stays on the stack until the
    /// token after its last one is asked for, so that a macro whose body
    /// ends by using itself is still seen as being expanded.
    pub fn read(&mut self) -> Option<Token> {
        loop {
            let top = self.sources.last_mut()?;
            if let Some(token) = top.tokens.get(top.next) {
                if self.read >= MAX_TOKENS || self.bytes + token.text.len() > MAX_BYTES {
                    self.exhausted = true;
                    self.sources.clear();
                    return None;
                }
                self.read += 1;
                self.bytes += token.text.len();
                top.next += 1;
                return Some(token.clone());
            }
            self.sources.pop();
        }
    }

    /// Continues with the tokens of included file `name`.
    pub fn include(&mut self, name: String, tokens: Vec<Token>) -> Result<(), String> {
        let mut depth = 0;
        for source in &self.sources {
            if let Origin::File(open) = &source.origin {
                depth += 1;
                if *open == name {
                    return Err(format!(
                        "{name} includes itself (through the files that include it)"
                    ));
                }
            }
        }
        if depth >= MAX_INCLUDE_DEPTH {
            return Err(format!(
                "includes nest deeper than {MAX_INCLUDE_DEPTH} files"
            ));
        }
        self.sources.push(Source {
            tokens: tokens.into(),
            next: 0,
            origin: Origin::File(name),
        });
        Ok(())
    }

    /// Continues with the body of macro `name`, used at `site`.
    pub fn expand(&mut self, name: Rc<[u8]>, body: Rc<[Token]>, site: Pos) -> Result<(), String> {
        let mut depth = 0;
        for source in &self.sources {
            if let Origin::Macro { name: open, .. } = &source.origin {
                depth += 1;
                if *open == name {
                    return Err(format!(
                        "recursive macro {}: it is used inside its own expansion",
                        excerpt(&name)
                    ));
                }
            }
        }
        if depth >= MAX_MACRO_DEPTH {
            return Err(format!(
                "macros nest deeper than {MAX_MACRO_DEPTH} expansions"
            ));
        }
        self.sources.push(Source {
            tokens: body,
            next: 0,
            origin: Origin::Macro { name, site },
        });
        Ok(())
    }

    /// When the last token read came from a macro body: the innermost
    /// macro's name and where the outermost one of the chain was used, the
    /// spot in a file that the user wrote.
    pub fn expansion(&self) -> Option<(Rc<[u8]>, Pos)> {
        let mut chain = self
            .sources
            .iter()
            .rev()
            .map_while(|source| match &source.origin {
                Origin::Macro { name, site } => Some((name.clone(), *site)),
                Origin::File(_) => None,
            });
        let (innermost, mut site) = chain.next()?;
        for (_, outer) in chain {
            site = outer;
        }
        Some((innermost, site))
    }
}
