#![allow(missing_docs, clippy::unwrap_used, clippy::print_stdout)]
fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let t = std::time::Instant::now();
    let ws = flowgate_load::Workspace::open(&dir).unwrap();
    let files = flowgate_load::asset_files(&ws).unwrap();
    println!("walk {:?} ({} files)", t.elapsed(), files.len());
    let t = std::time::Instant::now();
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap())
        .collect();
    println!("read {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let mut n = 0;
    for text in &texts {
        n += flowgate_syntax::parse_yaml(text).docs.len();
    }
    println!("yaml parse {:?} ({n} docs)", t.elapsed());
    let t = std::time::Instant::now();
    let loaded = flowgate_load::load_workspace(&ws);
    println!(
        "load_workspace {:?} ({} assets)",
        t.elapsed(),
        loaded.model.assets().len()
    );
    let t = std::time::Instant::now();
    drop(loaded);
    println!("drop {:?}", t.elapsed());
}
