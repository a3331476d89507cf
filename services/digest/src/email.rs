//! `Email`: an address checked once at the edge (parse, don't validate).

use std::fmt;

/// A syntactically valid address (RFC 5321 rules, as lettre's parser applies them), at most
/// 254 characters, with its domain lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(lettre::Address);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not an email address: {reason}")]
pub struct EmailError {
    pub input: String,
    pub reason: String,
}

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        let fail = |reason: &str| EmailError {
            input: trimmed.chars().take(80).collect(),
            reason: reason.to_string(),
        };
        if trimmed.is_empty() {
            return Err(fail("it is empty"));
        }
        if trimmed.len() > 254 {
            return Err(fail("it is longer than 254 characters"));
        }
        let address: lettre::Address = trimmed
            .parse()
            .map_err(|e: lettre::address::AddressError| fail(&e.to_string()))?;
        if !address.domain().contains('.') && address.domain() != "localhost" {
            return Err(fail("its domain has no dot"));
        }
        let normalised = lettre::Address::new(address.user(), address.domain().to_lowercase())
            .map_err(|e| fail(&e.to_string()))?;
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    pub fn address(&self) -> &lettre::Address {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_addresses_parse_and_domains_are_lowercased() {
        let e = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "Ada.Lovelace@example.com");
        assert!(Email::parse("a+tag@sub.example.org").is_ok());
    }

    #[test]
    fn bad_addresses_are_refused_with_a_reason() {
        for bad in [
            "",
            "plainaddress",
            "@example.com",
            "a@",
            "a b@example.com",
            "a@@example.com",
            "a@example",
            "<script>@x.com",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert!(
                err.to_string().contains("not an email address"),
                "{bad}: {err}"
            );
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }
}
