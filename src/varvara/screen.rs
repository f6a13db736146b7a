//! Screen (0x20): two layers of 2-bit colour indices, drawn into by pixel,
//! fill and sprite writes, and composed on demand into 0RGB pixels.
//!
//! The drawing geometry follows the reference exactly (spec §2.3): x and y
//! are signed registers that auto-increment without wrapping, a pixel is
//! visible when its coordinates, taken modulo 2^16, fall inside the screen,
//! and fills are clamped to the screen (where the reference writes outside
//! its buffers).

use super::Compat;
use super::banks::Banks;
use super::ports::{Layout, Port};
use crate::uxn::Uxn;

/// Screen's ports, as offsets within the device.
#[allow(missing_docs)]
pub mod port {
    pub const VECTOR: u8 = 0x0;
    pub const VECTOR_LOW: u8 = 0x1;
    pub const WIDTH: u8 = 0x2;
    pub const WIDTH_LOW: u8 = 0x3;
    pub const HEIGHT: u8 = 0x4;
    pub const HEIGHT_LOW: u8 = 0x5;
    pub const AUTO: u8 = 0x6;
    pub const X: u8 = 0x8;
    pub const X_LOW: u8 = 0x9;
    pub const Y: u8 = 0xa;
    pub const Y_LOW: u8 = 0xb;
    pub const ADDR: u8 = 0xc;
    pub const ADDR_LOW: u8 = 0xd;
    pub const PIXEL: u8 = 0xe;
    pub const SPRITE: u8 = 0xf;
}

/// The first of Screen's ports on the device page.
pub const BASE: u8 = 0x20;

/// Where Screen is and what its ports are called.
pub const LAYOUT: Layout = Layout {
    name: "Screen",
    base: BASE,
    ports: &[
        Port::short(port::VECTOR, "vector"),
        Port::short(port::WIDTH, "width"),
        Port::short(port::HEIGHT, "height"),
        Port::byte(port::AUTO, "auto"),
        Port::short(port::X, "x"),
        Port::short(port::Y, "y"),
        Port::short(port::ADDR, "addr"),
        Port::byte(port::PIXEL, "pixel"),
        Port::byte(port::SPRITE, "sprite"),
    ],
};

/// The screen size at power-on (64 × 40 tiles).
pub const DEFAULT_WIDTH: usize = 512;
/// Height, in pixels.
pub const DEFAULT_HEIGHT: usize = 320;
/// Resizes are clamped to this range in each dimension.
pub const MIN_SIZE: usize = 8;
/// The largest width or height a ROM may ask for.
pub const MAX_SIZE: usize = 2048;

/// The colour a sprite pixel of value `c` (row) is drawn with in blend
/// mode `m` (column).
const BLENDING: [[u8; 16]; 4] = [
    [0, 0, 0, 0, 1, 0, 1, 1, 2, 2, 0, 2, 3, 3, 3, 0],
    [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3],
    [1, 2, 3, 1, 1, 2, 3, 1, 1, 2, 3, 1, 1, 2, 3, 1],
    [2, 3, 1, 2, 2, 3, 1, 2, 2, 3, 1, 2, 2, 3, 1, 2],
];

/// `SPREAD[b]`: the bits of `b` as eight bytes of 0 or 1 in little-endian
/// order, the most significant bit (the leftmost pixel) in the first byte.
const SPREAD: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut i = 0;
        while i < 8 {
            if b & (0x80 >> i) != 0 {
                table[b] |= 1 << (8 * i);
            }
            i += 1;
        }
        b += 1;
    }
    table
};

/// `SPREAD_FLIPPED[b]`: [`SPREAD`] of `b` mirrored, for flip x: the least
/// significant bit in the first byte.
const SPREAD_FLIPPED: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = SPREAD[(b as u8).reverse_bits() as usize];
        b += 1;
    }
    table
};

/// One in every byte.
const LANES: u64 = 0x0101_0101_0101_0101;

