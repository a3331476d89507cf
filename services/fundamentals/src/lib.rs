//! Quarterly company fundamentals: the SEC EDGAR XBRL `companyfacts` provider
//! ([`EdgarClient`], [`companyfacts`]) and the press-release CSV import ([`press_release`]).
//!
//! Parsing is pure and tested on real-format payloads; the client adds HTTP, SEC's User-Agent
//! and rate rules, and retries. Storing is jevons-store's; wiring is jevons-jobs'.

mod client;
pub mod companyfacts;
#[doc(hidden)]
pub mod fuzzing;
pub mod press_release;

use std::fmt;

pub use client::{EdgarClient, MAX_BODY_BYTES, SEC_MAX_REQUESTS_PER_SECOND};
pub use companyfacts::CompanyFacts;

/// Why a body could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("malformed JSON: {0}")]
    Json(String),
    #[error("unexpected companyfacts content: {0}")]
    Shape(String),
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
}

/// Why fetching a company's facts failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EdgarError {
    #[error(
        "SEC EDGAR needs a User-Agent that names the caller with a contact e-mail address, e.g. \
         \"jevons-analytics ops@example.com\": set [fundamentals] user_agent \
         (JEVONS__FUNDAMENTALS__USER_AGENT); {0}"
    )]
    UserAgent(String),
    #[error(
        "{url}: 403 Forbidden — SEC EDGAR refuses clients without a User-Agent that names them \
         with a contact e-mail, and clients above 10 requests/s; check [fundamentals] user_agent"
    )]
    Forbidden { url: String },
    #[error("{url}: 404 Not Found — is the CIK right? ([fundamentals.ciks])")]
    NotFound { url: String },
    #[error("{url}: HTTP {status}{}", after(*attempts))]
    Http {
        url: String,
        status: u16,
        attempts: u32,
    },
    #[error("{url}: timed out{}", after(*attempts))]
    Timeout { url: String, attempts: u32 },
    #[error("{url}: network error: {message}{}", after(*attempts))]
    Network {
        url: String,
        message: String,
        attempts: u32,
    },
    #[error("{url}: the response is larger than {limit} bytes")]
    TooLarge { url: String, limit: usize },
    #[error("{url}: not a companyfacts document ({source}); nothing stored")]
    Malformed {
        url: String,
        #[source]
        source: ParseError,
    },
    #[error("cannot build the HTTP client: {0}")]
    Setup(String),
}

fn after(attempts: u32) -> String {
    if attempts > 1 {
        format!(" after {attempts} attempts")
    } else {
        String::new()
    }
}

impl EdgarError {
    /// The same error, counting `attempts` attempts.
    fn after(self, attempts: u32) -> Self {
        match self {
            EdgarError::Http { url, status, .. } => EdgarError::Http {
                url,
                status,
                attempts,
            },
            EdgarError::Timeout { url, .. } => EdgarError::Timeout { url, attempts },
            EdgarError::Network { url, message, .. } => EdgarError::Network {
                url,
                message,
                attempts,
            },
            other => other,
        }
    }
}

/// A User-Agent SEC accepts: text that names the caller and holds a contact e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAgent(String);

impl UserAgent {
    pub fn parse(raw: &str) -> Result<Self, EdgarError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(EdgarError::UserAgent("it is empty".into()));
        }
        if s.len() > 200 || s.chars().any(|c| c.is_control()) {
            return Err(EdgarError::UserAgent(
                "it must be one line of at most 200 characters".into(),
            ));
        }
        let has_email = s
            .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | ',' | ';'))
            .any(is_email);
        if !has_email {
            return Err(EdgarError::UserAgent(format!(
                "`{s}` holds no e-mail address"
            )));
        }
        Ok(Self(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserAgent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `local@domain.tld`: enough to tell an address from a name (SEC reads it, not a mailer).
fn is_email(word: &str) -> bool {
    let Some((local, domain)) = word.split_once('@') else {
        return false;
    };
    let Some((host, tld)) = domain.rsplit_once('.') else {
        return false;
    };
    !local.is_empty()
        && !host.is_empty()
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic())
        && !domain.contains('@')
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_need_a_contact_address() {
        assert!(UserAgent::parse("jevons-analytics ops@example.com").is_ok());
        assert!(UserAgent::parse("Jane Doe <jane.doe@uni.example.org>").is_ok());
        for bad in [
            "",
            "   ",
            "jevons/0.1",
            "ops@localhost",
            "@example.com",
            "a@b.c",
            "x\ny@example.com",
        ] {
            let err = UserAgent::parse(bad).unwrap_err().to_string();
            assert!(err.contains("[fundamentals] user_agent"), "{bad}: {err}");
        }
    }
}
