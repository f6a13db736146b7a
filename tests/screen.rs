//! The Screen device, driven through its ports as a ROM would (each byte
//! stored in the device page, then the device reacts), checked on what a
//! user sees: the two layers' colour indices and the composed picture.
//! These are the 2025 profile's rules (`--compat 2025`); where uxn2 differs
//! (sizes, pixels off the screen), `tests/tal/devices/compat-screen.tal`
//! shows both.

use hop::varvara::{Compat, Config, Varvara};

/// The machine in the 2025 profile, which these tests describe.
fn config() -> Config {
    Config {
        settings: hop::varvara::Settings {
            compat: Some(Compat::Y2025),
            ..Default::default()
        },
        ..Config::default()
    }
}

fn machine() -> Varvara {
    // The ROM is never run: the tests write the ports themselves.
    Varvara::new(&[0x00], config()).unwrap()
}

fn deo(m: &mut Varvara, port: u8, value: u8) {
    m.deo(port, value);
}

fn deo2(m: &mut Varvara, port: u8, value: u16) {
    let [hi, lo] = value.to_be_bytes();
    deo(m, port, hi);
    deo(m, port + 1, lo);
}

fn dei2(m: &mut Varvara, port: u8) -> u16 {
    let hi = m.dei(port);
    let lo = m.dei(port + 1);
    u16::from_be_bytes([hi, lo])
}

const X: u8 = 0x28;
const Y: u8 = 0x2a;
const ADDR: u8 = 0x2c;
const AUTO: u8 = 0x26;
const PIXEL: u8 = 0x2e;
const SPRITE: u8 = 0x2f;

/// One layer's colour indices in the rectangle, one text row per screen
/// row, `.` for 0.
fn layer(m: &Varvara, fg: bool, x: usize, y: usize, w: usize, h: usize) -> String {
    let mut out = String::new();
    for row in y..y + h {
        for col in x..x + w {
            let c = m.screen().layer_pixel(fg, col, row).unwrap();
            out.push(if c == 0 { '.' } else { (b'0' + c) as char });
        }
        out.push('\n');
    }
    out
}

fn bg(m: &Varvara, x: usize, y: usize, w: usize, h: usize) -> String {
    layer(m, false, x, y, w, h)
}

