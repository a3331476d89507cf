//! The embedded cluster started for real from the machine's PostgreSQL binaries.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::os::unix::fs::PermissionsExt;

use jevons_store::embedded::{EmbeddedPostgres, FALLBACK_ROOT};

/// A checkout in a directory only its owner can enter (`mktemp -d`, a `0700` home): as root the
/// server runs as `postgres`, which cannot reach it, so the cluster goes to the fallback root;
/// as anyone else it stays where it was asked to be.
#[tokio::test]
async fn the_cluster_starts_from_a_checkout_the_postgres_user_cannot_reach() {
    let private = std::env::temp_dir().join(format!("jevons-private-{:x}", rand::random::<u64>()));
    fs::create_dir_all(&private).unwrap();
    fs::set_permissions(&private, fs::Permissions::from_mode(0o700)).unwrap();
    let asked = private.join("checkout/data/pg");

    let mut pg = EmbeddedPostgres::start(&asked).await.unwrap();
    let root = nix::unistd::geteuid().is_root();
    if root {
        assert!(
            pg.data_dir().starts_with(FALLBACK_ROOT),
            "{}",
            pg.data_dir().display()
        );
    } else {
        assert_eq!(pg.data_dir(), asked);
    }
    let pool = jevons_store::connect_url(&pg.url("postgres"), 1)
        .await
        .unwrap();
    let one: i32 = sqlx::query_scalar("SELECT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(one, 1);
    pool.close().await;

    // The same checkout finds the same cluster again.
    let dir = pg.data_dir().to_path_buf();
    pg.stop().unwrap();
    drop(pg);
    let mut again = EmbeddedPostgres::start(&asked).await.unwrap();
    assert_eq!(again.data_dir(), dir);
    assert!(
        !again.initialized_now(),
        "the second start reuses the cluster"
    );
    again.stop().unwrap();
    if root {
        fs::remove_dir_all(&dir).unwrap();
    }
    fs::remove_dir_all(&private).unwrap();
}
