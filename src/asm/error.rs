//! Assembly errors: one per problem, each pointing at the token that caused it.

use std::fmt;

/// Where a token sits in a source file: 1-based line and column (in
/// characters). Line 0 means "the file as a whole" (it could not be read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    /// Index into the assembler's table of file names.
    pub file: u32,
    /// 1-based line (0: the file as a whole).
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

/// One assembly problem. `Display` is `file:line:col: reason (token)`, the
/// form editors and terminals turn into a link to the spot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmError {
    /// The file, as named in the source or on the command line.
    pub file: String,
    /// 1-based line (0: the file as a whole).
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
    /// What is wrong, in a few words.
    pub reason: String,
    /// The offending token as written (empty when there is none to show).
    pub token: String,
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.reason)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.col, self.reason
            )?;
        }
        if !self.token.is_empty() {
            write!(f, " ({})", self.token)?;
        }
        Ok(())
    }
}

impl std::error::Error for AsmError {}

/// The most bytes of source text a message quotes. Tokens, names and
/// include paths can be as long as a whole file; a message shows this much
/// of one, so a megabyte-long token cannot flood the terminal (or repeat a
/// file's contents into it).
pub const EXCERPT_BYTES: usize = 48;

/// `text` as a message shows it: whole when short, else its first
/// [`EXCERPT_BYTES`] (cut at a character boundary), `...` and its length.
pub fn excerpt(text: &[u8]) -> String {
    if text.len() <= EXCERPT_BYTES {
        return String::from_utf8_lossy(text).into_owned();
    }
    let mut cut = EXCERPT_BYTES;
    // Back up over UTF-8 continuation bytes (at most three).
    while cut > EXCERPT_BYTES - 3 && text[cut] & 0xc0 == 0x80 {
        cut -= 1;
    }
    format!(
        "{}... ({} bytes)",
        String::from_utf8_lossy(&text[..cut]),
        text.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_keep_short_text_and_cut_long_text_at_a_character() {
        assert_eq!(excerpt(b"label"), "label");
        let long = "λ".repeat(100);
        let shown = excerpt(long.as_bytes());
        assert_eq!(shown, format!("{}... (200 bytes)", "λ".repeat(24)));
        let odd = format!("x{long}");
        assert_eq!(
            excerpt(odd.as_bytes()),
            format!("x{}... (201 bytes)", "λ".repeat(23))
        );
    }
}
