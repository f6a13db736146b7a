//! Which reference the machine behaves like, where the references differ:
//! uxnemu as of September 2025 (what hop was built against) or uxn2 (the
//! Hundred Rabbits reference since March 2026). Each switch names the one
//! behaviour it changes; `true` is uxn2's way. The README's Compatibility section lists them
//! with the uxn2 source line that shows each, and the differences hop
//! keeps on purpose.

/// The switches, one per behaviour that differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Compat {
    /// Mouse/state: the right button is 0x02 and the middle one 0x04
    /// (2025: right 0x04, middle 0x02).
    pub mouse_right_is_0x02: bool,
    /// A short port acts once, on its low byte: DEO2 stores the high byte
    /// and calls the device for the low one only, DEI2 asks the device for
    /// the high byte only, and a byte write to the high half of Screen
    /// x/y/addr, File/length or a colour does nothing until the low half is
    /// written (2025: every byte of a DEO2/DEI2 is its own device call).
    pub short_ports_act_once: bool,
    /// Screen width/height are taken modulo 0x1000 (2025: clamped to
    /// 8..=2048). hop keeps at least 8 either way.
    pub screen_size_masked: bool,
    /// A pixel or fill whose x or y is off the screen does nothing at all,
    /// not even the auto-increment, and a pixel's auto x/y step backwards
    /// when its flip bit is set (2025: pixels always step forward, fills
    /// from outside are clamped onto the screen).
    pub pixel_needs_origin_on_screen: bool,
    /// File listings put a TAB between the size and the name and leave out
    /// `..` (2025: a space, and `..` first in a sub-folder).
    pub listing_tab_without_parent: bool,
    /// Writing File/name sets File/success to 0 (2025: untouched).
    pub name_clears_success: bool,
    /// File/delete removes files only; a folder stays and the result is 0
    /// (2025: an empty folder is removed too).
    pub delete_files_only: bool,
    /// The arguments are delivered only if the reset vector set a console
    /// vector; otherwise Console/read and type keep their values (2025:
    /// their bytes are stored either way).
    pub args_need_console_vector: bool,
    /// Expansion fills and copies stop at the end of the bank rather than
    /// wrap inside it, copies move their bytes as a whole (2025: opcode 1
    /// copies forward and 2 backward, byte by byte, so an overlapping copy
    /// the wrong way repeats bytes), and an unknown opcode is reported as
    /// `Unknown command: NN` in hex (2025: the text at the address).
    pub expansion_stops_at_bank_end: bool,
    /// Audio/position is not reported: its ports read what was stored
    /// there (2025: the playing position).
    pub audio_position_not_reported: bool,
    /// System/debug writes `|` rather than a space after the stack's name
    /// when the stack holds exactly 8 bytes (its bottom is in view).
    pub debug_marks_stack_bottom: bool,
}

impl Compat {
    /// hop before uxn2: uxnemu of September 2025, where hop followed it.
    pub const Y2025: Compat = Compat {
        mouse_right_is_0x02: false,
        short_ports_act_once: false,
        screen_size_masked: false,
        pixel_needs_origin_on_screen: false,
        listing_tab_without_parent: false,
        name_clears_success: false,
        delete_files_only: false,
        args_need_console_vector: false,
        debug_marks_stack_bottom: false,
        expansion_stops_at_bank_end: false,
        audio_position_not_reported: false,
    };

    /// uxn2 (Varvara(79K), 18 Aug 2026).
    pub const Y2026: Compat = Compat {
        mouse_right_is_0x02: true,
        short_ports_act_once: true,
        screen_size_masked: true,
        pixel_needs_origin_on_screen: true,
        listing_tab_without_parent: true,
        name_clears_success: true,
        delete_files_only: true,
        args_need_console_vector: true,
        debug_marks_stack_bottom: true,
        expansion_stops_at_bank_end: true,
        audio_position_not_reported: true,
    };

    /// The profile for `year` (2025 or 2026), for the command line.
    pub fn year(year: u16) -> Option<Compat> {
        match year {
            2025 => Some(Compat::Y2025),
            2026 => Some(Compat::Y2026),
            _ => None,
        }
    }

    /// The Mouse/state bit of a host button given as its 2025 bit
    /// ([`super::mouse::button`]).
    pub fn mouse_bits(&self, host: u8) -> u8 {
        if !self.mouse_right_is_0x02 {
            return host;
        }
        let (middle, right) = (host & 0x02 != 0, host & 0x04 != 0);
        host & !0x06 | (right as u8) << 1 | (middle as u8) << 2
    }
}

impl Default for Compat {
    fn default() -> Self {
        Compat::Y2026
    }
}

/// The metadata extension that names the Varvara version a ROM targets.
pub const VERSION_EXTENSION: u8 = b'V';

/// The first Varvara version value seen in ROMs built for uxn2 (June 2026
/// builds of Drifblim and CCCC carry 0x0050); ROMs that name an older one
/// target the 2025 machine.
pub const FIRST_2026_VERSION: u16 = 0x0050;

/// The profile a ROM's metadata at `at` asks for: the value of its 'V'
/// extension, if it has one (version byte, text up to NUL, a count, then
/// count × id byte and value short).
pub fn from_metadata(ram: &[u8], at: u16) -> Option<Compat> {
    let version = super::metadata::extension(ram, at, VERSION_EXTENSION)?;
    Some(if version >= FIRST_2026_VERSION {
        Compat::Y2026
    } else {
        Compat::Y2025
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mouse_bits_swap_middle_and_right_in_2026() {
        assert_eq!(Compat::Y2025.mouse_bits(0x04), 0x04);
        assert_eq!(Compat::Y2026.mouse_bits(0x04), 0x02);
        assert_eq!(Compat::Y2026.mouse_bits(0x02), 0x04);
        assert_eq!(Compat::Y2026.mouse_bits(0x07), 0x07);
        assert_eq!(Compat::Y2026.mouse_bits(0x0d), 0x0b);
    }

    #[test]
    fn the_version_extension_picks_the_profile() {
        let mut ram = vec![0u8; 0x300];
        let meta = b"\0Name\0\x02\x83\x12\x34V\x00\x50";
        ram[0x200..0x200 + meta.len()].copy_from_slice(meta);
        assert_eq!(from_metadata(&ram, 0x200), Some(Compat::Y2026));
        ram[0x200 + meta.len() - 1] = 0x4f;
        assert_eq!(from_metadata(&ram, 0x200), Some(Compat::Y2025));
        ram[0x200 + 6] = 1; // only the icon is counted
        assert_eq!(from_metadata(&ram, 0x200), None);
        assert_eq!(from_metadata(&ram, 0), None);
    }
}
