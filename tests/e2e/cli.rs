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
    // Every data row of every file, counted independently of jevons' reader.
    let expected: usize = std::fs::read_dir(bundled_prices())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .skip(1)
                .filter(|l| !l.trim().is_empty())
                .count()
        })
        .sum();
    assert!(expected > 17_000, "{expected}");
    let first = run();
    assert!(first.contains(&format!("{expected} new")), "{first}");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM price_bars")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(count, expected as i64);
    let second = run();
    assert!(
        second.contains(&format!("0 new, 0 changed, {expected} unchanged")),
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

/// Runs `jevons ARGS` on `url` and returns stdout, failing the test with stderr on an error.
fn run_ok(url: &str, args: &[&str]) -> String {
    let out = jevons(url).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "jevons {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn read_commands_on_a_new_database_see_the_bundled_dataset() {
    let db = fresh_database().await;
    // The first command on the new database is a read: it loads the bundled data as serve does.
    let events = run_ok(&db.url, &["events", "list"]);
    assert!(events.contains("2025-01-27"), "{events}");
    assert!(events.contains("DeepSeek-R1"), "{events}");
    let frontier = run_ok(
        &db.url,
        &[
            "models",
            "frontier",
            "--benchmark",
            "gpqa-diamond",
            "--date",
            "2025-02-06",
        ],
    );
    assert!(frontier.contains("DeepSeek-R1"), "{frontier}");
    let bars: i64 = sqlx::query_scalar("SELECT count(*) FROM price_bars")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert!(bars > 10_000, "{bars} bars");
    // Loaded once: a second read command adds nothing.
    run_ok(&db.url, &["events", "list"]);
    let again: i64 = sqlx::query_scalar("SELECT count(*) FROM price_bars")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(again, bars);
}

#[tokio::test]
async fn digest_previews_show_the_moves_of_their_period() {
    let db = fresh_database().await;
    let dir = std::env::temp_dir().join(format!("jevons-preview-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let preview = |cadence: &str, day: Option<&str>| {
        let to = dir.join(format!("{cadence}-{}.html", day.unwrap_or("latest")));
        let to_arg = to.display().to_string();
        let mut args = vec!["digest", "preview", "--cadence", cadence, "--to", &to_arg];
        if let Some(d) = day {
            args.extend(["--day", d]);
        }
        let stdout = run_ok(&db.url, &args);
        (stdout, std::fs::read_to_string(&to).unwrap())
    };
    let last_day: chrono::NaiveDate = {
        // Loaded by the first preview; read after it.
        let (_, html) = preview("daily", None);
        let last: chrono::NaiveDate =
            sqlx::query_scalar("SELECT max(day) FROM price_bars WHERE symbol = 'NVDA'")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert!(!html.contains("No new prices"), "daily preview is empty");
        // NVDA's row is that day's close against the session before.
        let closes: Vec<f64> = sqlx::query_scalar(
            "SELECT adj_close FROM price_bars WHERE symbol = 'NVDA' ORDER BY day DESC LIMIT 2",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap();
        let pct = (closes[0] / closes[1] - 1.0) * 100.0;
        let shown = format!(
            "{}{:.2}%",
            if pct < 0.0 { "\u{2212}" } else { "+" },
            pct.abs()
        );
        assert!(
            html.contains(&shown),
            "NVDA {shown} on {last} not in the daily preview"
        );
        assert!(html.contains(&last.to_string()));
        last
    };
    let (_, weekly) = preview("weekly", None);
    assert!(!weekly.contains("No new prices"), "weekly preview is empty");
    assert!(weekly.contains(&last_day.to_string()));

    // Around the DeepSeek sell-off: the day itself, and the week that ends with it.
    let (stdout, daily) = preview("daily", Some("2025-01-27"));
    assert!(stdout.contains("2025-01-27"), "{stdout}");
    assert!(
        daily.contains("\u{2212}16.97%"),
        "NVDA's fall on 2025-01-27"
    );
    let (_, week) = preview("weekly", Some("2025-01-31"));
    assert!(
        week.contains("2025-01-25 \u{2013} 2025-01-31"),
        "the week ending 2025-01-31"
    );
    // NVDA from the 2025-01-24 close (142.5733) to the 2025-01-31 close (120.0307).
    assert!(week.contains("\u{2212}15.81%"), "NVDA over the week");
    assert!(!week.contains("No new prices"));
    assert!(
        !daily.contains("Demand vs price of intelligence"),
        "weekly only"
    );

    // The week NVIDIA released FY2025 Q4 (2025-02-26): the Jevons section says so.
    let (_, week) = preview("weekly", Some("2025-02-28"));
    assert!(
        week.contains("Demand vs price of intelligence"),
        "the Jevons section"
    );
    assert!(
        week.contains("New quarter: NVDA data center revenue FY2025Q4 (ended 2025-01-26)"),
        "the new quarter"
    );
    assert!(week.contains("/jevons"));
    std::fs::remove_dir_all(&dir).ok();
}
