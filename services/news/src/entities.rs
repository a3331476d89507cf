//! Entity tagging: which tickers, companies and AI models an article mentions, from the
//! database's tickers and model aliases.

use std::collections::BTreeSet;

use crate::relevance::count_words;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntityKind {
    Ticker,
    Company,
    Model,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Ticker => "ticker",
            EntityKind::Company => "company",
            EntityKind::Model => "model",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ticker" => Some(EntityKind::Ticker),
            "company" => Some(EntityKind::Company),
            "model" => Some(EntityKind::Model),
            _ => None,
        }
    }
}

/// One mention: a ticker symbol (`NVDA`), a company name as the tickers table has it
/// (`NVIDIA`), or a model's canonical name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Entity {
    pub kind: EntityKind,
    pub value: String,
}

/// A ticker as the catalogue knows it.
#[derive(Debug, Clone)]
pub struct TickerEntry {
    pub symbol: String,
    pub name: String,
    /// Exchange-traded funds and indices: their symbol is tagged, their long names are not.
    pub is_fund: bool,
}

#[derive(Debug, Clone)]
struct Company {
    symbol: String,
    name: String,
    aliases: Vec<String>,
}

/// What the tagger looks for; built once per fetch run from the database.
#[derive(Debug, Clone, Default)]
pub struct EntityCatalog {
    symbols: Vec<String>,
    companies: Vec<Company>,
    /// (alias lower-cased, canonical model name)
    models: Vec<(String, String)>,
}

/// Names people write for companies whose listed name differs from everyday use.
const EXTRA_ALIASES: &[(&str, &[&str])] = &[
    ("NVDA", &["Nvidia", "NVIDIA"]),
    ("AMD", &["AMD"]),
    ("TSM", &["TSMC", "Taiwan Semiconductor"]),
    ("AVGO", &["Broadcom"]),
    ("INTC", &["Intel"]),
    ("SMCI", &["Supermicro", "Super Micro"]),
    ("MU", &["Micron"]),
    ("ARM", &["Arm Holdings"]),
    ("MRVL", &["Marvell"]),
    ("ASML", &["ASML"]),
    ("GOOGL", &["Google", "Alphabet"]),
    ("MSFT", &["Microsoft"]),
    ("META", &["Meta Platforms"]),
    ("AMZN", &["Amazon"]),
    ("QCOM", &["Qualcomm"]),
    ("AMAT", &["Applied Materials"]),
    ("LRCX", &["Lam Research"]),
    ("TXN", &["Texas Instruments"]),
];

/// Legal-form words dropped to get the name people write ("Micron Technology" → "Micron").
const SUFFIXES: &[&str] = &[
    "Holding",
    "Holdings",
    "Technology",
    "Technologies",
    "Inc",
    "Inc.",
    "Corp",
    "Corp.",
    "Corporation",
    "Ltd",
    "Ltd.",
    "plc",
    "N.V.",
    "NV",
    "Co.",
    "Computer",
];

fn short_name(name: &str) -> String {
    let without_parens = match name.find('(') {
        Some(i) => &name[..i],
        None => name,
    };
    let mut words: Vec<&str> = without_parens.split_whitespace().collect();
    while words.len() > 1 && words.last().is_some_and(|w| SUFFIXES.contains(w)) {
        words.pop();
    }
    words.join(" ")
}

/// Case-sensitive whole-word occurrence, so "Arm" the company is not "arm" the limb; an
/// all-capitals headline spelling counts too.
fn mentions(text: &str, alias: &str) -> bool {
    count_words(text, alias) > 0 || {
        let upper = alias.to_uppercase();
        upper != alias && count_words(text, &upper) > 0
    }
}

impl EntityCatalog {
    /// `models`: (alias, canonical model name) pairs, e.g. ("R1", "DeepSeek-R1").
    pub fn new(tickers: &[TickerEntry], models: &[(String, String)]) -> Self {
        let mut companies = Vec::new();
        let mut symbols = Vec::new();
        for t in tickers {
            symbols.push(t.symbol.clone());
            if t.is_fund {
                continue;
            }
            let mut aliases: BTreeSet<String> = BTreeSet::new();
            aliases.insert(t.name.trim().to_string());
            let short = short_name(&t.name);
            // One short word like "Arm" alone is too common a word to trust.
            if short.chars().count() >= 4 {
                aliases.insert(short);
            }
            if let Some((_, extra)) = EXTRA_ALIASES.iter().find(|(s, _)| *s == t.symbol) {
                aliases.extend(extra.iter().map(|a| a.to_string()));
            }
            aliases.retain(|a| a.chars().count() >= 3);
            companies.push(Company {
                symbol: t.symbol.clone(),
                name: t.name.clone(),
                aliases: aliases.into_iter().collect(),
            });
        }
        let models = models
            .iter()
            .filter(|(alias, _)| alias.trim().chars().count() >= 3)
            .map(|(alias, model)| (alias.trim().to_lowercase(), model.clone()))
            .collect();
        Self {
            symbols,
            companies,
            models,
        }
    }

