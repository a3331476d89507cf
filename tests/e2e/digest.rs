//! Email digests through the running app: subscribe on the page, confirm with the link from the
//! email, receive a digest, unsubscribe with its link — against an SMTP server on 127.0.0.1.

use std::sync::Arc;

use chrono::{TimeDelta, Utc};
use jevons_core::PriceBar;
use jevons_core::config::SmtpSecurity;
use jevons_digest::{Cadence, Digests};
use mail_parser::MessageParser;

use crate::helpers::*;

#[path = "../../services/digest/tests/support/smtp_sink.rs"]
#[allow(dead_code)]
mod smtp_sink;

const BASE: &str = "http://jevons.test";

/// The text part of a received message.
fn text_of(raw: &[u8]) -> String {
    let message = MessageParser::default()
        .parse(raw)
        .expect("a parsable email");
    message
        .body_text(0)
        .expect("a plain-text part")
        .into_owned()
}

/// The first absolute link to `path` in `text`, rewritten to this test's server.
fn link(text: &str, path: &str, app: &TestApp) -> String {
    let start = text
        .find(&format!("{BASE}{path}"))
        .unwrap_or_else(|| panic!("no {path} link in:\n{text}"));
    let end = text[start..]
        .find(|c: char| c.is_whitespace() || c == '>' || c == ')')
        .map_or(text.len(), |e| start + e);
    text[start..end].replacen(BASE, &app.address, 1)
}

#[tokio::test]
async fn subscribe_confirm_receive_and_unsubscribe_through_the_app() {
    let sink = smtp_sink::SmtpSink::start().await;
    let app = spawn_app_with(true, |s| {
        s.smtp.host = "127.0.0.1".into();
        s.smtp.port = sink.port;
        s.smtp.security = SmtpSecurity::None;
        s.server.public_base_url = BASE.into();
    })
    .await;
    // Two fresh NVDA sessions so the period has something to report.
    let today = Utc::now().date_naive();
    let bars: Vec<PriceBar> = [(today - TimeDelta::days(1), 150.0), (today, 135.0)]
        .into_iter()
        .map(|(day, c)| PriceBar {
            day,
            open: c,
            high: c,
            low: c,
            close: c,
            adj_close: c,
            volume: 1,
        })
        .collect();
    jevons_store::prices::upsert_bars(app.pool(), "test", &[(sym("NVDA"), bars)])
        .await
        .unwrap();

    // A malformed address is refused on the page, and nothing is sent.
    let bad = app
        .client
        .post(format!("{}/subscribe", app.address))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("email=not-an-address&cadence=daily&tickers=NVDA")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let subscribe = || async {
        app.client
            .post(format!("{}/subscribe", app.address))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(
                "email=Analyst%40Example.com&cadence=daily&tickers=NVDA&time_zone=Europe%2FBerlin",
            )
            .send()
            .await
            .unwrap()
    };
    assert_eq!(subscribe().await.status(), 200);
    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "one confirmation email");
    let confirm = link(
        &text_of(&messages[0].data),
        "/subscribe/confirm?token=",
        &app,
    );

    // Subscribing again does not create a second subscriber.
    assert_eq!(subscribe().await.status(), 200);
    let subscribers: i64 = sqlx::query_scalar("SELECT count(*) FROM subscribers")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(subscribers, 1);

    let confirmed = app.client.get(&confirm).send().await.unwrap();
    assert_eq!(confirmed.status(), 200);
    assert!(confirmed.text().await.unwrap().contains("confirmed"));
    let tampered = app.client.get(format!("{confirm}x")).send().await.unwrap();
    assert_eq!(tampered.status(), 400, "a damaged token is a clear error");

    let digests = Digests::new(app.db.pool.clone(), Arc::clone(&app.settings))
        .await
        .unwrap();
    digests.run(Cadence::Daily, Utc::now(), true).await.unwrap();
    let before = sink.messages().len();
    let digest = sink.messages().last().cloned().expect("a digest");
    let raw = String::from_utf8_lossy(&digest.data).to_string();
    assert!(
        raw.contains("List-Unsubscribe:"),
        "one-click unsubscribe header"
    );
    let text = text_of(&digest.data);
    assert!(text.contains("NVDA"), "{text}");
    // Sending again for the same period sends nothing more.
    digests.run(Cadence::Daily, Utc::now(), true).await.unwrap();
    assert_eq!(sink.messages().len(), before, "each digest goes out once");

    let unsubscribe = link(&text, "/unsubscribe?token=", &app);
    let page = app.client.get(&unsubscribe).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let status: String = sqlx::query_scalar("SELECT status FROM subscribers")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(status, "unsubscribed");
    digests
        .run(Cadence::Daily, Utc::now() + TimeDelta::days(1), true)
        .await
        .unwrap();
    assert_eq!(
        sink.messages().len(),
        before,
        "nothing more after unsubscribing"
    );
}
