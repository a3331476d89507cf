//! Email digest pages: the subscribe form, confirmation and one-click unsubscribe links, and a
//! browser preview of a digest.

use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use jevons_core::Settings;
use jevons_digest::{Cadence, DigestError, Digests, Email, ImageMode, TokenError};
use jevons_store::digest::SubscribeOutcome;
use serde::Deserialize;
use sqlx::PgPool;

use crate::error::AppError;
use crate::extract::{Query, empty_as_none, parse_query};
use crate::views::Nav;

pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/subscribe", web::get().to(form))
        .route("/subscribe", web::post().to(submit))
        .route("/subscribe/confirm", web::get().to(confirm))
        .route("/unsubscribe", web::get().to(unsubscribe))
        .route("/unsubscribe", web::post().to(unsubscribe_one_click))
        .route("/digest/preview", web::get().to(preview));
}

/// Time zones offered in the form's list; any IANA name typed in is accepted.
const ZONES: [&str; 12] = [
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Asia/Taipei",
    "Asia/Kolkata",
    "Australia/Sydney",
];

pub struct TickerChoice {
    pub symbol: String,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "subscribe.html")]
struct SubscribePage<'a> {
    title: &'a str,
    nav: Nav,
    tickers: Vec<TickerChoice>,
    zones: &'a [&'a str],
    email: &'a str,
    daily: bool,
    time_zone: &'a str,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "subscribe_message.html")]
struct MessagePage<'a> {
    title: &'a str,
    nav: Nav,
    heading: &'a str,
    message: &'a str,
}

fn html(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(ContentType::html())
        .body(body)
}

fn message(heading: &str, text: &str) -> Result<HttpResponse, AppError> {
    let page = MessagePage {
        title: heading,
        nav: Nav::None,
        heading,
        message: text,
    };
    Ok(html(actix_web::http::StatusCode::OK, page.render()?))
}

fn internal(e: DigestError) -> AppError {
    match e {
        DigestError::Store(e) => AppError::Store(e),
        DigestError::Token(t) => AppError::BadRequest(t.to_string()),
        DigestError::Invalid(m) => AppError::BadRequest(m),
        other => AppError::Internal(other.to_string()),
    }
}

async fn digests(
    pool: &web::Data<PgPool>,
    settings: &web::Data<Settings>,
) -> Result<Digests, AppError> {
    Digests::new(pool.get_ref().clone(), settings.clone().into_inner())
        .await
        .map_err(internal)
}

fn form_page(
    settings: &Settings,
    email: &str,
    daily: bool,
    chosen: &[String],
    time_zone: &str,
    error: Option<String>,
) -> Result<String, AppError> {
    let page = SubscribePage {
        title: "Subscribe",
        nav: Nav::None,
        tickers: settings
            .watchlist
            .iter()
            .map(|t| TickerChoice {
                symbol: t.symbol.to_string(),
                name: t.name.clone(),
                checked: chosen.iter().any(|c| c == t.symbol.as_str()),
            })
            .collect(),
        zones: &ZONES,
        email,
        daily,
        time_zone,
        error,
    };
    Ok(page.render()?)
}

/// `GET /subscribe`
async fn form(settings: web::Data<Settings>) -> Result<HttpResponse, AppError> {
    Ok(html(
        actix_web::http::StatusCode::OK,
        form_page(&settings, "", true, &[], "UTC", None)?,
    ))
}

/// Decodes an `application/x-www-form-urlencoded` body, keeping repeated keys (the ticker
/// checkboxes) in order.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'+', _) => out.push(b' '),
                (b'%', Some(b)) => {
                    out.push(b);
                    i += 2;
                }
                (b, _) => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    String::from_utf8_lossy(body)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// `POST /subscribe`: pending subscription + confirmation email, or the form again with the
/// problem named.
async fn submit(
    body: web::Bytes,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let pairs = form_pairs(&body);
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let raw_email = field("email").to_string();
    let cadence_raw = field("cadence").to_string();
    let time_zone = match field("time_zone").trim() {
        "" => "UTC".to_string(),
        tz => tz.to_string(),
    };
    let tickers: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "tickers")
        .map(|(_, v)| v.trim().to_ascii_uppercase())
        .collect();
    let daily = cadence_raw != "weekly";
    let refuse = |msg: String| -> Result<HttpResponse, AppError> {
        Ok(html(
            actix_web::http::StatusCode::BAD_REQUEST,
            form_page(
                &settings,
                &raw_email,
                daily,
                &tickers,
                &time_zone,
                Some(msg),
            )?,
        ))
    };
    let email = match Email::parse(&raw_email) {
        Ok(e) => e,
        Err(e) => return refuse(format!("{e}.")),
    };
    let Some(cadence) = Cadence::parse(&cadence_raw) else {
        return refuse("Choose daily or weekly.".to_string());
    };
    let digests = digests(&pool, &settings).await?;
    let (_, outcome, queued) = match digests
        .subscribe(&email, cadence, &tickers, &time_zone)
        .await
    {
        Ok(r) => r,
        Err(DigestError::Invalid(m)) => return refuse(format!("{m}.")),
        Err(e) => return Err(internal(e)),
    };
    // Send the confirmation now; if the SMTP server is away, the outbox worker retries it.
    if let Some(id) = queued
        && let Err(e) = digests.deliver_due(Some(id)).await
    {
        tracing::warn!(error = %e, "confirmation email not sent yet; it stays queued");
    }
    let text = match outcome {
        SubscribeOutcome::AlreadyConfirmed => format!(
            "{email} is already subscribed. To change what you receive, unsubscribe with the link in any digest and subscribe again."
        ),
        _ => format!(
            "We sent a confirmation link to {email}. Open it to start receiving the {} digest.",
            cadence.as_str()
        ),
    };
    message("Check your inbox", &text)
}

