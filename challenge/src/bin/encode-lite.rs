//! `encode-lite [--profile lite] IN OUT`: compresses IN into OUT with the
//! implant profile.
#![no_std]
#![no_main]

brainwire_challenge::entry!(brainwire_challenge::cli::encode_main::<brainwire_challenge::cli::Lite>);
