//! Opening stores: location parsing and the messages users see when it fails.

use flowgate_store::{open_store, AnyStore, Error, Store, DEFAULT_STORE_PATH};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn plain_paths_and_sqlite_urls_open_sqlite_stores() {
    runtime().block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join(DEFAULT_STORE_PATH);
        let store = open_store(plain.to_str().unwrap()).await.unwrap();
        assert!(matches!(store, AnyStore::Sqlite(_)));
        assert!(plain.is_file(), "missing directories are created");
        assert!(store.list_snapshots(None).await.unwrap().is_empty());
        store.close().await;
        let url = format!("sqlite://{}", dir.path().join("other.db").display());
        let store = open_store(&url).await.unwrap();
        assert!(store.location().ends_with("other.db"));
        store.close().await;
    });
}

#[test]
fn bad_locations_say_what_to_do() {
    runtime().block_on(async {
        let err = open_store("mysql://db/x").await.unwrap_err();
        assert!(matches!(err, Error::InvalidLocation { .. }), "{err:?}");
        assert!(err.to_string().contains("unknown scheme `mysql`"), "{err}");
        let err = open_store("  ").await.unwrap_err();
        assert!(err.to_string().contains(DEFAULT_STORE_PATH), "{err}");

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "not a directory").unwrap();
        let err = open_store(file.join("store.db").to_str().unwrap())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Open { .. }), "{err:?}");
        let text = err.to_string();
        assert!(text.contains("cannot open store at"), "{text}");
        assert!(text.contains("pass --store"), "{text}");

        // Nothing listens on port 1; the password never appears in the message.
        let err = open_store("postgres://flowgate:hunter2@127.0.0.1:1/x")
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Connect { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains("postgres://flowgate:***@127.0.0.1:1/x"),
            "{text}"
        );
        assert!(!text.contains("hunter2"), "{text}");
    });
}
