//! hop: a Varvara computer with a tail-call Uxn CPU.
//!
//! Layers, with data flowing one way (host events -> devices -> CPU vectors
//! -> device state -> frame/audio out):
//! - [`uxn`]: the CPU, which knows nothing of Varvara;
//! - [`varvara`]: the machine and its devices, as pure state;
//! - [`asm`]: the Uxntal assembler;
//! - [`headless`]: the console and frames runners that drive the machine
//!   without a window;
//! - `desktop` (the cargo feature of that name, on by default): the
//!   window, sound, keyboard, mouse and drag and drop;
//! - [`screenshot`]: the composed screen as a PNG file;
//! - [`animation`]: the screen as an animated GIF, frame by frame.
#![feature(explicit_tail_calls, rust_preserve_none_cc)]
#![allow(incomplete_features)]
// Safe Rust throughout: every module but the X11 edge (desktop's x11,
// xdnd and xinput, which say `allow`) also forbids `unsafe` outright.
#![deny(unsafe_code)]

pub mod animation;
pub mod asm;
#[cfg(feature = "desktop")]
pub mod desktop;
pub mod headless;
pub mod rom;
pub mod screenshot;
pub mod uxn;
pub mod varvara;
