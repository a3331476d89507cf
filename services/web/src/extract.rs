//! Typed request edges: query strings deserialised into structs whose errors name the field,
//! "empty means absent" for optional parameters, and the API key as an extractor.

use std::fmt::Display;
use std::future::{Ready, ready};
use std::str::FromStr;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use jevons_core::Settings;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use subtle::ConstantTimeEq;

use crate::error::AppError;
use crate::routes::truncate;

/// Query parameters as `T`. Unlike `web::Query`, a bad parameter answers 400 with the field's
/// name and the scope's error body (JSON under `/api/`, the error page elsewhere).
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(Query))
    }
}

/// Deserialises a query string, naming the parameter that failed.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    let pairs = form_urlencoded::parse(query.as_bytes());
    // PostgreSQL text cannot hold NUL: refused here, not a database error (500) later.
    if let Some((field, _)) = pairs.clone().find(|(_, v)| v.contains('\0')) {
        return Err(AppError::BadParam {
            field: truncate(&field),
            message: "must not contain a NUL character".into(),
        });
    }
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs)).map_err(|e| {
        let field = e.path().to_string();
        let message = e.into_inner().to_string();
        if field == "." || field.is_empty() {
            AppError::BadRequest(format!("bad query string: {message}"))
        } else {
            AppError::BadParam { field, message }
        }
    })
}

/// `#[serde(default, deserialize_with = "empty_as_none")]`: an absent or blank parameter is
/// `None`; anything else must parse as `T` (trimmed), and the error says what it got.
pub fn empty_as_none<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: Display,
{
    let raw = Option::<String>::deserialize(deserializer)?;
    match raw.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|e| D::Error::custom(format!("{e} (got `{}`)", truncate(s)))),
    }
}

/// A request that carried the configured API key (`Authorization: Bearer KEY` or the header
/// `api.key_header`). No key configured → 403 for everyone; a missing or wrong key → 401.
#[derive(Debug)]
pub struct ApiKey;

impl FromRequest for ApiKey {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(check_key(req))
    }
}

fn check_key(req: &HttpRequest) -> Result<ApiKey, AppError> {
    let settings = req
        .app_data::<web::Data<Settings>>()
        .ok_or_else(|| AppError::Internal("settings missing from the app".into()))?;
    // Settings drop an empty key already; checked here too, since an empty key would match an
    // empty header.
    let Some(key) = settings
        .api
        .key
        .as_ref()
        .filter(|k| !k.expose_secret().trim().is_empty())
    else {
        return Err(AppError::Forbidden(
            "writing is disabled: no API key is configured (JEVONS__API__KEY)".into(),
        ));
    };
    let given = presented_key(req, &settings.api.key_header).filter(|k| !k.is_empty());
    // `subtle` compares in constant time: how long it takes says nothing about where a guess
    // differs.
    match given {
        Some(given) if bool::from(given.as_bytes().ct_eq(key.expose_secret().as_bytes())) => {
            Ok(ApiKey)
        }
        _ => Err(AppError::Unauthorized("a valid API key is required".into())),
    }
}

fn presented_key<'a>(req: &'a HttpRequest, header_name: &str) -> Option<&'a str> {
    if let Some(v) = req.headers().get(header_name).and_then(|v| v.to_str().ok()) {
        return Some(v.trim());
    }
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("Bearer "))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[derive(Debug, Deserialize)]
    struct Range {
        #[serde(default, deserialize_with = "empty_as_none")]
        from: Option<NaiveDate>,
        #[serde(default, deserialize_with = "empty_as_none")]
        limit: Option<u32>,
    }

    #[test]
    fn empty_is_absent_and_errors_name_the_field() {
        let r: Range = parse_query("from=&limit=").unwrap();
        assert!(r.from.is_none() && r.limit.is_none());
        let r: Range = parse_query("from=2025-01-27&limit=%205").unwrap();
        assert_eq!(r.from, NaiveDate::from_ymd_opt(2025, 1, 27));
        assert_eq!(r.limit, Some(5));
        match parse_query::<Range>("from=2025-13-01") {
            Err(AppError::BadParam { field, message }) => {
                assert_eq!(field, "from");
                assert!(message.contains("2025-13-01"), "{message}");
            }
            other => panic!("expected a bad `from`, got {other:?}"),
        }
        match parse_query::<Range>("q=a%00b") {
            Err(AppError::BadParam { field, .. }) => assert_eq!(field, "q"),
            other => panic!("expected a bad `q`, got {other:?}"),
        }
        match parse_query::<Range>("limit=-1") {
            Err(AppError::BadParam { field, .. }) => assert_eq!(field, "limit"),
            other => panic!("expected a bad `limit`, got {other:?}"),
        }
    }
}
