//! The price-of-intelligence fits and the demand elasticities on a fixed fixture (GPQA Diamond
//! scores and blended prices of 21 models; NVIDIA data-center revenue and four buyers' capex
//! from the bundled press-release file), against scripts/jevons_reference.py (numpy/scipy),
//! whose output is tests/fixtures/jevons/expected.json. Numbers to 1e-9 (relative above 1),
//! strings and nulls exactly.
#![allow(clippy::unwrap_used)]

mod jevons_input;

use serde_json::Value;

const TOL: f64 = 1e-9;

fn same(path: &str, got: &Value, want: &Value) {
    match (got, want) {
        (Value::Number(g), Value::Number(w)) => {
            let (g, w) = (g.as_f64().unwrap(), w.as_f64().unwrap());
            assert!(
                (g - w).abs() <= TOL * w.abs().max(1.0),
                "{path}: jevons {g:.15e}, numpy {w:.15e}"
            );
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{path}: lengths");
            for (i, (a, b)) in g.iter().zip(w).enumerate() {
                same(&format!("{path}[{i}]"), a, b);
            }
        }
        (Value::Object(g), Value::Object(w)) => {
            for (k, b) in w {
                let a = g
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k}: missing in jevons"));
                same(&format!("{path}.{k}"), a, b);
            }
        }
        _ => assert_eq!(got, want, "{path}"),
    }
}

#[test]
fn matches_the_numpy_reference() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jevons");
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let got = jevons_input::compute(&dir).unwrap();
    same("", &got, &want);
    // The fixture exercises what it should: fits, an unreached threshold, an incomplete event side.
    assert!(want["declines"][0]["fit"].is_object());
    assert!(want["declines"][4]["fit"].is_null());
    assert_eq!(
        want["relations"]["hyperscaler capex"]["event"]["after_present"],
        3
    );
}
