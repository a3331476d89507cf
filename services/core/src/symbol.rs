use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A ticker symbol as the exchanges spell it: `NVDA`, `BRK.B`, `^GSPC`. Stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Symbol(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SymbolError {
    #[error("a symbol cannot be empty")]
    Empty,
    #[error("symbol `{0}` is longer than 12 characters")]
    TooLong(String),
    #[error("symbol `{0}` may only contain letters, digits, `.`, `-` and `^`")]
    BadCharacter(String),
}

impl Symbol {
    pub fn parse(raw: &str) -> Result<Self, SymbolError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(SymbolError::Empty);
        }
        if s.len() > 12 {
            return Err(SymbolError::TooLong(s.to_string()));
        }
        if !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '^'))
        {
            return Err(SymbolError::BadCharacter(s.to_string()));
        }
        Ok(Self(s.to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses a comma-separated list such as `NVDA,amd, TSM`.
    pub fn parse_list(raw: &str) -> Result<Vec<Self>, SymbolError> {
        raw.split(',')
            .filter(|s| !s.trim().is_empty())
            .map(Self::parse)
            .collect()
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Symbol {
    type Err = SymbolError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Symbol {
    type Error = SymbolError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Symbol> for String {
    fn from(s: Symbol) -> Self {
        s.0
    }
}

/// Why a symbol is on the watchlist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A GPU or AI-hardware vendor whose price the service explains.
    Vendor,
    /// A market index fund that abnormal returns are measured against.
    Benchmark,
    /// Anything else someone chose to watch.
    Other,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Vendor => "vendor",
            Role::Benchmark => "benchmark",
            Role::Other => "other",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "vendor" => Ok(Role::Vendor),
            "benchmark" => Ok(Role::Benchmark),
            "other" => Ok(Role::Other),
            other => Err(format!("unknown role `{other}` (vendor, benchmark, other)")),
        }
    }
}

/// A watchlist entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticker {
    pub symbol: Symbol,
    pub name: String,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_normalised_and_checked() {
        assert_eq!(Symbol::parse(" nvda ").unwrap().as_str(), "NVDA");
        assert_eq!(Symbol::parse("brk.b").unwrap().as_str(), "BRK.B");
        assert_eq!(Symbol::parse(""), Err(SymbolError::Empty));
        assert!(matches!(
            Symbol::parse("NV DA"),
            Err(SymbolError::BadCharacter(_))
        ));
        assert!(matches!(
            Symbol::parse("../etc"),
            Err(SymbolError::BadCharacter(_))
        ));
        assert!(matches!(
            Symbol::parse("ABCDEFGHIJKLM"),
            Err(SymbolError::TooLong(_))
        ));
        let list = Symbol::parse_list("NVDA, amd,,TSM").unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[1].as_str(), "AMD");
    }
}