/// Draws one tile row over the 8 layer bytes `old`: `lo` and `hi` are the
/// row's bit planes (MSB leftmost), `colours` the blend mode's colour for
/// each pixel value, and pixels of value 0 are only drawn if `opaque`.
/// Each byte of a u64 is one pixel, so the 8 pixels are mapped together.
fn blend_row(old: [u8; 8], lo: u8, hi: u8, colours: [u8; 4], opaque: bool) -> [u8; 8] {
    blend_spread(
        old,
        SPREAD[lo as usize],
        SPREAD[hi as usize],
        colours,
        opaque,
    )
}

/// [`blend_row`] with the bit planes already spread one pixel a byte.
#[inline(always)]
fn blend_spread(old: [u8; 8], low: u64, high: u64, colours: [u8; 4], opaque: bool) -> [u8; 8] {
    // One mask per pixel value: a 1 in the byte of each pixel with it.
    let zero = !(low | high) & LANES;
    let ones = low & !high;
    let twos = high & !low;
    let threes = low & high;
    let drawn = ones * colours[1] as u64 + twos * colours[2] as u64 + threes * colours[3] as u64;
    let old = u64::from_le_bytes(old);
    let zeros = if opaque {
        zero * colours[0] as u64
    } else {
        old & (zero * 0xff)
    };
    (drawn | zeros).to_le_bytes()
}

/// A rectangle of screen pixels: columns `x0..x1`, rows `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    /// First column.
    pub x0: usize,
    /// First row.
    pub y0: usize,
    /// Past the last column.
    pub x1: usize,
    /// Past the last row.
    pub y1: usize,
}

impl Rect {
    /// Whether it holds no pixel.
    pub fn is_empty(&self) -> bool {
        self.x0 >= self.x1 || self.y0 >= self.y1
    }

    /// The smallest rectangle holding both.
    fn union(self, other: Rect) -> Rect {
        if self.is_empty() {
            return other;
        }
        if other.is_empty() {
            return self;
        }
        Rect {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }
}

const NOTHING: Rect = Rect {
    x0: 0,
    y0: 0,
    x1: 0,
    y1: 0,
};

/// The composed picture, as a host presents it.
pub struct Picture<'a> {
    /// `width * height` 0RGB pixels, row by row.
    pub pixels: &'a [u32],
    /// Pixels per row.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// What changed since the previous picture was taken (None: nothing).
    pub changed: Option<Rect>,
}

/// The device's state: two layers of colour indices, the registers, and
/// the composed picture.
pub struct Screen {
    /// The screen vector, run once a frame, latched when its low byte is
    /// written.
    pub vector: u16,
    width: usize,
    height: usize,
    /// Colour indices 0-3, `width * height` each, row by row.
    bg: Vec<u8>,
    fg: Vec<u8>,
    /// The position registers. Auto-increment moves them past the 16-bit
    /// range without wrapping (as the reference's `int`s do); reads and
    /// drawing take them modulo 2^16.
    x: i32,
    y: i32,
    /// The sprite address register; auto-addr advances it past 0xffff into
    /// the expansion banks, as the reference's flat memory does.
    addr: u32,
    /// The composed picture and the part of it that is out of date.
    pixels: Vec<u32>,
    dirty: Rect,
    /// The palette the picture was composed with.
    composed_palette: Option<[u32; 4]>,
    /// Size, pixel and register rules that differ between the references.
    pub compat: Compat,
}

impl Screen {
    /// A screen of the default size, both layers colour 0.
    pub fn new() -> Screen {
        let mut screen = Screen {
            vector: 0,
            width: 0,
            height: 0,
            bg: Vec::new(),
            fg: Vec::new(),
            x: 0,
            y: 0,
            addr: 0,
            pixels: Vec::new(),
            dirty: NOTHING,
            composed_palette: None,
            compat: Compat::default(),
        };
        screen.resize(DEFAULT_WIDTH, DEFAULT_HEIGHT);
        screen
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The colour index at (x, y) of the foreground (`fg`) or background
    /// layer (None outside the screen).
    pub fn layer_pixel(&self, fg: bool, x: usize, y: usize) -> Option<u8> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let layer = if fg { &self.fg } else { &self.bg };
        Some(layer[y * self.width + x])
    }

