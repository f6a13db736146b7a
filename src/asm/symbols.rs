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
