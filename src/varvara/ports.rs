//! How devices name their ports. Each device declares its own once, in its
//! own file, as offsets within its 16 bytes of the device page and a
//! [`Layout`] that names them; the device's code, the host interface
//! ([`super::host`]) and the debugger all read those declarations.

use super::{audio, console, controller, datetime, file, mouse, screen, system};

/// One port: where it is within its device, its name as the
/// specification gives it, and whether it holds a short (high byte first,
/// at `offset`) or a byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Port {
    /// Offset within the device's 16 bytes.
    pub offset: u8,
    /// The specification's name, lower case (`vector`, `scrollx`).
    pub name: &'static str,
    /// 1 or 2 bytes.
    pub width: u8,
}

impl Port {
    /// A one-byte port.
    pub const fn byte(offset: u8, name: &'static str) -> Port {
        Port {
            offset,
            name,
            width: 1,
        }
    }

    /// A two-byte port.
    pub const fn short(offset: u8, name: &'static str) -> Port {
        Port {
            offset,
            name,
            width: 2,
        }
    }
}

/// A device: its name, the first of its 16 ports, and the named ones.
#[derive(Clone, Copy, Debug)]
pub struct Layout {
    /// `System`, `Audio0`, `File1`, ...
    pub name: &'static str,
    /// The device's first port: 0x00, 0x10, ... 0xf0.
    pub base: u8,
    /// The ports the specification names, in order.
    pub ports: &'static [Port],
}

impl Layout {
    /// The device page address of port `offset` of this device.
    pub const fn at(&self, offset: u8) -> usize {
        (self.base + offset) as usize
    }
}

/// Every Varvara device, in page order.
pub const DEVICES: [Layout; 12] = [
    system::LAYOUT,
    console::LAYOUT,
    screen::LAYOUT,
    audio::LAYOUTS[0],
    audio::LAYOUTS[1],
    audio::LAYOUTS[2],
    audio::LAYOUTS[3],
    controller::LAYOUT,
    mouse::LAYOUT,
    file::LAYOUTS[0],
    file::LAYOUTS[1],
    datetime::LAYOUT,
];

/// The ports named `Device/port` (case aside): `File/write` names both
/// file devices' write ports, `Audio/pitch` all four voices', `File1/write`
/// one. A short port is both of its bytes.
pub fn named(name: &str) -> Option<Vec<u8>> {
    let (device, port) = name.split_once('/')?;
    let mut found = Vec::new();
    for layout in &DEVICES {
        let family = layout.name.trim_end_matches(|c: char| c.is_ascii_digit());
        if !device.eq_ignore_ascii_case(layout.name) && !device.eq_ignore_ascii_case(family) {
            continue;
        }
        for p in layout.ports {
            if p.name.eq_ignore_ascii_case(port) {
                found.extend((0..p.width).map(|i| layout.base + p.offset + i));
            }
        }
    }
    (!found.is_empty()).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_sit_on_their_own_pages_in_order() {
        for pair in DEVICES.windows(2) {
            assert!(
                pair[0].base < pair[1].base,
                "{} before {}",
                pair[0].name,
                pair[1].name
            );
        }
        for layout in &DEVICES {
            assert_eq!(layout.base & 0x0f, 0, "{}", layout.name);
            for p in layout.ports {
                assert!(p.offset + p.width <= 16, "{}/{}", layout.name, p.name);
            }
        }
    }
}