    /// Reads a port: the size, position and address are the device's
    /// registers, the rest reads back what was stored.
    pub fn dei(&self, uxn: &Uxn, port: u8) -> u8 {
        match port & 0x0f {
            port::WIDTH => (self.width >> 8) as u8,
            port::WIDTH_LOW => self.width as u8,
            port::HEIGHT => (self.height >> 8) as u8,
            port::HEIGHT_LOW => self.height as u8,
            port::X => (self.x >> 8) as u8,
            port::X_LOW => self.x as u8,
            port::Y => (self.y >> 8) as u8,
            port::Y_LOW => self.y as u8,
            port::ADDR => (self.addr >> 8) as u8,
            port::ADDR_LOW => self.addr as u8,
            _ => uxn.dev[port as usize],
        }
    }

    /// Reacts to a write the CPU has stored: a vector, a size, a register,
    /// or drawing.
    pub fn deo(&mut self, uxn: &Uxn, banks: &Banks, port: u8) {
        let short = |offset: u8| {
            let at = LAYOUT.at(offset);
            u16::from_be_bytes([uxn.dev[at], uxn.dev[at + 1]])
        };
        let byte = |offset: u8| uxn.dev[LAYOUT.at(offset)];
        match port & 0x0f {
            port::VECTOR_LOW => self.vector = short(port::VECTOR),
            port::WIDTH_LOW => self.resize(self.size_asked(short(port::WIDTH)), self.height),
            port::HEIGHT_LOW => self.resize(self.width, self.size_asked(short(port::HEIGHT))),
            // uxn2 latches these registers on their low byte only.
            port::X | port::Y | port::ADDR if self.compat.short_ports_act_once => {}
            port::X | port::X_LOW => self.x = short(port::X) as i16 as i32,
            port::Y | port::Y_LOW => self.y = short(port::Y) as i16 as i32,
            port::ADDR | port::ADDR_LOW => self.addr = short(port::ADDR) as u32,
            port::PIXEL => self.pixel(byte(port::PIXEL), byte(port::AUTO)),
            port::SPRITE => self.sprite(uxn, banks, byte(port::SPRITE), byte(port::AUTO)),
            _ => {}
        }
    }

    /// Whether a DEI of `port` reads a register the screen computes (uxn2
    /// stores the size in its ports; hop reads it live).
    pub fn is_size_low(port: u8) -> bool {
        matches!(port.wrapping_sub(BASE), port::WIDTH_LOW | port::HEIGHT_LOW)
    }

    /// The short registers whose high-byte read also latches their low
    /// byte, in uxn2.
    pub fn latches_low_byte(port: u8) -> bool {
        matches!(port.wrapping_sub(BASE), port::X | port::Y | port::ADDR)
    }

    /// The size a width or height write asks for: uxn2 keeps its low 12
    /// bits (then `resize` clamps it like any other).
    fn size_asked(&self, value: u16) -> usize {
        if self.compat.screen_size_masked {
            (value & 0xfff) as usize
        } else {
            value as usize
        }
    }

    /// The largest width or height a ROM can ask for.
    fn max_size(&self) -> usize {
        if self.compat.screen_size_masked {
            0xfff
        } else {
            MAX_SIZE
        }
    }

    /// Sets the size, clamped to 8..=2048 (2026: 8..=4095); an actual change
    /// clears both layers.
    pub fn resize(&mut self, width: usize, height: usize) {
        let width = width.clamp(MIN_SIZE, self.max_size());
        let height = height.clamp(MIN_SIZE, self.max_size());
        if (width, height) != (self.width, self.height) {
            self.width = width;
            self.height = height;
            let len = width * height;
            // Fresh zeroed allocations rather than clearing the old ones:
            // large ones come zeroed from the OS, with no memset (a third
            // of what a machine cost to build).
            self.bg = vec![0; len];
            self.fg = vec![0; len];
            self.pixels = vec![0; len];
            self.composed_palette = None;
        }
        self.dirty = self.whole();
    }

    fn whole(&self) -> Rect {
        Rect {
            x0: 0,
            y0: 0,
            x1: self.width,
            y1: self.height,
        }
    }

