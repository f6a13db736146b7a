//! Splitting source text into tokens. Uxntal has no syntax beyond words:
//! every byte up to 0x20 (space, tab, newline, NUL and the other control
//! codes) separates tokens, and every other byte belongs to one, as in
//! drifblim. Tokens keep their position for error messages.

use std::rc::Rc;

use super::error::Pos;

/// One word of source text, as bytes (strings may hold any byte but the
/// separators), and where it starts.
#[derive(Clone, Debug)]
pub struct Token {
    /// The token's bytes.
    pub text: Rc<[u8]>,
    /// Where it starts.
    pub pos: Pos,
}

impl Token {
    /// The token as text for messages: a short excerpt of a long one (see
    /// [`super::error::excerpt`]), invalid UTF-8 shown as U+FFFD.
    pub fn show(&self) -> String {
        super::error::excerpt(&self.text)
    }

    /// Its first byte, the rune (0 for an empty token).
    pub fn first(&self) -> u8 {
        self.text.first().copied().unwrap_or(0)
    }
}

/// Splits `src` (from file number `file`) into tokens.
pub fn tokenize(file: u32, src: &[u8]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut line = 1u32;
    let mut col = 1u32;
    let mut start: Option<(usize, Pos)> = None;
    for (i, &byte) in src.iter().enumerate() {
        if byte <= 0x20 {
            if let Some((from, pos)) = start.take() {
                tokens.push(Token {
                    text: src[from..i].into(),
                    pos,
                });
            }
            if byte == b'\n' {
                line = line.saturating_add(1);
                col = 1;
            } else {
                col = col.saturating_add(1);
            }
            continue;
        }
        if start.is_none() {
            start = Some((i, Pos { file, line, col }));
        }
        // Columns count characters: UTF-8 continuation bytes do not move.
        if byte & 0xc0 != 0x80 {
            col = col.saturating_add(1);
        }
    }
    if let Some((from, pos)) = start {
        tokens.push(Token {
            text: src[from..].into(),
            pos,
        });
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let tokens = tokenize(0, "#01 \"λx\tADD\n  @end\x00BRK".as_bytes());
        let got: Vec<(String, u32, u32)> = tokens
            .iter()
            .map(|t| (t.show(), t.pos.line, t.pos.col))
            .collect();
        assert_eq!(
            got,
            [
                ("#01".into(), 1, 1),
                ("\"λx".into(), 1, 5),
                ("ADD".into(), 1, 9),
                ("@end".into(), 2, 3),
                ("BRK".into(), 2, 8),
            ]
        );
    }
}
