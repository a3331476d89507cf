#[allow(dead_code)] // each test binary uses part of the sink
pub mod smtp_sink;