#[derive(Debug, Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

fn token_of(req: &HttpRequest) -> Result<String, AppError> {
    let q: TokenQuery = parse_query(req.query_string())?;
    q.token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| AppError::BadRequest(TokenError::Malformed.to_string()))
}

/// `GET /subscribe/confirm?token=…`
async fn confirm(
    req: HttpRequest,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let token = token_of(&req)?;
    let sub = digests(&pool, &settings)
        .await?
        .confirm(&token)
        .await
        .map_err(internal)?;
    message(
        "Subscription confirmed",
        &format!(
            "{} will receive the {} jevons digest. Every digest has a one-click unsubscribe link.",
            sub.email, sub.cadence
        ),
    )
}

/// The shared half of both unsubscribe routes: the token's subscriber stops receiving digests.
async fn unsubscribe_by_token(
    req: &HttpRequest,
    pool: &web::Data<PgPool>,
    settings: &web::Data<Settings>,
) -> Result<(), AppError> {
    let token = token_of(req)?;
    let found = digests(pool, settings)
        .await?
        .unsubscribe(&token)
        .await
        .map_err(internal)?;
    if found {
        Ok(())
    } else {
        Err(AppError::NotFound(
            "This subscription no longer exists.".into(),
        ))
    }
}

/// `GET /unsubscribe?token=…`: the link in every digest; one click stops them.
async fn unsubscribe(
    req: HttpRequest,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    unsubscribe_by_token(&req, &pool, &settings).await?;
    message(
        "Unsubscribed",
        "You will receive no more jevons digests. You can subscribe again at any time.",
    )
}

/// `POST /unsubscribe?token=…` with `List-Unsubscribe=One-Click` (RFC 8058): the mail
/// client's button. Plain 200 on success, no page to render.
async fn unsubscribe_one_click(
    req: HttpRequest,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    unsubscribe_by_token(&req, &pool, &settings).await?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::plaintext())
        .body("unsubscribed"))
}

#[derive(Debug, Deserialize)]
pub struct PreviewQuery {
    cadence: Option<String>,
    tickers: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    day: Option<NaiveDate>,
}

/// `GET /digest/preview?cadence=daily|weekly&tickers=NVDA,AMD&day=YYYY-MM-DD`: the digest's HTML part with
/// its images as data URIs.
async fn preview(
    Query(q): Query<PreviewQuery>,
    pool: web::Data<PgPool>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, AppError> {
    let cadence = match q.cadence.as_deref() {
        None => Cadence::Daily,
        Some(c) => Cadence::parse(c)
            .ok_or_else(|| AppError::BadRequest("cadence must be daily or weekly".into()))?,
    };
    let tickers: Vec<String> = q
        .tickers
        .unwrap_or_default()
        .split(',')
        .map(|t| t.trim().to_ascii_uppercase())
        .filter(|t| !t.is_empty())
        .collect();
    let day = q.day;
    let digests = digests(&pool, &settings).await?;
    digests.check_choices(&tickers, "UTC").map_err(internal)?;
    let composed = digests
        .preview(cadence, &tickers, ImageMode::DataUri, day)
        .await
        .map_err(internal)?;
    Ok(html(actix_web::http::StatusCode::OK, composed.html))
}

#[cfg(test)]
mod tests {
    use super::form_pairs;

    #[test]
    fn form_bodies_decode_with_repeated_keys() {
        let p = form_pairs(b"email=a%2Bb%40x.com&cadence=daily&tickers=NVDA&tickers=AMD&time_zone=Europe%2FParis&bad=%zz%");
        assert_eq!(p[0], ("email".into(), "a+b@x.com".into()));
        assert_eq!(p[2].1, "NVDA");
        assert_eq!(p[3].1, "AMD");
        assert_eq!(p[4].1, "Europe/Paris");
        assert_eq!(p[5].1, "%zz%");
    }
}
