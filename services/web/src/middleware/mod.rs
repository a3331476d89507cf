//! What every request passes through besides its handler: a request id, metrics, and the
//! limits one client may not exceed.

pub(crate) mod limits;
pub(crate) mod metrics;
pub(crate) mod request_id;

pub use limits::RequestGuards;
