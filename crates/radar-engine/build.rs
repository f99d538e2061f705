//! Rebuilds the crate when a messages file is added, changed or removed:
//! the files are embedded in the binary, and `fl!` checks every message id
//! and argument against them at compile time.

fn main() {
    println!("cargo::rerun-if-changed=i18n");
    println!("cargo::rerun-if-changed=i18n.toml");
}
