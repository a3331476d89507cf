//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers' `#[utoipa::path]`
//! attributes and the types they name; served at `/api/v1/openapi.json` (`routes::docs`).

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::ErrorBody;
use crate::routes::{correlations, events, jevons, market, models, news, shocks};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "jevons API",
        version = env!("CARGO_PKG_VERSION"),
        description = "Does AI efficiency move the chip market? Prices, AI models and benchmarks, \
news, events and event studies, and the Jevons question, as JSON (and CSV where a `format` \
parameter is offered; series also as Apache Parquet). Each client address has a rate limit \
(429 with Retry-After beyond it); every answer carries an X-Request-Id that the server log names \
too. Errors are `{\"error\":{\"code\",\"message\"}}`; a bad parameter answers 400 with a \
message that names it. Answers carry ETag and Last-Modified; send If-None-Match/If-Modified-Since \
for a 304.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        market::api::tickers,
        market::api::prices,
        models::api::api_models,
        models::api::api_model,
        models::api::api_benchmarks,
        models::api::api_frontier,
        models::api::api_cheapest,
        news::api::api_list,
        news::api::api_article,
        events::api::api_events,
        events::api::api_add_event,
        events::api::api_event_study,
        correlations::api_correlations,
        jevons::api::api_jevons,
        jevons::api::api_price_of_intelligence,
        jevons::api::api_fundamentals,
        shocks::api_shocks,
    ),
    components(schemas(
        crate::error::ErrorBody,
        crate::error::ErrorDetail,
        crate::routes::Format,
        crate::routes::SeriesFormat,
    )),
    modifiers(&Security),
    tags(
        (name = "market", description = "Tickers and daily prices"),
        (name = "models", description = "AI models, benchmarks, prices and the efficiency frontier"),
        (name = "news", description = "Articles from the feeds with summaries and stance"),
        (name = "events", description = "Events, event studies, correlations and pooled shocks"),
        (name = "jevons", description = "The Jevons question: price of intelligence, demand, fundamentals"),
    )
)]
pub struct ApiDoc;

/// A Parquet file (`format=parquet` of a series endpoint): binary, typed columns.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // documentation only
pub(crate) struct ParquetFile(Vec<u8>);

/// 400 in a handler's `responses(…)`.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 400,
    description = "A parameter is wrong; the message names it"
)]
#[allow(dead_code)] // documentation only
pub(crate) struct BadParam(ErrorBody<'static>);

/// 404 in a handler's `responses(…)`.
#[derive(utoipa::IntoResponses)]
#[response(status = 404, description = "Nothing of that name or id")]
#[allow(dead_code)] // documentation only
pub(crate) struct NotFound(ErrorBody<'static>);

/// 429, 500 and 503, which every handler can answer.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // documentation only
pub(crate) enum ServerErrors {
    #[response(
        status = 429,
        description = "Over this address's rate limit (`server.limits`)",
        headers(("Retry-After" = u64, description = "Seconds until a request is accepted again"))
    )]
    TooManyRequests(ErrorBody<'static>),
    #[response(
        status = 500,
        description = "Our fault; the details are in the server log"
    )]
    Internal(ErrorBody<'static>),
    #[response(status = 503, description = "The database cannot be reached just now")]
    Unavailable(ErrorBody<'static>),
}

/// The write endpoint's key: `Authorization: Bearer …` or the `X-API-Key` header.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::API_ROUTES;
    use utoipa::openapi::path::{Operation, PathItem};

    fn operation<'a>(item: &'a PathItem, method: &str) -> Option<&'a Operation> {
        match method {
            "GET" => item.get.as_ref(),
            "POST" => item.post.as_ref(),
            "PUT" => item.put.as_ref(),
            "DELETE" => item.delete.as_ref(),
            "PATCH" => item.patch.as_ref(),
            _ => None,
        }
    }

    #[test]
    fn every_api_route_is_documented_and_nothing_else() {
        let spec = ApiDoc::openapi();
        for (method, path) in API_ROUTES {
            let full = format!("/api/v1{path}");
            let item =
                spec.paths.paths.get(&full).unwrap_or_else(|| {
                    panic!("{full} is registered but not in the OpenAPI document")
                });
            assert!(
                operation(item, method).is_some(),
                "{method} {full} is registered but not documented"
            );
        }
        for (path, item) in &spec.paths.paths {
            let inner = path.strip_prefix("/api/v1").expect("under /api/v1");
            for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
                if operation(item, method).is_some() {
                    assert!(
                        API_ROUTES.contains(&(method, inner)),
                        "{method} {path} is documented but not registered"
                    );
                }
            }
        }
    }

    #[actix_web::test]
    async fn the_routes_register_with_the_list() {
        // `api_route` panics on a route missing from API_ROUTES; building the app runs it.
        let _ = actix_web::test::init_service(
            actix_web::App::new()
                .configure(|cfg| crate::routes::configure(cfg, actix_cors::Cors::default())),
        )
        .await;
    }

    #[test]
    fn prices_parameters_are_documented() {
        let spec: serde_json::Value =
            serde_json::from_str(&ApiDoc::openapi().to_json().unwrap()).unwrap();
        assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
        let names: Vec<&str> = spec["paths"]["/api/v1/prices/{symbol}"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        for n in ["symbol", "from", "to", "format"] {
            assert!(names.contains(&n), "{n} missing from {names:?}");
        }
        let ok = &spec["paths"]["/api/v1/prices/{symbol}"]["get"]["responses"]["200"]["content"];
        for media in [
            "application/json",
            "text/csv",
            "application/vnd.apache.parquet",
        ] {
            assert!(ok.get(media).is_some(), "{media} missing from {ok}");
        }
        // Binary, inline or through its component.
        let mut schema = &ok["application/vnd.apache.parquet"]["schema"];
        if let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
            schema = &spec["components"]["schemas"][name];
        }
        assert_eq!(schema["format"], "binary", "{schema}");
        assert_eq!(
            spec["components"]["schemas"]["SeriesFormat"]["enum"],
            serde_json::json!(["json", "csv", "parquet"])
        );
        let post = &spec["paths"]["/api/v1/events"]["post"];
        assert!(post["security"].to_string().contains("bearer"), "{post}");
        assert!(
            spec["components"]["securitySchemes"]["api_key"]["name"] == "X-API-Key",
            "{spec}"
        );
    }
}