    /// The pixel byte `M L Y X - - C C`: one pixel (then auto x/y), or with
    /// M set a rectangle to the screen edge (Y and X pick which edges).
    fn pixel(&mut self, ctrl: u8, auto: u8) {
        if self.compat.pixel_needs_origin_on_screen {
            return self.pixel_2026(ctrl, auto);
        }
        self.plot(ctrl, self.x as i64, self.y as i64);
        if ctrl & 0x80 == 0 {
            if auto & 0x01 != 0 {
                self.x = self.x.wrapping_add(1);
            }
            if auto & 0x02 != 0 {
                self.y = self.y.wrapping_add(1);
            }
        }
    }

    /// uxn2's pixel rule: nothing at all happens unless (x, y), taken
    /// modulo 2^16, is on the screen; then the pixel or fill is drawn (the
    /// fill needs no clamping) and a pixel's auto x/y step by -1 when the
    /// X/Y flip bit is set, else by 1.
    fn pixel_2026(&mut self, ctrl: u8, auto: u8) {
        let (x, y) = (self.x as u16 as usize, self.y as u16 as usize);
        if x >= self.width || y >= self.height {
            return;
        }
        self.plot(ctrl, x as i64, y as i64);
        if ctrl & 0x80 == 0 {
            let step = |flip: bool| if flip { -1 } else { 1 };
            if auto & 0x01 != 0 {
                self.x = self.x.wrapping_add(step(ctrl & 0x10 != 0));
            }
            if auto & 0x02 != 0 {
                self.y = self.y.wrapping_add(step(ctrl & 0x20 != 0));
            }
        }
    }

    /// Draws the pixel byte's pixel at (x, y) if it is on the screen, or
    /// its fill from there, clamped to the screen.
    fn plot(&mut self, ctrl: u8, x: i64, y: i64) {
        let color = ctrl & 3;
        let layer = if ctrl & 0x40 != 0 {
            &mut self.fg
        } else {
            &mut self.bg
        };
        let (w, h) = (self.width as i64, self.height as i64);
        if ctrl & 0x80 != 0 {
            let (x0, x1) = if ctrl & 0x10 != 0 { (0, x) } else { (x, w) };
            let (y0, y1) = if ctrl & 0x20 != 0 { (0, y) } else { (y, h) };
            let area = Rect {
                x0: x0.clamp(0, w) as usize,
                y0: y0.clamp(0, h) as usize,
                x1: x1.clamp(0, w) as usize,
                y1: y1.clamp(0, h) as usize,
            };
            if !area.is_empty() {
                for row in area.y0..area.y1 {
                    let start = row * self.width;
                    layer[start + area.x0..start + area.x1].fill(color);
                }
                self.dirty = self.dirty.union(area);
            }
        } else if (0..w).contains(&x) && (0..h).contains(&y) {
            let (x, y) = (x as usize, y as usize);
            layer[y * self.width + x] = color;
            self.dirty = self.dirty.union(Rect {
                x0: x,
                y0: y,
                x1: x + 1,
                y1: y + 1,
            });
        }
    }

    /// The sprite byte `D L Y X B B B B`: draws 1 + (auto >> 4) tiles.
    /// Auto y lays the repeats out along x and auto x along y (the
    /// reference's geometry); auto addr steps the address after every tile;
    /// then auto x/y move the position by one tile.
    fn sprite(&mut self, uxn: &Uxn, banks: &Banks, ctrl: u8, auto: u8) {
        let two_bpp = ctrl & 0x80 != 0;
        let flip_x = ctrl & 0x10 != 0;
        let flip_y = ctrl & 0x20 != 0;
        let (auto_x, auto_y, auto_addr) = (auto & 0x01 != 0, auto & 0x02 != 0, auto & 0x04 != 0);
        let dir_x = if flip_x { -8 } else { 8 };
        let dir_y = if flip_y { -8 } else { 8 };
        let step_x = if auto_y { dir_x } else { 0 };
        let step_y = if auto_x { dir_y } else { 0 };
        let step_addr = match (auto_addr, two_bpp) {
            (false, _) => 0,
            (true, false) => 8,
            (true, true) => 16,
        };
        let (mut x, mut y) = (self.x, self.y);
        for _ in 0..=auto >> 4 {
            let tile = tile_bytes(uxn, banks, self.addr, two_bpp);
            self.tile(&tile, x, y, ctrl);
            x = x.wrapping_add(step_x);
            y = y.wrapping_add(step_y);
            self.addr = self.addr.wrapping_add(step_addr);
        }
        if auto_x {
            self.x = self.x.wrapping_add(dir_x);
        }
        if auto_y {
            self.y = self.y.wrapping_add(dir_y);
        }
    }

