//! What the store's test files share: the runtime, and where PostgreSQL is.
#![allow(dead_code, clippy::unwrap_used)]

/// A multi-threaded runtime, as the CLI and the server use.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The test PostgreSQL: `FLOWGATE_TEST_POSTGRES` (or `FLOWGATE_TEST_POSTGRES_URL`), default
/// `postgres://postgres@127.0.0.1:5432/test`.
pub fn postgres_url() -> String {
    ["FLOWGATE_TEST_POSTGRES", "FLOWGATE_TEST_POSTGRES_URL"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// True under CI (`CI` set and not `0` or `false`): an unreachable service fails the test.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}
