//! `decode-lite IN OUT`: restores the file that `encode-lite` compressed.
#![no_std]
#![no_main]

brainwire_challenge::entry!(brainwire_challenge::cli::decode_main::<brainwire_challenge::cli::Lite>);