    /// Draws one 8×8 tile at (x, y) with the sprite byte's layer, flips and
    /// blend mode, clipped to the screen.
    fn tile(&mut self, tile: &[u8; 16], x: i32, y: i32, ctrl: u8) {
        let blend = (ctrl & 0x0f) as usize;
        // Modes 0, 5, 10 and 15 leave pixels of value 0 alone.
        let opaque = !blend.is_multiple_of(5);
        let two_bpp = ctrl & 0x80 != 0;
        let flip_x = ctrl & 0x10 != 0;
        let flip_y = ctrl & 0x20 != 0;
        let (w, h) = (self.width, self.height);
        let colours: [u8; 4] = std::array::from_fn(|c| BLENDING[c][blend]);
        let (left, top) = (x as u16 as usize, y as u16 as usize);
        if left + 8 <= w && top + 8 <= h {
            // The usual case, the whole tile on screen: no clipping, and
            // each row's 8 pixels drawn at once.
            let layer = if ctrl & 0x40 != 0 {
                &mut self.fg
            } else {
                &mut self.bg
            };
            let spread = if flip_x { &SPREAD_FLIPPED } else { &SPREAD };
            let area = &mut layer[top * w + left..(top + 7) * w + left + 8];
            for row in 0..8 {
                let src = if flip_y { 7 - row } else { row };
                let hi = if two_bpp { tile[src + 8] } else { 0 };
                let line: &mut [u8; 8] = (&mut area[row * w..row * w + 8]).try_into().unwrap();
                *line = blend_spread(
                    *line,
                    spread[tile[src] as usize],
                    spread[hi as usize],
                    colours,
                    opaque,
                );
            }
            let area = Rect {
                x0: left,
                y0: top,
                x1: left + 8,
                y1: top + 8,
            };
            self.dirty = self.dirty.union(area);
            return;
        }
        let (Some(cols), Some(rows)) = (visible(x, w), visible(y, h)) else {
            return;
        };
        let layer = if ctrl & 0x40 != 0 {
            &mut self.fg
        } else {
            &mut self.bg
        };
        for i in 0..rows.len {
            let (row, py) = (rows.offset + i, rows.at + i);
            let src = if flip_y { 7 - row } else { row };
            let (mut lo, mut hi) = (tile[src], if two_bpp { tile[src + 8] } else { 0 });
            if flip_x {
                (lo, hi) = (lo.reverse_bits(), hi.reverse_bits());
            }
            let start = py * w + cols.at;
            if cols.len == 8 {
                // The usual case, a whole row on screen: 8 pixels at once.
                let line: &mut [u8; 8] = (&mut layer[start..start + 8]).try_into().unwrap();
                *line = blend_row(*line, lo, hi, colours, opaque);
                continue;
            }
            // Bit 7 is now the leftmost column; skip the clipped ones.
            let (lo, hi) = (lo << cols.offset, hi << cols.offset);
            for (i, pixel) in layer[start..start + cols.len].iter_mut().enumerate() {
                let c = (lo >> (7 - i) & 1) | (hi >> (7 - i) & 1) << 1;
                if opaque || c != 0 {
                    *pixel = colours[c as usize];
                }
            }
        }
        let area = Rect {
            x0: cols.at,
            y0: rows.at,
            x1: cols.at + cols.len,
            y1: rows.at + rows.len,
        };
        self.dirty = self.dirty.union(area);
    }

