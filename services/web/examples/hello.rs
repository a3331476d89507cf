//! The reference of `scripts/bench-web`: actix-web's hello world, built with the same
//! dependencies and profile as jevons, so the ratio measures what jevons adds.
//! `hello PORT`

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(8089);
    actix_web::HttpServer::new(|| {
        actix_web::App::new().route(
            "/",
            actix_web::web::get()
                .to(|| async { actix_web::HttpResponse::Ok().body("Hello world!") }),
        )
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
