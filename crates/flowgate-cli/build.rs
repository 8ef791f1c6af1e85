//! Links the `flowgate` binary as a position-dependent executable on Linux: a PIE binary of
//! this size carries some 55,000 relative relocations that the dynamic loader applies at every
//! start, faulting in each page it touches (about a fifth of an empty `flowgate check`).
//! Every object is still compiled position-independent, so nothing else changes.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
