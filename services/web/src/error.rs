//! The one error type of every handler and extractor, [`AppError`], rendered by scope: a JSON
//! body `{"error":{"code","message"}}` under `/api/`, the HTML error page elsewhere (the
//! [`render_by_scope`] middleware turns the one into the other).
//!
//! Bad input is always a 4xx with a message that says what to change; anything that goes wrong
//! on our side is a 500 whose detail goes to the log, never to the client.

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use jevons_store::StoreError;
use serde::Serialize;

use crate::views::{ErrorPage, Nav};

/// The body of every JSON error: `{"error":{"code","message"}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    pub error: ErrorDetail<'a>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail<'a> {
    /// `bad_request`, `not_found`, `unauthorized`, `forbidden`, `rate_limited`,
    /// `payload_too_large`, `unavailable` or `internal`.
    pub code: &'a str,
    pub message: &'a str,
}

/// Builds a JSON error response; shared by the API and the health checks.
pub fn json_error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    let body = ErrorBody {
        error: ErrorDetail { code, message },
    };
    HttpResponse::build(status).json(body)
}

const INTERNAL_MESSAGE: &str =
    "something went wrong on our side; the details are in the server log";
const UNAVAILABLE_MESSAGE: &str =
    "the database cannot be reached just now; try again in a few seconds";

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    /// A query or path parameter that does not parse; the message names it.
    #[error("`{field}`: {message}")]
    BadParam { field: String, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("too many requests from this address; try again in {retry_after_s} s")]
    TooManyRequests { retry_after_s: u64 },
    #[error("the request body is larger than the {0} bytes accepted")]
    PayloadTooLarge(usize),
    #[error("store: {0}")]
    Store(StoreError),
    #[error("template: {0}")]
    Render(#[from] askama::Error),
    #[error("{0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(m) => AppError::BadRequest(m),
            StoreError::NotFound(what) => AppError::NotFound(format!("{what} not found")),
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) | AppError::BadParam { .. } => "bad_request",
            AppError::NotFound(_) => "not_found",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::TooManyRequests { .. } => "rate_limited",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::Store(e) if e.is_unavailable() => "unavailable",
            AppError::Store(_) | AppError::Render(_) | AppError::Internal(_) => "internal",
        }
    }

    fn title(&self) -> &'static str {
        match self.code() {
            "bad_request" => "Bad request",
            "not_found" => "Not found",
            "unauthorized" => "Unauthorized",
            "forbidden" => "Forbidden",
            "rate_limited" => "Too many requests",
            "payload_too_large" => "Request too large",
            "unavailable" => "Unavailable",
            _ => "Something went wrong",
        }
    }

    /// What the client is told: the message for its own mistakes, a fixed sentence for ours
    /// (whose detail is logged).
    fn public_message(&self) -> String {
        match self.code() {
            "internal" => {
                tracing::error!(error = %self, "request failed");
                INTERNAL_MESSAGE.to_string()
            }
            "unavailable" => {
                tracing::warn!(error = %self, "database unavailable");
                UNAVAILABLE_MESSAGE.to_string()
            }
            _ => self.to_string(),
        }
    }

    /// The HTML error page for this error.
    pub fn page_response(&self) -> HttpResponse {
        let status = self.status_code();
        let message = self.public_message();
        let page = ErrorPage {
            title: self.title(),
            nav: Nav::None,
            status: status.as_u16(),
            message: &message,
        };
        let mut resp = match page.render() {
            Ok(html) => HttpResponse::build(status)
                .content_type(ContentType::html())
                .body(html),
            Err(e) => {
                tracing::error!(error = %e, "error page could not be rendered");
                HttpResponse::build(status)
                    .content_type(ContentType::plaintext())
                    .body(format!("{} {}", status.as_u16(), self.title()))
            }
        };
        self.add_headers(&mut resp);
        resp
    }

    /// The headers an error's status calls for, on the JSON and the page answer alike.
    fn add_headers(&self, resp: &mut HttpResponse) {
        let headers = resp.headers_mut();
        match self {
            AppError::Unauthorized(_) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer"),
                );
            }
            AppError::TooManyRequests { retry_after_s } => {
                headers.insert(header::RETRY_AFTER, (*retry_after_s).into());
            }
            _ => {}
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self.code() {
            "bad_request" => StatusCode::BAD_REQUEST,
            "not_found" => StatusCode::NOT_FOUND,
            "unauthorized" => StatusCode::UNAUTHORIZED,
            "forbidden" => StatusCode::FORBIDDEN,
            "rate_limited" => StatusCode::TOO_MANY_REQUESTS,
            "payload_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
            "unavailable" => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The JSON body; pages get [`AppError::page_response`] through [`render_by_scope`].
    fn error_response(&self) -> HttpResponse {
        let mut resp = json_error(self.status_code(), self.code(), &self.public_message());
        self.add_headers(&mut resp);
        resp
    }
}

/// Outside `/api/`, an [`AppError`] answer becomes the HTML error page.
pub async fn render_by_scope(
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_api = req.path().starts_with("/api/");
    let res = next.call(req).await?;
    if is_api {
        return Ok(res);
    }
    let page = res
        .response()
        .error()
        .and_then(|e| e.as_error::<AppError>())
        .map(AppError::page_response);
    Ok(match page {
        Some(page) => res.into_response(page),
        None => res,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    #[actix_web::test]
    async fn api_errors_are_json_and_hide_internals() {
        let resp = AppError::Internal("password=hunter2 at db:5432".into()).error_response();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = to_bytes(resp.into_body()).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "internal");
        assert!(!String::from_utf8_lossy(&body).contains("hunter2"));

        let resp = AppError::BadRequest("`from` is bad".into()).error_response();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let body = to_bytes(resp.into_body()).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "bad_request");
        assert_eq!(v["error"]["message"], "`from` is bad");
    }

    #[actix_web::test]
    async fn page_errors_are_escaped_html() {
        let resp = AppError::NotFound("no ticker <script>".into()).page_response();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        let body = to_bytes(resp.into_body()).await.unwrap();
        let html = String::from_utf8_lossy(&body);
        assert!(html.contains("<!DOCTYPE html>"), "{html}");
        assert!(
            html.contains("no ticker &#60;script&#62;")
                || html.contains("no ticker &lt;script&gt;"),
            "{html}"
        );
    }
}
