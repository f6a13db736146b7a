//! Screen benchmarks: what the desktop pays per frame. Drawing goes through
//! the device ports as a ROM's DEOs do; composition is `screen_frame`.
//!
//! - `compose/full/WxH`: recomposing the whole screen (a palette change, or
//!   a ROM that redraws everything), at Noodle/Orca's and Left's sizes;
//! - `compose/idle`: a frame where nothing was drawn;
//! - `sprites/2bpp-auto`: a screen of 2bpp tiles drawn 16 at a time with
//!   auto x/addr (how text and tile maps are drawn);
//! - `fill/full`: one whole-layer fill (how ROMs clear the screen).
//!
//! `cargo bench --bench screen`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hop::varvara::{Config, Varvara};

fn machine(width: u16, height: u16) -> Varvara {
    let mut m = Varvara::new(&[0x00], Config::default()).unwrap();
    deo2(&mut m, 0x22, width);
    deo2(&mut m, 0x24, height);
    deo2(&mut m, 0x08, 0x0f7f);
    deo2(&mut m, 0x0a, 0x0fd6);
    deo2(&mut m, 0x0c, 0x0f92);
    m
}

fn deo(m: &mut Varvara, port: u8, value: u8) {
    m.deo(port, value);
}

fn deo2(m: &mut Varvara, port: u8, value: u16) {
    let [hi, lo] = value.to_be_bytes();
    deo(m, port, hi);
    deo(m, port + 1, lo);
}

fn screen(c: &mut Criterion) {
    let mut group = c.benchmark_group("compose");
    for (w, h) in [(680u16, 456u16), (1664, 908)] {
        let mut m = machine(w, h);
        group.throughput(Throughput::Elements(w as u64 * h as u64));
        group.bench_function(format!("full/{w}x{h}"), |b| {
            let mut flip = 0u16;
            b.iter(|| {
                // A palette change forces a whole recomposition.
                flip ^= 1;
                deo2(&mut m, 0x0c, 0x0f92 ^ flip);
                black_box(m.picture().pixels[0])
            })
        });
    }
    let mut m = machine(680, 456);
    group.bench_function("idle", |b| b.iter(|| black_box(m.picture().changed)));
    group.finish();

    let mut group = c.benchmark_group("sprites");
    let mut m = machine(680, 456);
    let tiles: Vec<u8> = (0..16 * 16).map(|i| i as u8).collect();
    m.poke(0x1000, &tiles);
    let tiles = (680 / 8) * (456 / 8 / 16) * 16;
    group.throughput(Throughput::Elements(tiles as u64));
    group.bench_function("2bpp-auto", |b| {
        b.iter(|| {
            deo(&mut m, 0x26, 0xf5); // 16 sprites a write, auto x and addr
            for row in 0..456 / 8 / 16 {
                for col in 0..680 / 8 {
                    deo2(&mut m, 0x28, col * 8);
                    deo2(&mut m, 0x2a, row * 128);
                    deo2(&mut m, 0x2c, 0x1000);
                    deo(&mut m, 0x2f, 0xc1);
                }
            }
            black_box(m.screen().layer_pixel(true, 0, 0))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("fill");
    let mut m = machine(680, 456);
    group.throughput(Throughput::Elements(680 * 456));
    group.bench_function("full", |b| {
        b.iter(|| {
            deo2(&mut m, 0x28, 0);
            deo2(&mut m, 0x2a, 0);
            deo(&mut m, 0x2e, 0x81);
            black_box(m.screen().layer_pixel(false, 0, 0))
        })
    });
    group.finish();
}

criterion_group!(benches, screen);
criterion_main!(benches);