/// Text rows joined with newlines, for expected pictures.
fn rows(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// Puts `bytes` in RAM at `addr` and points the sprite address there.
fn sprite_data(m: &mut Varvara, addr: u16, bytes: &[u8]) {
    m.poke(addr, bytes);
    deo2(m, ADDR, addr);
}

#[test]
fn pixels_land_inside_the_screen_only_and_auto_steps_them() {
    let mut m = machine();
    deo(&mut m, AUTO, 0x01); // auto x
    deo2(&mut m, X, 0xfffe); // -2: the first two writes are off screen
    deo2(&mut m, Y, 1);
    for colour in 1..=3 {
        deo(&mut m, PIXEL, colour);
    }
    deo(&mut m, PIXEL, 0x41); // foreground layer
    assert_eq!(bg(&m, 0, 0, 4, 2), rows(&["....", "3..."]));
    assert_eq!(layer(&m, true, 0, 0, 4, 2), rows(&["....", ".1.."]));
    assert_eq!(dei2(&mut m, X), 2);
    deo(&mut m, AUTO, 0x02); // auto y: one pixel down each time
    deo(&mut m, PIXEL, 0x02);
    deo(&mut m, PIXEL, 0x02);
    assert_eq!(bg(&m, 0, 0, 4, 4), rows(&["....", "3.2.", "..2.", "...."]));
    assert_eq!((dei2(&mut m, X), dei2(&mut m, Y)), (2, 3));
    // Past the right and bottom edges nothing is drawn.
    deo2(&mut m, X, 512);
    deo2(&mut m, Y, 0);
    deo(&mut m, PIXEL, 0x03);
    assert_eq!(bg(&m, 508, 0, 4, 2), rows(&["....", "...."]));
}

#[test]
fn fills_reach_the_edges_their_flips_pick() {
    let mut m = machine();
    deo2(&mut m, 0x22, 16);
    deo2(&mut m, 0x24, 8);
    deo2(&mut m, X, 12);
    deo2(&mut m, Y, 5);
    deo(&mut m, PIXEL, 0x81); // to the right and bottom edges
    deo(&mut m, PIXEL, 0xb2); // flip x and y: to the left and top edges
    deo2(&mut m, X, 2);
    deo2(&mut m, Y, 2);
    deo(&mut m, PIXEL, 0xa3); // flip y: from x = 2 right, rows above y = 2
    assert_eq!(
        bg(&m, 0, 0, 16, 8),
        rows(&[
            "2233333333333333",
            "2233333333333333",
            "222222222222....",
            "222222222222....",
            "222222222222....",
            "............1111",
            "............1111",
            "............1111",
        ])
    );
    // Auto does not move the position in fill mode.
    deo(&mut m, AUTO, 0x03);
    deo(&mut m, PIXEL, 0x80);
    assert_eq!((dei2(&mut m, X), dei2(&mut m, Y)), (2, 2));
}

#[test]
fn fills_from_far_away_are_clamped_to_the_screen() {
    let mut m = machine();
    deo2(&mut m, 0x22, 16);
    deo2(&mut m, 0x24, 8);
    deo2(&mut m, X, 0x8000); // -32768
    deo2(&mut m, Y, 0x8000);
    for flipped in [0x90, 0xa0, 0xb0] {
        deo(&mut m, PIXEL, flipped | 0x01); // ends left of / above the screen: nothing
    }
    assert_eq!(bg(&m, 0, 0, 16, 8), rows(&["................"; 8]));
    deo(&mut m, PIXEL, 0xc2); // whole foreground
    assert_eq!(layer(&m, true, 0, 0, 16, 8), rows(&["2222222222222222"; 8]));
    deo2(&mut m, X, 0x7fff);
    deo2(&mut m, Y, 0x7fff);
    deo(&mut m, PIXEL, 0xf1); // flipped from far right and below: whole screen
    assert_eq!(layer(&m, true, 0, 0, 16, 8), rows(&["1111111111111111"; 8]));
}

/// An arrow, to see flips: rows top to bottom, MSB leftmost.
const ARROW: [u8; 8] = [
    0b1000_0000,
    0b1100_0000,
    0b1110_0000,
    0b1111_0000,
    0b1100_0000,
    0b1000_0000,
    0b0000_0000,
    0b0000_0001,
];

#[test]
fn sprites_flip_and_blend() {
    let mut m = machine();
    sprite_data(&mut m, 0x300, &ARROW);
    deo2(&mut m, Y, 0);
    // Side by side, one column apart: plain, flip x, flip y, both.
    for (i, ctrl) in [0x01u8, 0x11, 0x21, 0x31].into_iter().enumerate() {
        deo2(&mut m, X, 9 * i as u16);
        deo(&mut m, SPRITE, ctrl);
    }
    assert_eq!(
        bg(&m, 0, 0, 35, 8),
        rows(&[
            "1...............1........1.1.......",
            "11.............11..................",
            "111...........111.1...............1",
            "1111.........1111.11.............11",
            "11.............11.1111.........1111",
            "1...............1.111...........111",
            "..................11.............11",
            ".......1.1........1...............1",
        ])
    );
}

#[test]
fn blend_modes_follow_the_table_and_transparency() {
    // Each mode draws ARROW over a background of colour 3 (bit 1 -> pixel
    // value 1, bit 0 -> value 0). Expected colours for value 0 and 1 per
    // mode, from the reference's table; None: value 0 leaves the pixel.
    let expected: [(Option<u8>, u8); 16] = [
        (None, 0),
        (Some(0), 1),
        (Some(0), 2),
        (Some(0), 3),
        (Some(1), 0),
        (None, 1),
        (Some(1), 2),
        (Some(1), 3),
        (Some(2), 0),
        (Some(2), 1),
        (None, 2),
        (Some(2), 3),
        (Some(3), 0),
        (Some(3), 1),
        (Some(3), 2),
        (None, 3),
    ];
    let mut m = machine();
    sprite_data(&mut m, 0x300, &ARROW);
    deo2(&mut m, X, 0);
    deo2(&mut m, Y, 0);
    for (mode, (zero, one)) in expected.into_iter().enumerate() {
        deo(&mut m, PIXEL, 0x83); // background to 3
        deo(&mut m, SPRITE, mode as u8);
        let (set, clear) = (
            m.screen().layer_pixel(false, 0, 0),
            m.screen().layer_pixel(false, 7, 0),
        );
        assert_eq!(set, Some(one), "mode {mode:x}, value 1");
        assert_eq!(clear, Some(zero.unwrap_or(3)), "mode {mode:x}, value 0");
    }
}

#[test]
fn two_bpp_sprites_combine_both_planes() {
    let mut m = machine();
    // Low plane: left half of each row; high plane: top half rows.
    let mut tile = [0xf0u8; 16];
    tile[8..12].fill(0xff);
    tile[12..].fill(0x00);
    sprite_data(&mut m, 0x400, &tile);
    deo2(&mut m, X, 0);
    deo2(&mut m, Y, 0);
    deo(&mut m, SPRITE, 0x81); // 2bpp, mode 1: colour = value
    assert_eq!(
        bg(&m, 0, 0, 8, 8),
        rows(&[
            "33332222", "33332222", "33332222", "33332222", "1111....", "1111....", "1111....",
            "1111....",
        ])
    );
}

#[test]
fn auto_length_lays_out_the_reference_geometry() {
    // The spec's example: auto 0x16 (one extra sprite, auto addr + auto y)
    // and three writes draw a block 2 tiles wide and 3 tall, addr stepping
    // once per tile drawn.
    let mut m = machine();
    let tiles: Vec<u8> = (1..=6u8).flat_map(|t| [t; 8]).collect();
    sprite_data(&mut m, 0x500, &tiles);
    deo2(&mut m, X, 8);
    deo2(&mut m, Y, 8);
    deo(&mut m, AUTO, 0x16);
    for _ in 0..3 {
        deo(&mut m, SPRITE, 0x01);
    }
    // Tile t's rows are the byte t: columns where t has a bit set.
    let picture = |t: u8| -> String {
        (0..8)
            .map(|bit| if t & (0x80 >> bit) != 0 { '1' } else { '.' })
            .collect()
    };
    let mut expected = Vec::new();
    for pair in [(1, 2), (3, 4), (5, 6)] {
        for _ in 0..8 {
            expected.push(format!("{}{}", picture(pair.0), picture(pair.1)));
        }
    }
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(bg(&m, 8, 8, 16, 24), rows(&expected));
    assert_eq!(dei2(&mut m, X), 8, "auto y leaves x");
    assert_eq!(dei2(&mut m, Y), 32, "y moves one tile per write");
    assert_eq!(dei2(&mut m, ADDR), 0x500 + 6 * 8, "addr moves per tile");
}

#[test]
fn auto_x_stacks_repeats_downwards_or_upwards_under_flip_y() {
    let mut m = machine();
    sprite_data(&mut m, 0x300, &[0xff; 8]);
    deo(&mut m, AUTO, 0x21); // two extra sprites, auto x
    deo2(&mut m, X, 0);
    deo2(&mut m, Y, 16);
    deo(&mut m, SPRITE, 0x01);
    assert_eq!(
        bg(&m, 0, 0, 1, 48),
        rows(&[&["."; 16][..], &["1"; 24], &["."; 8]].concat())
    );
    assert_eq!((dei2(&mut m, X), dei2(&mut m, Y)), (8, 16));
    assert_eq!(dei2(&mut m, ADDR), 0x300, "no auto addr");
    // Flip y: the repeats go up; flip x: x moves left.
    deo2(&mut m, X, 16);
    deo2(&mut m, Y, 24);
    deo(&mut m, SPRITE, 0x32);
    assert_eq!(
        bg(&m, 16, 0, 1, 40),
        rows(&[&["."; 8][..], &["2"; 24], &["."; 8]].concat())
    );
    assert_eq!((dei2(&mut m, X), dei2(&mut m, Y)), (8, 24));
}

#[test]
fn sprites_clip_at_every_edge_with_signed_coordinates() {
    let mut m = machine();
    deo2(&mut m, 0x22, 16);
    deo2(&mut m, 0x24, 16);
    sprite_data(&mut m, 0x300, &[0xff; 8]);
    for (x, y) in [
        (0xfffc, 0xfffa),
        (12, 14),
        (0xfff8, 4),
        (16, 4),
        (4, 0xfff0),
    ] {
        deo2(&mut m, X, x);
        deo2(&mut m, Y, y);
        deo(&mut m, SPRITE, 0x01);
    }
    assert_eq!(
        bg(&m, 0, 0, 16, 16),
        rows(&[
            "1111............",
            "1111............",
            "................",
            "................",
            "................",
            "................",
            "................",
            "................",
            "................",
            "................",
            "................",
            "................",
            "................",
            "................",
            "............1111",
            "............1111",
        ])
    );
}

#[test]
fn auto_addr_reads_on_into_the_expansion_banks() {
    // A 2bpp sprite at 0xfff8 takes its last 8 bytes from bank 1, as the
    // reference's flat memory does.
    let rom: Vec<u8> = std::iter::once(0x00)
        .chain(std::iter::repeat_n(0, 0xff00 - 1))
        .chain([0xff; 16])
        .collect();
    let mut m = Varvara::new(&rom, config()).unwrap();
    sprite_data(&mut m, 0xfff8, &[0x00; 8]);
    deo2(&mut m, X, 0);
    deo2(&mut m, Y, 0);
    deo(&mut m, SPRITE, 0x81);
    assert_eq!(bg(&m, 0, 0, 8, 1), rows(&["22222222"]));
}

#[test]
fn resize_clamps_and_clears_only_on_a_change() {
    let mut m = machine();
    assert_eq!((dei2(&mut m, 0x22), dei2(&mut m, 0x24)), (512, 320));
    deo2(&mut m, X, 1);
    deo2(&mut m, Y, 1);
    deo(&mut m, PIXEL, 0x02);
    deo(&mut m, PIXEL, 0x43);
    deo2(&mut m, 0x22, 512); // same size: the picture stays
    assert_eq!(bg(&m, 1, 1, 1, 1), "2\n");
    deo2(&mut m, 0x22, 3); // clamped up to 8
    deo2(&mut m, 0x24, 9000); // clamped down to 2048
    assert_eq!((dei2(&mut m, 0x22), dei2(&mut m, 0x24)), (8, 2048));
    assert_eq!(m.screen().width(), 8);
    assert_eq!(bg(&m, 0, 0, 8, 2), rows(&["........"; 2]));
    assert_eq!(layer(&m, true, 0, 0, 8, 2), rows(&["........"; 2]));
}

#[test]
fn composition_shows_the_foreground_over_the_background_in_the_palette() {
    let mut m = machine();
    deo2(&mut m, 0x22, 8);
    deo2(&mut m, 0x24, 8);
    // Colours 0-3: 000, f00, 0f0, 00f, written as the red, green and blue
    // shorts (one nibble per colour).
    deo2(&mut m, 0x08, 0x0f00);
    deo2(&mut m, 0x0a, 0x00f0);
    deo2(&mut m, 0x0c, 0x000f);
    deo2(&mut m, X, 0);
    deo2(&mut m, Y, 0);
    deo(&mut m, PIXEL, 0x81); // background all colour 1
    deo2(&mut m, X, 4);
    deo(&mut m, PIXEL, 0xc2); // foreground colour 2 on the right half
    let frame = m.picture();
    assert_eq!((frame.width, frame.height), (8, 8));
    assert_eq!(frame.pixels[0], 0xff0000, "background colour 1");
    assert_eq!(frame.pixels[4], 0x00ff00, "foreground colour 2");
    assert!(frame.changed.is_some());
    assert_eq!(m.picture().changed, None, "nothing new to compose");

    // One pixel: only its square is recomposed.
    deo2(&mut m, X, 5);
    deo2(&mut m, Y, 6);
    deo(&mut m, PIXEL, 0x40); // foreground 0: the background shows through
    let frame = m.picture();
    assert_eq!(frame.pixels[6 * 8 + 5], 0xff0000);
    let area = frame.changed.unwrap();
    assert_eq!((area.x0, area.y0, area.x1, area.y1), (5, 6, 6, 7));

    // A palette change repaints everything.
    deo2(&mut m, 0x0c, 0xf0f0); // colours 0 and 2 gain blue
    let frame = m.picture();
    let area = frame.changed.unwrap();
    assert_eq!((area.x0, area.y0, area.x1, area.y1), (0, 0, 8, 8));
    assert_eq!(frame.pixels[4], 0x00ffff);
    assert_eq!(frame.pixels[0], 0xff0000);
}

/// The reference's blend table, by pixel value (row) and mode (column).
const BLEND: [[u8; 16]; 4] = [
    [0, 0, 0, 0, 1, 0, 1, 1, 2, 2, 0, 2, 3, 3, 3, 0],
    [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3],
    [1, 2, 3, 1, 1, 2, 3, 1, 1, 2, 3, 1, 1, 2, 3, 1],
    [2, 3, 1, 2, 2, 3, 1, 2, 2, 3, 1, 2, 2, 3, 1, 2],
];

/// One tile drawn pixel by pixel, the plainest way the spec allows: what
/// the device's row-at-a-time drawing (whole tiles and clipped ones) must
/// match. `layers` is [background, foreground], `w` by `h`.
fn draw_tile_by_pixel(
    layers: &mut [Vec<u8>; 2],
    w: usize,
    h: usize,
    tile: &[u8; 16],
    x: u16,
    y: u16,
    ctrl: u8,
) {
    let blend = (ctrl & 0x0f) as usize;
    let (two_bpp, flip_x, flip_y) = (ctrl & 0x80 != 0, ctrl & 0x10 != 0, ctrl & 0x20 != 0);
    let layer = &mut layers[(ctrl >> 6 & 1) as usize];
    for py in 0..8u16 {
        for px in 0..8u16 {
            let row = if flip_y { 7 - py } else { py } as usize;
            let bit = if flip_x { px } else { 7 - px };
            let lo = tile[row] >> bit & 1;
            let hi = if two_bpp { tile[row + 8] >> bit & 1 } else { 0 };
            let c = (hi << 1 | lo) as usize;
            let (sx, sy) = (x.wrapping_add(px) as usize, y.wrapping_add(py) as usize);
            if sx < w && sy < h && (c != 0 || !blend.is_multiple_of(5)) {
                layer[sy * w + sx] = BLEND[c][blend];
            }
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    /// Random tiles with every sprite byte, on small screens, at positions
    /// inside, across every edge and far outside: each layer ends up as
    /// the pixel-by-pixel drawing says.
    #[test]
    fn sprites_match_a_pixel_by_pixel_drawing(
        size in (8usize..40, 8usize..40),
        draws in proptest::collection::vec(
            (proptest::array::uniform16(proptest::prelude::any::<u8>()), -12i32..48, -12i32..48, proptest::prelude::any::<u8>()),
            1..24,
        ),
    ) {
        let (w, h) = size;
        let mut m = machine();
        deo2(&mut m, 0x22, w as u16);
        deo2(&mut m, 0x24, h as u16);
        let mut layers = [vec![0u8; w * h], vec![0u8; w * h]];
        for (tile, x, y, ctrl) in draws {
            sprite_data(&mut m, 0x300, &tile);
            deo2(&mut m, X, x as u16);
            deo2(&mut m, Y, y as u16);
            deo(&mut m, AUTO, 0);
            deo(&mut m, SPRITE, ctrl);
            draw_tile_by_pixel(&mut layers, w, h, &tile, x as u16, y as u16, ctrl);
        }
        for (fg, layer) in [false, true].into_iter().zip(&layers) {
            for y in 0..h {
                for x in 0..w {
                    proptest::prop_assert_eq!(
                        m.screen().layer_pixel(fg, x, y),
                        Some(layer[y * w + x]),
                        "layer {} at ({}, {})", if fg { "fg" } else { "bg" }, x, y
                    );
                }
            }
        }
    }
}