    /// Every entity mentioned in the title or text, sorted, each once. A symbol counts as
    /// `$NVDA` in any case of length, or bare when it has three or more letters (bare "MU" or
    /// "ON" are ordinary words); a company name tags its ticker as well.
    pub fn tag(&self, title: &str, text: &str) -> Vec<Entity> {
        let all = format!("{title}\n{text}");
        let lower = all.to_lowercase();
        let mut found = BTreeSet::new();
        for symbol in &self.symbols {
            let cashtag = format!("${symbol}");
            let bare = symbol.chars().count() >= 3 && count_words(&all, symbol) > 0;
            if bare || all.contains(&cashtag) {
                found.insert(Entity {
                    kind: EntityKind::Ticker,
                    value: symbol.clone(),
                });
            }
        }
        for c in &self.companies {
            if c.aliases.iter().any(|a| mentions(&all, a)) {
                found.insert(Entity {
                    kind: EntityKind::Company,
                    value: c.name.clone(),
                });
                found.insert(Entity {
                    kind: EntityKind::Ticker,
                    value: c.symbol.clone(),
                });
            }
        }
        for (alias, model) in &self.models {
            if count_words(&lower, alias) > 0 {
                found.insert(Entity {
                    kind: EntityKind::Model,
                    value: model.clone(),
                });
            }
        }
        found.into_iter().collect()
    }
}

/// Names that mean the same thing, for checking a summary against its article: each company
/// as ("NVIDIA (NVDA)", [symbol, listed name, short name, everyday names]), each model as
/// (canonical name, [canonical name, its aliases]). Funds are left out: their long names are
/// not what articles write.
pub fn alias_groups(
    tickers: &[TickerEntry],
    models: &[(String, String)],
) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for t in tickers.iter().filter(|t| !t.is_fund) {
        let mut names: BTreeSet<String> = BTreeSet::new();
        names.insert(t.symbol.clone());
        names.insert(t.name.trim().to_string());
        names.insert(short_name(&t.name));
        if let Some((_, extra)) = EXTRA_ALIASES.iter().find(|(s, _)| *s == t.symbol) {
            names.extend(extra.iter().map(|a| a.to_string()));
        }
        names.retain(|n| !n.is_empty());
        out.push((
            format!("{} ({})", short_name(&t.name), t.symbol),
            names.into_iter().collect(),
        ));
    }
    let mut by_model: std::collections::BTreeMap<&str, BTreeSet<String>> = Default::default();
    for (alias, model) in models {
        let names = by_model.entry(model.as_str()).or_default();
        names.insert(model.clone());
        if !alias.trim().is_empty() {
            names.insert(alias.trim().to_string());
        }
    }
    for (model, names) in by_model {
        out.push((model.to_string(), names.into_iter().collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> EntityCatalog {
        let t = |symbol: &str, name: &str, is_fund| TickerEntry {
            symbol: symbol.into(),
            name: name.into(),
            is_fund,
        };
        EntityCatalog::new(
            &[
                t("NVDA", "NVIDIA", false),
                t("MU", "Micron Technology", false),
                t("ARM", "Arm Holdings", false),
                t("TSM", "Taiwan Semiconductor (ADR)", false),
                t("SPY", "SPDR S&P 500 ETF", true),
            ],
            &[
                ("DeepSeek-R1".into(), "DeepSeek-R1".into()),
                ("R1".into(), "DeepSeek-R1".into()),
                ("Llama 3.1 405B".into(), "Llama 3.1 405B".into()),
            ],
        )
    }

    fn values(entities: &[Entity], kind: EntityKind) -> Vec<&str> {
        entities
            .iter()
            .filter(|e| e.kind == kind)
            .map(|e| e.value.as_str())
            .collect()
    }

    #[test]
    fn tickers_companies_and_models_are_found() {
        let e = catalog().tag(
            "Nvidia falls as DeepSeek-R1 shakes chip stocks",
            "Shares of Micron and TSMC fell; $MU traders sold. Llama 3.1 405B was cheaper. \
             The SPY index dipped. She hurt her arm. Reporters asked about R1.",
        );
        assert_eq!(
            values(&e, EntityKind::Ticker),
            vec!["MU", "NVDA", "SPY", "TSM"]
        );
        assert_eq!(
            values(&e, EntityKind::Company),
            vec!["Micron Technology", "NVIDIA", "Taiwan Semiconductor (ADR)"]
        );
        assert_eq!(
            values(&e, EntityKind::Model),
            vec!["DeepSeek-R1", "Llama 3.1 405B"]
        );
    }

    #[test]
    fn alias_groups_join_symbols_names_and_model_aliases() {
        let groups = alias_groups(
            &[
                TickerEntry {
                    symbol: "NVDA".into(),
                    name: "NVIDIA Corporation".into(),
                    is_fund: false,
                },
                TickerEntry {
                    symbol: "SPY".into(),
                    name: "SPDR S&P 500 ETF".into(),
                    is_fund: true,
                },
            ],
            &[
                ("R1".into(), "DeepSeek-R1".into()),
                ("deepseek-reasoner".into(), "DeepSeek-R1".into()),
            ],
        );
        assert_eq!(
            groups,
            vec![
                (
                    "NVIDIA (NVDA)".to_string(),
                    vec![
                        "NVDA".to_string(),
                        "NVIDIA".into(),
                        "NVIDIA Corporation".into(),
                        "Nvidia".into()
                    ]
                ),
                (
                    "DeepSeek-R1".to_string(),
                    vec![
                        "DeepSeek-R1".to_string(),
                        "R1".into(),
                        "deepseek-reasoner".into()
                    ]
                ),
            ]
        );
    }

    #[test]
    fn common_words_are_not_tickers() {
        let e = catalog().tag("Mu and arm", "we must move on; the arm of the law");
        assert!(e.is_empty(), "{e:?}");
        let e = catalog().tag("NVIDIA", "");
        assert_eq!(values(&e, EntityKind::Ticker), vec!["NVDA"]);
    }
}
