//! Link options of the `unpack` stub: no C library or start files, static,
//! and the layout `pack` expects: one read+execute segment (headers, code,
//! constants; the payload is appended after `__payload`, its end), then an
//! empty writable segment at the image's address (0x200000, where
//! challenge/build.rs links the executables), then the stack's permissions.
use std::path::PathBuf;

const LAYOUT: &str = "\
PHDRS { code PT_LOAD FILEHDR PHDRS FLAGS(5); image PT_LOAD FLAGS(6); stack PT_GNU_STACK FLAGS(6); }
ENTRY(_start)
SECTIONS {
  . = 0x100000 + SIZEOF_HEADERS;
  .text : { *(.text .text.*) *(.rodata .rodata.*) } :code
  .data : { *(.data .data.* .bss .bss.* COMMON .got .got.plt) } :code
  ASSERT(SIZEOF(.data) == 0, \"the unpack stub may have no static data\")
  __payload = .;
  .image 0x200000 (NOLOAD) : { . = . + 1; } :image
  /DISCARD/ : { *(.eh_frame) *(.eh_frame.*) *(.comment) *(.note) *(.note.*) }
}
";

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let script = out.join("unpack.ld");
    std::fs::write(&script, LAYOUT).expect("write the linker script");
    for arg in [
        "-nostartfiles",
        "-nostdlib",
        "-static",
        "-no-pie",
        "-Wl,--build-id=none",
        "-Wl,-z,norelro",
        "-Wl,--no-eh-frame-hdr",
    ] {
        println!("cargo:rustc-link-arg-bin=unpack={arg}");
    }
    println!(
        "cargo:rustc-link-arg-bin=unpack=-Wl,-T,{}",
        script.display()
    );
    println!("cargo:rerun-if-changed=build.rs");
}
