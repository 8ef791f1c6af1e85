fn main() {
    let sources: Vec<String> = (0..10_000)
        .map(|i| format!("has(contact.field_{i}) && contact.consent_status == \"granted\""))
        .collect();
    let start = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..20 {
        for s in &sources {
            n += flowgate_lang::condition_logic(s).comparisons.len();
        }
    }
    eprintln!("condition_logic: {:?} {n}", start.elapsed() / 20);
    let start = std::time::Instant::now();
    for _ in 0..20 {
        for s in &sources {
            n += flowgate_lang::required_comparisons(s).len();
        }
    }
    eprintln!("required: {:?} {n}", start.elapsed() / 20);
    let start = std::time::Instant::now();
    for _ in 0..20 {
        for s in &sources {
            n += cel::parser::PrattParser::new().parse(s).is_ok() as usize;
        }
    }
    eprintln!("parse only: {:?} {n}", start.elapsed() / 20);
}
