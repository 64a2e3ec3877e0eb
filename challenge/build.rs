//! Link options that shrink the executables without changing their code:
//! no build-id note, a non-PIE executable (no dynamic relocations to carry),
//! and no separate read-only segments (less page padding). Given here rather
//! than in `.cargo/config.toml` so they apply whatever directory cargo is
//! started from.
fn main() {
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.contains("linux") {
        for arg in ["-Wl,--build-id=none", "-no-pie", "-Wl,-z,norelro", "-Wl,-z,noseparate-code", "-Wl,--hash-style=gnu"] {
            println!("cargo:rustc-link-arg-bins={arg}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
