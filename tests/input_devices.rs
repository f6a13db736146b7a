//! Controller, Mouse and the frame procedure, through a hand-assembled ROM
//! whose vectors record what they see in the zero page; and the emulated
//! Datetime clock.

use hop::varvara::datetime::Clock;
use hop::varvara::{Config, Event, Varvara};

/// The test ROM. Reset sets the controller vector to 0x0120, the mouse
/// vector to 0x0140 and the screen vector to 0x0170 (the ROM starts at
/// 0x0100, so offset = address - 0x100).
fn rom() -> Vec<u8> {
    let mut rom = vec![0u8; 0x90];
    let reset = [
        0xa0, 0x01, 0x20, 0x80, 0x80, 0x37, // LIT2 0120 LIT 80 DEO2: controller vector
        0xa0, 0x01, 0x40, 0x80, 0x90, 0x37, // LIT2 0140 LIT 90 DEO2: mouse vector
        0xa0, 0x01, 0x70, 0x80, 0x20, 0x37, // LIT2 0170 LIT 20 DEO2: screen vector
        0x00, // BRK
    ];
    let controller = [
        0x80, 0x82, 0x16, 0x80, 0x00, 0x11, // button -> zp 00
        0x80, 0x83, 0x16, 0x80, 0x01, 0x11, // key -> zp 01
        0x80, 0x02, 0x10, 0x01, 0x80, 0x02, 0x11, // zp 02 += 1 (calls)
        0x00,
    ];
    let mouse = [
        0x80, 0x92, 0x36, 0x80, 0x10, 0x31, // x -> zp 10-11
        0x80, 0x94, 0x36, 0x80, 0x12, 0x31, // y -> zp 12-13
        0x80, 0x96, 0x16, 0x80, 0x14, 0x11, // state -> zp 14
        0x80, 0x9a, 0x36, 0x80, 0x15, 0x31, // scroll x -> zp 15-16
        0x80, 0x9c, 0x36, 0x80, 0x17, 0x31, // scroll y -> zp 17-18
        0x80, 0x19, 0x10, 0x01, 0x80, 0x19, 0x11, // zp 19 += 1 (calls)
        0x00,
    ];
    let screen = [
        0x80, 0x02, 0x10, 0x80, 0x20, 0x11, // zp 20 = controller calls so far
        0x80, 0x21, 0x10, 0x01, 0x80, 0x21, 0x11, // zp 21 += 1 (frames)
        0x00,
    ];
    rom[..reset.len()].copy_from_slice(&reset);
    rom[0x20..0x20 + controller.len()].copy_from_slice(&controller);
    rom[0x40..0x40 + mouse.len()].copy_from_slice(&mouse);
    rom[0x70..0x70 + screen.len()].copy_from_slice(&screen);
    rom
}

/// The machine in the 2025 profile (right button 04, middle 02); the 2026
/// bits are in `tests/tal/devices/compat-mouse.tal`.
fn booted() -> Varvara {
    let config = Config {
        settings: hop::varvara::Settings {
            compat: Some(hop::varvara::Compat::Y2025),
            ..Default::default()
        },
        ..Config::default()
    };
    let mut m = Varvara::new(&rom(), config).unwrap();
    m.boot(false).unwrap();
    m
}

fn zp(m: &Varvara, at: usize) -> u8 {
    m.cpu().ram[at]
}

fn zp2(m: &Varvara, at: usize) -> u16 {
    u16::from_be_bytes([m.cpu().ram[at], m.cpu().ram[at + 1]])
}

#[test]
fn buttons_are_ored_and_anded_into_the_port_before_the_vector() {
    let mut m = booted();
    m.deliver(Event::ButtonDown(0x01)).unwrap();
    m.deliver(Event::ButtonDown(0x80)).unwrap();
    assert_eq!((zp(&m, 0), zp(&m, 2)), (0x81, 2));
    m.deliver(Event::ButtonUp(0x01)).unwrap();
    assert_eq!((zp(&m, 0), zp(&m, 2)), (0x80, 3));
    // A zero mask runs nothing.
    m.deliver(Event::ButtonDown(0)).unwrap();
    m.deliver(Event::ButtonUp(0)).unwrap();
    assert_eq!(zp(&m, 2), 3);
    assert_eq!(m.cpu().dev[0x82], 0x80, "the button byte stays in the port");
}

