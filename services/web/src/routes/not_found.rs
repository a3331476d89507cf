//! What answers when no route matched: JSON under `/api/v1`, the HTML error page elsewhere.

use actix_web::{HttpRequest, HttpResponse};

use super::truncate;
use crate::error::AppError;

/// Any other path under `/api/v1`: a JSON 404, not an HTML page.
pub async fn api(req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound(format!(
        "no API endpoint at {}",
        truncate(req.path())
    )))
}

/// Any path no route matched.
pub async fn page() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound(
        "There is no page at this address.".to_string(),
    ))
}
