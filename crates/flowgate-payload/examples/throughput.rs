//! Writes a capture of generated order payloads of about SIZE megabytes to PATH (unless it
//! exists), infers its shape, and prints the throughput and the process's peak memory:
//! `cargo run --release -p flowgate-payload --example throughput -- /tmp/orders.jsonl 1024`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]

use std::io::Write;
use std::time::Instant;

fn line(n: u64) -> String {
    let statuses = ["pending", "processing", "complete", "canceled"];
    format!(
        r#"{{"entity_id":{n},"increment_id":"1000{n:07}","status":"{}","created_at":"2026-03-0{}T10:00:00Z","customer":{{"email":"c{}@example.com","group_id":{}}},"grand_total":{}.{:02},"items":[{{"sku":"SKU-{}","qty":{},"price":19.5}},{{"sku":"SKU-{}","qty":1,"price":4.25}}],"coupon_code":{}}}"#,
        statuses[(n % 4) as usize],
        1 + n % 8,
        n % 1000,
        n % 3,
        10 + n % 5000,
        n % 100,
        n % 500,
        1 + n % 4,
        (n * 7) % 500,
        if n % 4 == 0 { "\"SPRING\"" } else { "null" }
    )
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        })
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = std::path::PathBuf::from(args.next().expect("PATH"));
    let megabytes: u64 = args.next().map_or(256, |s| s.parse().expect("SIZE in MB"));
    if !path.exists() {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let (mut written, mut n) = (0u64, 0u64);
        while written < megabytes << 20 {
            n += 1;
            let l = line(n);
            written += l.len() as u64 + 1;
            writeln!(out, "{l}").unwrap();
        }
    }
    let bytes = std::fs::metadata(&path).unwrap().len();
    let start = Instant::now();
    let (shape, records) = flowgate_payload::infer(&path).unwrap();
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{records} records, {:.0} MB in {seconds:.2} s: {:.0} MB/s; peak memory {:.1} MB; {} top-level fields",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / seconds,
        peak_rss_mb(),
        shape.properties.len()
    );
}
