//! hop: a Varvara computer with a tail-call Uxn CPU.
//!
//! Layers, with data flowing one way (host events -> devices -> CPU vectors
//! -> device state -> frame/audio out):
//! - [`uxn`]: the CPU, which knows nothing of Varvara;
//! - [`varvara`]: the machine and its devices, as pure state;
//! - [`asm`]: the Uxntal assembler;
//! - [`headless`]: the console and frames runners that drive the machine
//!   without a window;
//! - [`desktop`]: the window, sound, keyboard, mouse and drag and drop;
//! - [`screenshot`]: the composed screen as a PNG file;
//! - [`animation`]: the screen as an animated GIF, frame by frame.
#![feature(explicit_tail_calls, rust_preserve_none_cc, fn_align)]
#![allow(incomplete_features)]

pub mod animation;
pub mod asm;
pub mod desktop;
pub mod headless;
pub mod rom;
pub mod screenshot;
pub mod uxn;
pub mod varvara;
