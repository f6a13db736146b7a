//! Opcode names: three capital letters and any mix of the mode letters.

/// The 32 base operations, in opcode order. Slot 0 is BRK; `LIT` is slot 0
/// with the keep bit, so both names are looked up here.
const NAMES: [&[u8; 3]; 32] = [
    b"BRK", b"INC", b"POP", b"NIP", b"SWP", b"ROT", b"DUP", b"OVR", //
    b"EQU", b"NEQ", b"GTH", b"LTH", b"JMP", b"JCN", b"JSR", b"STH", //
    b"LDZ", b"STZ", b"LDR", b"STR", b"LDA", b"STA", b"DEI", b"DEO", //
    b"ADD", b"SUB", b"MUL", b"DIV", b"AND", b"ORA", b"EOR", b"SFT",
];

/// The byte for an opcode name such as `ADD2kr`, or `None` if `word` is not
/// one. Mode letters may come in any order and repeat (`INCkkrr` is
/// `INCkr`). Modes on BRK give the special opcodes (`BRK2` is JCI, as
/// drifblim assembles it); `LIT` always has the keep bit.
pub fn opcode(word: &[u8]) -> Option<u8> {
    let (name, modes) = word.split_at_checked(3)?;
    let mut byte = if name == b"LIT" {
        0x80
    } else {
        NAMES.iter().position(|n| n.as_slice() == name)? as u8
    };
    for mode in modes {
        byte |= match mode {
            b'2' => 0x20,
            b'r' => 0x40,
            b'k' => 0x80,
            _ => return None,
        };
    }
    Some(byte)
}

#[cfg(test)]
mod tests {
    use super::opcode;

    #[test]
    fn names_and_modes() {
        assert_eq!(opcode(b"BRK"), Some(0x00));
        assert_eq!(opcode(b"LIT"), Some(0x80));
        assert_eq!(opcode(b"LIT2r"), Some(0xe0));
        assert_eq!(opcode(b"INC2"), Some(0x21));
        assert_eq!(opcode(b"JMP2r"), Some(0x6c));
        assert_eq!(opcode(b"LDAk"), Some(0x94));
        assert_eq!(opcode(b"SFT2kr"), Some(0xff));
        assert_eq!(opcode(b"EQUrrkk"), Some(0xc8));
        assert_eq!(opcode(b"ADD2x"), None);
        assert_eq!(opcode(b"add"), None);
        assert_eq!(opcode(b"AD"), None);
        assert_eq!(opcode(b"JCI"), None);
    }
}
