//! Error types of the two handler families: JSON for `/api/v1`, HTML pages for the rest.
//!
//! Bad input is always a 4xx with a message that says what to change; anything that goes wrong
//! on our side is a 500 whose detail goes to the log, never to the client.

use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, ResponseError};
use askama::Template;
use jevons_store::StoreError;
use serde::Serialize;

use crate::views::{ErrorPage, Nav};

/// The body of every JSON error: `{"error":{"code","message"}}`.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    pub error: ErrorDetail<'a>,
}

#[derive(Debug, Serialize)]
pub struct ErrorDetail<'a> {
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

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Internal(String),
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Store(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::BadRequest(m) => json_error(self.status_code(), "bad_request", m),
            ApiError::NotFound(m) => json_error(self.status_code(), "not_found", m),
            ApiError::Store(_) | ApiError::Internal(_) => {
                tracing::error!(error = %self, "API request failed");
                json_error(self.status_code(), "internal", INTERNAL_MESSAGE)
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("template: {0}")]
    Render(#[from] askama::Error),
}

impl PageError {
    fn title(&self) -> &'static str {
        match self {
            PageError::BadRequest(_) => "Bad request",
            PageError::NotFound(_) => "Not found",
            PageError::Store(_) | PageError::Render(_) => "Something went wrong",
        }
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::Store(_) | PageError::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let message = match self {
            PageError::BadRequest(m) | PageError::NotFound(m) => m.as_str(),
            PageError::Store(_) | PageError::Render(_) => {
                tracing::error!(error = %self, "page request failed");
                INTERNAL_MESSAGE
            }
        };
        let page = ErrorPage {
            title: self.title(),
            nav: Nav::None,
            status: status.as_u16(),
            message,
        };
        match page.render() {
            Ok(html) => HttpResponse::build(status)
                .content_type(ContentType::html())
                .body(html),
            Err(e) => {
                tracing::error!(error = %e, "error page could not be rendered");
                HttpResponse::build(status)
                    .content_type(ContentType::plaintext())
                    .body(format!("{} {}", status.as_u16(), self.title()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    #[actix_web::test]
    async fn api_errors_are_json_and_hide_internals() {
        let resp = ApiError::Internal("password=hunter2 at db:5432".into()).error_response();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = to_bytes(resp.into_body()).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "internal");
        assert!(!String::from_utf8_lossy(&body).contains("hunter2"));

        let resp = ApiError::BadRequest("`from` is bad".into()).error_response();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        let body = to_bytes(resp.into_body()).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "bad_request");
        assert_eq!(v["error"]["message"], "`from` is bad");
    }

    #[actix_web::test]
    async fn page_errors_are_escaped_html() {
        let resp = PageError::NotFound("no ticker <script>".into()).error_response();
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
