//! Link options that shrink the executables without changing their code:
//! no C library and no start files (`src/sys` makes the system calls and
//! defines `_start`), a static non-PIE executable (no loader, no dynamic
//! symbol or relocation tables), no build-id note, and in release builds one
//! read+execute segment with no unwind tables (`LAYOUT`, a linker script
//! that replaces the default one). Given here rather than in
//! `.cargo/config.toml` so they apply whatever directory cargo is started
//! from. `../build.sh` then drops the section headers
//! (`strip-sections.sh`) and, on x86_64, packs `encode` and `decode`
//! (`pack/`).
//!
//! Unwind tables (`.eh_frame`, `.eh_frame_hdr`: ~3.5 KiB per executable)
//! are discarded by the script's `/DISCARD/` rule, plus `--no-eh-frame-hdr`
//! (checked with rust-lld, rustc's default linker on x86_64 Linux since
//! 1.90). `-C force-unwind-tables=no` alone does not remove them: it only
//! changes the code rustc generates for our crates, while the precompiled
//! `core` and `alloc` (whose bitcode LTO reuses with its `uwtable`
//! attribute) bring their own CFI, and `--gc-sections` (which rustc already
//! passes) only drops the CFI of the functions it removes, never the CFI of
//! code that stays.
//! Dropping the tables is sound here because nothing ever reads them:
//! - `panic = "abort"` and our `#[panic_handler]` abort; no code unwinds;
//!   the personality routine in `src/sys/mod.rs` is never called;
//! - nothing calls `_Unwind_*`, `backtrace()` or a C++ runtime, and the
//!   process ends in `exit_group`;
//! - no start code registers frames (there is none but `_start`).
//!   A debugger loses CFI-based backtraces: debug with a dev build.
//!
//! The same script drops `.comment` (toolchain version strings, 178 bytes)
//! and notes. Dev builds keep the default layout.
use std::path::PathBuf;

/// The release layout: one read-and-execute segment holding the ELF and
/// program headers, the code, the constants and the GOT (which a static
/// executable only reads: the linker filled it), then the stack's
/// permissions (no execute). Nothing writable is loaded: the executables have
/// no static variables (the link fails, by the `ASSERT`, if one appears). One segment instead of three saves two program
/// headers and the padding between segments.
const LAYOUT: &str = "\
PHDRS { code PT_LOAD FILEHDR PHDRS FLAGS(5); stack PT_GNU_STACK FLAGS(6); }
ENTRY(_start)
SECTIONS {
  . = 0x200000 + SIZEOF_HEADERS;
  .text : { *(.text .text.*) } :code
  .rodata : { *(.rodata .rodata.*) } :code
  .got : { *(.got) *(.got.plt) } :code
  .data : { *(.data .data.* .bss .bss.* COMMON) } :code
  ASSERT(SIZEOF(.data) == 0, \"writable statics need a writable segment: see LAYOUT in challenge/build.rs\")
  /DISCARD/ : { *(.eh_frame) *(.eh_frame.*) *(.comment) *(.note) *(.note.*) }
}
";

fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.contains("linux") {
        // No C library and no start files: `src/sys` makes the system calls
        // and defines `_start`; a static executable has no loader, symbol or
        // relocation tables.
        for arg in ["-nostartfiles", "-nostdlib", "-static", "-Wl,--build-id=none", "-no-pie", "-Wl,-z,norelro", "-Wl,-z,noseparate-code"] {
            println!("cargo:rustc-link-arg-bins={arg}");
        }
        let profile = std::env::var("PROFILE").unwrap_or_default();
        if profile == "release" {
            let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
            let script = out.join("one-segment.ld");
            std::fs::write(&script, LAYOUT).expect("write the linker script");
            println!("cargo:rustc-link-arg-bins=-Wl,--no-eh-frame-hdr");
            println!("cargo:rustc-link-arg-bins=-Wl,-T,{}", script.display());
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
