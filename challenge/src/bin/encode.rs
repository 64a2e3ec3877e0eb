//! `encode [--profile max] IN OUT`: compresses IN into OUT (max, version 4).
#![no_std]
#![no_main]

brainwire_challenge::entry!(brainwire_challenge::cli::encode_main::<brainwire_challenge::cli::Challenge>);
