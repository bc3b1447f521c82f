//! Rebuild when the web UIs are rebuilt: release builds embed `web/*/dist` (rust-embed), and a
//! new hashed asset name is a file cargo would not otherwise know about.
fn main() {
    println!("cargo:rerun-if-changed=../../web/workspace/dist");
    println!("cargo:rerun-if-changed=../../web/widget/dist");
}
