//! Link options for the `radar` binary.

fn main() {
    // Relative relocations packed (DT_RELR, glibc 2.36+, binutils 2.38+):
    // the dynamic loader reads every relocation at start, and the usual
    // table is 1.4 MB of this binary that then stays resident; packed it is
    // a few KB (BENCHMARKS.md §11). Older linkers ignore the option with a
    // warning; the binary is the same apart from the table.
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.ends_with("-linux-gnu") {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
