//! The symbol file beside a ROM, in the format of the reference assembler
//! and drifblim: for each label, in the order the labels were made, its
//! address as a big-endian 16-bit number, then its name and a NUL byte.
//! Debuggers and disassemblers read it to show names for addresses.

/// The bytes of the `.sym` file for `symbols`.
pub fn symbol_file(symbols: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (address, name) in symbols {
        out.extend_from_slice(&address.to_be_bytes());
        out.extend_from_slice(name);
        out.push(0);
    }
    out
}

/// The labels of a program, for showing names beside addresses (the
/// debugger, `--trace`): from its assembly, or read from a `.sym` file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels {
    /// By address, then in the order they were made.
    by_address: Vec<(u16, String)>,
}

impl Labels {
    /// Labels from (address, name) pairs, as an assembly or a `.sym` file
    /// gives them.
    pub fn new(symbols: &[(u16, Vec<u8>)]) -> Labels {
        let mut by_address: Vec<(u16, String)> = symbols
            .iter()
            .map(|(at, name)| (*at, String::from_utf8_lossy(name).into_owned()))
            .collect();
        by_address.sort_by_key(|&(at, _)| at);
        Labels { by_address }
    }

    /// The labels in a `.sym` file's bytes; a truncated last entry is
    /// dropped (a symbol file is a convenience, never a reason to fail).
    pub fn parse(bytes: &[u8]) -> Labels {
        let mut symbols = Vec::new();
        let mut rest = bytes;
        while rest.len() > 2 {
            let at = u16::from_be_bytes([rest[0], rest[1]]);
            let Some(end) = rest[2..].iter().position(|&b| b == 0) else {
                break;
            };
            symbols.push((at, rest[2..2 + end].to_vec()));
            rest = &rest[3 + end..];
        }
        Labels::new(&symbols)
    }

    /// Whether there are no labels at all.
    pub fn is_empty(&self) -> bool {
        self.by_address.is_empty()
    }

    /// The address of the label `name`.
    pub fn address_of(&self, name: &str) -> Option<u16> {
        self.by_address
            .iter()
            .find(|(_, n)| n == name)
            .map(|&(at, _)| at)
    }

    /// `name` or `name+3`: the nearest label at or before `at` (within
    /// 256 bytes, farther is no help), or nothing. Of labels at the same
    /// address the last made wins: it is the most particular one (the
    /// assembler's `Top` comes before `on-reset`, a scope before its
    /// first sublabel).
    pub fn describe(&self, at: u16) -> String {
        let i = self.by_address.partition_point(|&(a, _)| a <= at);
        let Some(i) = i.checked_sub(1) else {
            return String::new();
        };
        let (base, name) = &self.by_address[i];
        match at - base {
            0 => name.clone(),
            d if d < 0x100 => format!("{name}+{d}"),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symbol_file_reads_back_as_labels() {
        let symbols = vec![
            (0x0100, b"Top".to_vec()),
            (0x0100, b"on-reset".to_vec()),
            (0x0108, b"loop".to_vec()),
        ];
        let labels = Labels::parse(&symbol_file(&symbols));
        assert_eq!(labels.address_of("loop"), Some(0x0108));
        assert_eq!(labels.describe(0x0100), "on-reset");
        assert_eq!(labels.describe(0x010a), "loop+2");
        assert_eq!(labels.describe(0x0108), "loop");
        assert_eq!(labels.describe(0x00ff), "");
        assert_eq!(Labels::parse(b"\x01\x00trunc"), Labels::default());
    }
}
