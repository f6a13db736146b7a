//! Assembly errors: one per problem, each pointing at the token that caused it.

use std::fmt;

/// Where a token sits in a source file: 1-based line and column (in
/// characters). Line 0 means "the file as a whole" (it could not be read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    /// Index into the assembler's table of file names.
    pub file: u32,
    pub line: u32,
    pub col: u32,
}

/// One assembly problem. `Display` is `file:line:col: reason (token)`, the
/// form editors and terminals turn into a link to the spot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AsmError {
    pub file: String,
    pub line: u32,
    pub col: u32,
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
