//! hop: a Varvara computer with a tail-call Uxn CPU.
//!
//! Layers, with data flowing one way (host events -> devices -> CPU vectors
//! -> device state -> picture and samples out):
//! - [`uxn`]: the CPU, which knows nothing of the computer around it;
//! - [`varvara`]: the machine and its devices, as pure state, reached by
//!   hosts through [`varvara::host`] only;
//! - [`asm`]: the Uxntal assembler;
//! - [`headless`]: the console and frames runners that drive the machine
//!   without a window;
//! - `desktop` (the cargo feature of that name, on by default): the
//!   desktop host: window, sound, keyboard, mouse, drag and drop;
//! - [`encode`]: what hosts write to files (PNG, GIF, WAV).
#![feature(explicit_tail_calls, rust_preserve_none_cc, fn_align)]
#![allow(incomplete_features)]
#![warn(missing_docs)]
// Safe Rust throughout: every module but the desktop's foreign-function
// edge (three files there, which say `allow`) also forbids `unsafe`.
#![deny(unsafe_code)]

pub mod asm;
#[cfg(feature = "desktop")]
pub mod desktop;
pub mod encode;
pub mod headless;
pub mod rom;
pub mod uxn;
pub mod varvara;