    /// The composed picture. Only the part drawn since the last call is
    /// recomposed, unless the palette changed, which repaints everything.
    pub fn picture(&mut self, palette: &[u32; 4]) -> Picture<'_> {
        if self.composed_palette != Some(*palette) {
            self.composed_palette = Some(*palette);
            self.dirty = self.whole();
        }
        let changed = (!self.dirty.is_empty()).then_some(self.dirty);
        if let Some(area) = changed {
            // Index fg << 2 | bg: foreground colour 0 shows the background.
            let colours: [u32; 16] =
                std::array::from_fn(|i| palette[if i >> 2 != 0 { i >> 2 } else { i & 3 }]);
            for row in area.y0..area.y1 {
                let span = row * self.width + area.x0..row * self.width + area.x1;
                let out = &mut self.pixels[span.clone()];
                for ((pixel, &fg), &bg) in out
                    .iter_mut()
                    .zip(&self.fg[span.clone()])
                    .zip(&self.bg[span])
                {
                    *pixel = colours[(fg << 2 | bg) as usize & 15];
                }
            }
            self.dirty = NOTHING;
        }
        Picture {
            pixels: &self.pixels,
            width: self.width,
            height: self.height,
            changed,
        }
    }
}

/// What a snapshot keeps of the screen: the picture is composed again.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct ScreenState {
    vector: u16,
    width: usize,
    height: usize,
    bg: Vec<u8>,
    fg: Vec<u8>,
    x: i32,
    y: i32,
    addr: u32,
}

impl ScreenState {
    /// Whether the screen could have been left so (a snapshot's).
    pub fn is_sane(&self) -> bool {
        let len = self.width * self.height;
        (MIN_SIZE..=MAX_SIZE).contains(&self.width)
            && (MIN_SIZE..=MAX_SIZE).contains(&self.height)
            && self.bg.len() == len
            && self.fg.len() == len
            && self.bg.iter().chain(&self.fg).all(|&c| c < 4)
    }
}

impl Screen {
    pub(crate) fn snapshot(&self) -> ScreenState {
        ScreenState {
            vector: self.vector,
            width: self.width,
            height: self.height,
            bg: self.bg.clone(),
            fg: self.fg.clone(),
            x: self.x,
            y: self.y,
            addr: self.addr,
        }
    }

    /// Puts back a snapshot's screen (checked with [`ScreenState::is_sane`]);
    /// the whole picture is composed again.
    pub(crate) fn restore(&mut self, state: ScreenState) {
        self.resize(state.width, state.height);
        self.vector = state.vector;
        self.bg = state.bg;
        self.fg = state.fg;
        (self.x, self.y, self.addr) = (state.x, state.y, state.addr);
        self.composed_palette = None;
        self.dirty = self.whole();
    }
}

impl Default for Screen {
    fn default() -> Self {
        Screen::new()
    }
}

/// The part of a tile's 8 columns (or rows) that lands on screen.
struct Span {
    /// The first visible offset (0-7) within the tile.
    offset: usize,
    /// Its screen coordinate.
    at: usize,
    /// How many offsets from there on are visible.
    len: usize,
}

/// Which of the offsets 0..8 from `start` land on screen, taken modulo
/// 2^16 and below `size`. They always form one run: the screen (at most
/// 2048) is far narrower than 2^16, so a run that wraps past 0xffff starts
/// off screen and continues on it.
fn visible(start: i32, size: usize) -> Option<Span> {
    let mut span: Option<Span> = None;
    for offset in 0..8 {
        let at = (start.wrapping_add(offset as i32) as u16) as usize;
        if at < size {
            match &mut span {
                Some(span) => span.len += 1,
                None => span = Some(Span { offset, at, len: 1 }),
            }
        }
    }
    span
}

/// The 8 (1bpp) or 16 (2bpp) bytes of the tile at `addr`. Addresses past
/// 0xffff read on into the expansion banks, as the reference's flat memory
/// does; past the last bank they read 0.
fn tile_bytes(uxn: &Uxn, banks: &Banks, addr: u32, two_bpp: bool) -> [u8; 16] {
    let len = if two_bpp { 16 } else { 8 };
    let mut tile = [0u8; 16];
    banks.read_flat(uxn, addr as usize, &mut tile[..len]);
    tile
}
