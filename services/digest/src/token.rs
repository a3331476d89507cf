//! Signed, expiring tokens for the confirmation and unsubscribe links.
//!
//! `base64url(purpose.subscriber.expires) . base64url(HMAC-SHA256(secret, payload))`: the server
//! keeps no token table, and a token for one purpose cannot be used for the other.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Confirm,
    Unsubscribe,
}

impl Purpose {
    fn tag(self) -> &'static str {
        match self {
            Purpose::Confirm => "c",
            Purpose::Unsubscribe => "u",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("this link is incomplete or damaged; copy the whole link from the email")]
    Malformed,
    #[error("this link was not issued by this service, or it was altered")]
    BadSignature,
    #[error("this link has expired; subscribe again to get a new one")]
    Expired,
    #[error("this link is meant for something else")]
    WrongPurpose,
}

/// Signs and checks tokens with one secret. The secret never leaves this value (no Debug).
#[derive(Clone)]
pub struct Signer {
    key: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer([REDACTED])")
    }
}

impl Signer {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            key: secret.to_vec(),
        }
    }

    fn mac(&self, payload: &[u8]) -> HmacSha256 {
        // HMAC takes keys of any length; `new_from_slice` cannot fail for it.
        let mut mac = match HmacSha256::new_from_slice(&self.key) {
            Ok(m) => m,
            Err(_) => unreachable_mac(),
        };
        mac.update(payload);
        mac
    }

    pub fn sign(&self, purpose: Purpose, subscriber_id: i64, expires: DateTime<Utc>) -> String {
        let payload = format!(
            "{}.{}.{}",
            purpose.tag(),
            subscriber_id,
            expires.timestamp()
        );
        let tag = self.mac(payload.as_bytes()).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload.as_bytes()),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The subscriber a valid, unexpired token of `purpose` names.
    pub fn verify(
        &self,
        token: &str,
        purpose: Purpose,
        now: DateTime<Utc>,
    ) -> Result<i64, TokenError> {
        let (payload_b64, tag_b64) = token.trim().split_once('.').ok_or(TokenError::Malformed)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload_b64)
            .map_err(|_| TokenError::Malformed)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag_b64)
            .map_err(|_| TokenError::Malformed)?;
        // Constant-time comparison of the tag before looking at the content.
        self.mac(&payload)
            .verify_slice(&tag)
            .map_err(|_| TokenError::BadSignature)?;
        let payload = std::str::from_utf8(&payload).map_err(|_| TokenError::Malformed)?;
        let mut parts = payload.split('.');
        let (Some(tag), Some(id), Some(expires), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        if tag != purpose.tag() {
            return Err(TokenError::WrongPurpose);
        }
        let id: i64 = id.parse().map_err(|_| TokenError::Malformed)?;
        let expires: i64 = expires.parse().map_err(|_| TokenError::Malformed)?;
        if now.timestamp() > expires {
            return Err(TokenError::Expired);
        }
        Ok(id)
    }
}

#[allow(clippy::panic)]
fn unreachable_mac() -> ! {
    panic!("HMAC accepts keys of every length")
}

/// 32 random bytes, base64url: the secret generated on first start when none is configured.
pub fn generate_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn tokens_round_trip_and_refuse_tampering_expiry_and_purpose() {
        let s = Signer::new(b"secret one");
        let now = Utc::now();
        let t = s.sign(Purpose::Confirm, 42, now + Duration::hours(1));
        assert_eq!(s.verify(&t, Purpose::Confirm, now), Ok(42));
        assert_eq!(
            s.verify(&t, Purpose::Unsubscribe, now),
            Err(TokenError::WrongPurpose)
        );
        assert_eq!(
            s.verify(&t, Purpose::Confirm, now + Duration::hours(2)),
            Err(TokenError::Expired)
        );
        assert_eq!(
            Signer::new(b"other").verify(&t, Purpose::Confirm, now),
            Err(TokenError::BadSignature)
        );
        // Changing the subscriber id in the payload breaks the signature.
        let (_, sig) = t.split_once('.').unwrap();
        let forged_payload =
            URL_SAFE_NO_PAD.encode(format!("c.43.{}", (now + Duration::hours(1)).timestamp()));
        assert_eq!(
            s.verify(&format!("{forged_payload}.{sig}"), Purpose::Confirm, now),
            Err(TokenError::BadSignature)
        );
        for junk in ["", "abc", "a.b", "!!!.???", "a.b.c"] {
            assert!(s.verify(junk, Purpose::Confirm, now).is_err(), "{junk}");
        }
        assert!(
            t.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        );
        assert!(!format!("{s:?}").contains("secret"));
        assert_ne!(generate_secret(), generate_secret());
    }
}
