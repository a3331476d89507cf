//! The binary itself: help text, import, and the jobs commands.

use std::process::Command;

use jevons_store::testing::fresh_database;

use crate::helpers::*;

fn jevons(database_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jevons"));
    cmd.current_dir(repo_root())
        .env("DATABASE_URL", database_url)
        .env("JEVONS__MARKET__YAHOO_BASE_URL", "http://127.0.0.1:9")
        .env("JEVONS__MARKET__STOOQ_BASE_URL", "http://127.0.0.1:9")
        .env("JEVONS__MARKET__MAX_ATTEMPTS", "1");
    cmd
}

#[test]
fn help_lists_every_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_jevons"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for command in ["serve", "migrate", "backfill", "import", "jobs"] {
        assert!(help.contains(command), "{command} in --help:\n{help}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_jevons"))
        .args(["backfill", "prices", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(
        help.contains("--symbols") && help.contains("--from") && help.contains("--to"),
        "{help}"
    );
}

#[tokio::test]
async fn import_loads_the_bundled_dataset_and_is_idempotent() {
    let db = fresh_database().await;
    let run = || {
        let out = jevons(&db.url)
            .args(["import", "prices", "data/prices"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let first = run();
    assert!(first.contains("13449 new"), "{first}");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM price_bars")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(count, 26 * 500 + 449);
    let second = run();
    assert!(
        second.contains("0 new, 0 changed, 13449 unchanged"),
        "{second}"
    );
}

#[tokio::test]
async fn import_of_a_bad_file_writes_nothing_and_names_the_row() {
    let db = fresh_database().await;
    let dir = std::env::temp_dir().join(format!("jevons-bad-import-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("NVDA.csv"),
        "date,open,high,low,close,adj_close,volume\n2025-01-24,146.0,146.3,141.3,142.62,142.6,234657600\n2025-01-27,124.8,128.4,130.0,118.42,118.4,818830900\n",
    )
    .unwrap();
    let out = jevons(&db.url)
        .args(["import", "prices"])
        .arg(&dir)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("NVDA") && stderr.contains("2025-01-27"),
        "{stderr}"
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM price_bars")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn jobs_list_and_a_failing_run_is_recorded() {
    let db = fresh_database().await;
    let out = jevons(&db.url).args(["jobs", "list"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = String::from_utf8(out.stdout).unwrap();
    assert!(
        list.contains("prices.daily") && list.contains("never"),
        "{list}"
    );

    // Both providers point at a closed port: the run fails, is recorded, and the exit code says so.
    let out = jevons(&db.url)
        .args(["jobs", "run", "prices.daily"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let status: String =
        sqlx::query_scalar("SELECT status FROM job_runs WHERE job = 'prices.daily'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(status, "failed");

    let out = jevons(&db.url)
        .args(["jobs", "run", "nope"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown job"));
}
