//! `decode IN OUT`: restores the file that `encode` compressed, byte for byte.
#![no_std]
#![no_main]

brainwire_challenge::entry!(brainwire_challenge::cli::decode_main::<brainwire_challenge::cli::Challenge>);
