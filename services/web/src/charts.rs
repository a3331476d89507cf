//! Server-rendered SVG charts: the shared chart code lives in `jevons-charts` (the email digests
//! draw with it too); the pages use it through this module.

pub use jevons_charts::*;
