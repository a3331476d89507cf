//! `X-Request-Id`: the id that [`tracing_actix_web::TracingLogger`] gives each request (and puts
//! on its log lines), returned to the client so a report can be matched with the log.

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing_actix_web::RequestId;

pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Must run inside `TracingLogger`, which stores the [`RequestId`] in the request.
pub(crate) async fn return_request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<RequestId>().copied();
    let mut res = next.call(req).await?;
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(&id.to_string()).ok()) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(res)
}
