//! `encode [--profile lite|tables|max] IN OUT`: compresses IN into OUT.
#![no_std]
#![no_main]

brainwire_challenge::entry!(brainwire_challenge::cli::encode_main);