#[test]
fn a_key_lasts_for_one_vector() {
    let mut m = booted();
    m.deliver(Event::ButtonDown(0x01)).unwrap();
    m.deliver(Event::Key(b'n')).unwrap();
    assert_eq!((zp(&m, 0), zp(&m, 1), zp(&m, 2)), (0x01, b'n', 2), "Ctrl+n");
    assert_eq!(m.cpu().dev[0x83], 0, "the key is cleared after the vector");
    m.deliver(Event::ButtonUp(0x01)).unwrap();
    assert_eq!((zp(&m, 0), zp(&m, 1)), (0x00, 0x00), "no repeated key");
    m.deliver(Event::Key(0)).unwrap();
    assert_eq!(zp(&m, 2), 3, "key 0 runs nothing");
}

#[test]
fn mouse_moves_buttons_and_scrolls() {
    let mut m = booted();
    m.deliver(Event::MouseMove { x: 300, y: 0x1234 }).unwrap();
    assert_eq!(
        (zp2(&m, 0x10), zp2(&m, 0x12), zp(&m, 0x19)),
        (300, 0x1234, 1)
    );
    m.deliver(Event::MouseDown(0x01)).unwrap();
    m.deliver(Event::MouseDown(0x04)).unwrap();
    assert_eq!(zp(&m, 0x14), 0x05);
    // The ROM consumes the click by writing 0; later changes apply to that.
    m.deo(0x96, 0);
    m.deliver(Event::MouseUp(0x01)).unwrap();
    assert_eq!(zp(&m, 0x14), 0x00);
    m.deliver(Event::MouseDown(0x02)).unwrap();
    assert_eq!(zp(&m, 0x14), 0x02);
    m.deliver(Event::Scroll { x: 2, y: -1 }).unwrap();
    assert_eq!((zp2(&m, 0x15), zp2(&m, 0x17)), (2, 0xffff));
    assert_eq!(
        &m.cpu().dev[0x9a..0x9e],
        &[0; 4],
        "scroll resets after the vector"
    );
    assert_eq!(zp2(&m, 0x10), 300, "the position stays");
    assert_eq!(zp(&m, 0x19), 6);
}

#[test]
fn a_frame_runs_its_events_then_the_screen_vector() {
    let mut m = booted();
    m.run_frame([Event::Key(b'a'), Event::Key(b'b')]).unwrap();
    assert_eq!(
        (zp(&m, 0x20), zp(&m, 0x21)),
        (2, 1),
        "the screen saw both keys"
    );
    m.run_frame([]).unwrap();
    assert_eq!((zp(&m, 0x21), m.frames()), (2, 2));
    // A halted machine runs no more frames.
    m.deo(0x0f, 0x01);
    m.run_frame([Event::Key(b'c')]).unwrap();
    assert_eq!((zp(&m, 0x02), zp(&m, 0x21), m.frames()), (2, 2, 2));
}

#[test]
fn a_runaway_event_vector_is_reported() {
    // Controller vector: @loop !loop (JMI -3).
    let mut rom = vec![0xa0, 0x01, 0x07, 0x80, 0x80, 0x37, 0x00, 0x40, 0xff, 0xfd];
    rom.push(0x00);
    let config = Config {
        settings: hop::varvara::Settings {
            budget: 1000,
            ..Default::default()
        },
        ..Config::default()
    };
    let mut m = Varvara::new(&rom, config).unwrap();
    m.boot(false).unwrap();
    let runaway = m.run_frame([Event::ButtonDown(1)]).unwrap_err();
    assert_eq!(runaway.vector, 0x0107);
}

#[test]
fn the_frames_clock_advances_one_second_per_60_frames() {
    let mut m = booted();
    // 2025-09-27 12:00:00 UTC, a Saturday, day 270 of the year.
    m.set_clock(Clock::Frames { epoch: 1758974400 });
    let read = |m: &mut Varvara| -> Vec<u8> { (0xc0..=0xca).map(|port| m.dei(port)).collect() };
    let saturday = vec![0x07, 0xe9, 8, 27, 12, 0, 0, 6, 0x01, 0x0d, 0];
    assert_eq!(read(&mut m), saturday, "at boot");
    for _ in 0..60 {
        m.run_frame([]).unwrap();
    }
    assert_eq!(read(&mut m), saturday, "frame 59 still reads 12:00:00");
    m.run_frame([]).unwrap();
    let mut later = saturday.clone();
    later[6] = 1;
    assert_eq!(read(&mut m), later);
}
