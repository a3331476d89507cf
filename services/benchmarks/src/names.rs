//! Name matching: normalisation rules for model and benchmark names, and the explicit alias
//! table kept in the repository (`data/models/aliases.csv`).

use std::collections::HashMap;

use jevons_core::ai::ScoreScale;

/// The matching key of a model name: lower case, the provider path (`openrouter/deepseek/`)
/// dropped, and spaces, dots, underscores, colons and brackets turned into single dashes. So
/// `DeepSeek R1`, `deepseek-r1` and `deepseek-ai/DeepSeek-R1` share `deepseek-r1`, and
/// `Claude 3.5 Sonnet` and `claude-3-5-sonnet` share `claude-3-5-sonnet`. Dated variants
/// (`o1-2024-12-17`) are *not* folded: they go through the alias table, so that a price of one
/// snapshot is never silently given to another.
pub fn model_key(name: &str) -> String {
    let name = name.trim();
    let last = name.rsplit('/').next().unwrap_or(name);
    dashed(last)
}

/// Lower case with every run of non-alphanumeric characters (other than `+`) as one dash.
fn dashed(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '+' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

/// A benchmark jevons knows under one key, whatever a source calls it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BenchmarkDef {
    pub key: &'static str,
    pub name: &'static str,
    pub scale: ScoreScale,
    /// Normalised spellings used by the sources.
    pub spellings: &'static [&'static str],
}

/// The benchmarks the sources share. Anything else keeps its own normalised name as key.
pub const BENCHMARKS: &[BenchmarkDef] = &[
    BenchmarkDef {
        key: "gpqa-diamond",
        name: "GPQA Diamond",
        scale: ScoreScale::Fraction,
        spellings: &["gpqa-diamond", "gpqa-diamond-pass-1"],
    },
    BenchmarkDef {
        key: "gpqa",
        name: "GPQA (Open LLM Leaderboard)",
        scale: ScoreScale::Fraction,
        spellings: &["gpqa"],
    },
    BenchmarkDef {
        key: "math-level-5",
        name: "MATH Level 5",
        scale: ScoreScale::Fraction,
        spellings: &["math-level-5", "math-lvl-5"],
    },
    BenchmarkDef {
        key: "math-500",
        name: "MATH-500",
        scale: ScoreScale::Fraction,
        spellings: &["math-500"],
    },
    BenchmarkDef {
        key: "aime-2024",
        name: "AIME 2024",
        scale: ScoreScale::Fraction,
        spellings: &["aime-2024"],
    },
    BenchmarkDef {
        key: "mmlu",
        name: "MMLU",
        scale: ScoreScale::Fraction,
        spellings: &["mmlu"],
    },
    BenchmarkDef {
        key: "mmlu-pro",
        name: "MMLU-Pro",
        scale: ScoreScale::Fraction,
        spellings: &["mmlu-pro"],
    },
    BenchmarkDef {
        key: "swe-bench-verified",
        name: "SWE-bench Verified",
        scale: ScoreScale::Fraction,
        spellings: &["swe-bench-verified", "swe-verified"],
    },
    BenchmarkDef {
        key: "ifeval",
        name: "IFEval",
        scale: ScoreScale::Fraction,
        spellings: &["ifeval", "if-eval"],
    },
    BenchmarkDef {
        key: "bbh",
        name: "BBH",
        scale: ScoreScale::Fraction,
        spellings: &["bbh"],
    },
    BenchmarkDef {
        key: "musr",
        name: "MuSR",
        scale: ScoreScale::Fraction,
        spellings: &["musr"],
    },
    BenchmarkDef {
        key: "otis-mock-aime-2024-2025",
        name: "OTIS Mock AIME 2024-2025",
        scale: ScoreScale::Fraction,
        spellings: &["otis-mock-aime-2024-2025"],
    },
    BenchmarkDef {
        key: "frontiermath",
        name: "FrontierMath (tiers 1-3)",
        scale: ScoreScale::Fraction,
        spellings: &["frontiermath"],
    },
    BenchmarkDef {
        key: "eci",
        name: "Epoch Capabilities Index",
        scale: ScoreScale::Points,
        spellings: &["eci", "epoch-capabilities-index"],
    },
    BenchmarkDef {
        key: "lmarena-text",
        name: "LMArena text (Elo)",
        scale: ScoreScale::Elo,
        spellings: &["lmarena-text", "arena-elo", "arena-score"],
    },
];

/// The canonical benchmark for a source's spelling, if jevons knows it.
pub fn benchmark(name: &str) -> Option<&'static BenchmarkDef> {
    let k = dashed(name);
    BENCHMARKS
        .iter()
        .find(|b| b.spellings.contains(&k.as_str()))
}

/// Canonical key and display name for any spelling: known benchmarks get theirs, others keep
/// the source's name with a normalised key.
pub fn benchmark_key(name: &str) -> (String, String) {
    match benchmark(name) {
        Some(b) => (b.key.to_string(), b.name.to_string()),
        None => (dashed(name), name.trim().to_string()),
    }
}

/// Brings a value to the benchmark's scale: accuracies given as percentages (above 1) become
/// fractions. `percent` forces the division when the source is known to print percentages.
pub fn to_scale(scale: ScoreScale, raw: f64, percent: bool) -> f64 {
    match scale {
        ScoreScale::Fraction if percent || raw > 1.0 => raw / 100.0,
        _ => raw,
    }
}

/// Explicit aliases: a name some source uses → the canonical model's name (Epoch AI's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AliasTable {
    /// alias key → canonical key
    pub map: HashMap<String, String>,
    /// The entries as written, in file order.
    pub entries: Vec<AliasEntry>,
}

/// One line of the alias table. `until`: the last day the name meant this model (vendors move
/// API names such as `deepseek-reasoner` to newer models); prices after it do not match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasEntry {
    pub alias: String,
    pub canonical: String,
    pub until: Option<chrono::NaiveDate>,
}

impl AliasTable {
    /// Reads `alias,canonical[,until]` CSV (header required; `#` lines are comments).
    pub fn from_csv(text: &str) -> Result<Self, crate::ParseError> {
        let mut table = AliasTable::default();
        let mut errors = Vec::new();
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let headers = reader.headers().map_err(crate::ParseError::csv)?.clone();
        let col = |name: &str| headers.iter().position(|h| h == name);
        let until_col = col("until");
        let (Some(a), Some(c)) = (col("alias"), col("canonical")) else {
            return Err(crate::ParseError::Format(
                "alias table needs the columns alias,canonical".into(),
            ));
        };
        for (i, row) in reader.records().enumerate() {
            let line = i + 2;
            match row {
                Ok(r) => {
                    let alias = r.get(a).unwrap_or("").to_string();
                    let canonical = r.get(c).unwrap_or("").to_string();
                    if alias.is_empty() || canonical.is_empty() {
                        errors.push(crate::RowError::new(line, "empty alias or canonical name"));
                        continue;
                    }
                    let until = match r
                        .get(until_col.unwrap_or(usize::MAX))
                        .map(str::trim)
                        .filter(|u| !u.is_empty())
                    {
                        None => None,
                        Some(u) => match chrono::NaiveDate::parse_from_str(u, "%Y-%m-%d") {
                            Ok(d) => Some(d),
                            Err(_) => {
                                errors.push(crate::RowError::new(
                                    line,
                                    format!("until `{u}` is not YYYY-MM-DD"),
                                ));
                                continue;
                            }
                        },
                    };
                    if table.entries.iter().any(|e| e.alias == alias) {
                        errors.push(crate::RowError::new(
                            line,
                            format!("alias `{alias}` is listed twice"),
                        ));
                        continue;
                    }
                    table.map.insert(model_key(&alias), model_key(&canonical));
                    table.entries.push(AliasEntry {
                        alias,
                        canonical,
                        until,
                    });
                }
                Err(e) => errors.push(crate::RowError::new(line, e.to_string())),
            }
        }
        if errors.is_empty() {
            Ok(table)
        } else {
            Err(crate::ParseError::Rows(errors))
        }
    }

    /// The canonical key for a model key (itself when no alias applies).
    pub fn resolve<'a>(&'a self, key: &'a str) -> &'a str {
        self.map.get(key).map_or(key, String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_normalise_to_one_key() {
        for n in [
            "DeepSeek-R1",
            "deepseek-r1",
            "DeepSeek R1",
            "deepseek-ai/DeepSeek-R1",
            "openrouter/deepseek/deepseek-r1",
        ] {
            assert_eq!(model_key(n), "deepseek-r1", "{n}");
        }
        assert_eq!(
            model_key("Claude 3.5 Sonnet (20241022)"),
            "claude-3-5-sonnet-20241022"
        );
        assert_eq!(
            model_key("claude-3-5-sonnet-20241022"),
            "claude-3-5-sonnet-20241022"
        );
        assert_eq!(model_key("o1-2024-12-17_high"), "o1-2024-12-17-high");
        assert_eq!(model_key("ALLaM\u{a0}adapted 70B "), "allam-adapted-70b");
        assert_ne!(model_key("o1"), model_key("o1-mini"));
    }

    #[test]
    fn benchmark_spellings_meet() {
        assert_eq!(benchmark_key("GPQA diamond").0, "gpqa-diamond");
        assert_eq!(benchmark_key("GPQA-Diamond").0, "gpqa-diamond");
        assert_eq!(benchmark_key("MATH Lvl 5").0, "math-level-5");
        assert_eq!(benchmark_key("SWE Verified").0, "swe-bench-verified");
        assert_eq!(benchmark_key("SWE-Bench verified").0, "swe-bench-verified");
        assert_eq!(
            benchmark_key("Some New Eval"),
            ("some-new-eval".into(), "Some New Eval".into())
        );
        assert!((to_scale(ScoreScale::Fraction, 71.5, false) - 0.715).abs() < 1e-12);
        assert!((to_scale(ScoreScale::Fraction, 0.7172, false) - 0.7172).abs() < 1e-12);
        assert!((to_scale(ScoreScale::Elo, 1361.0, false) - 1361.0).abs() < 1e-12);
    }

    #[test]
    fn alias_table_reads_and_rejects() {
        let t = AliasTable::from_csv(
            "alias,canonical\n# comment\ndeepseek/deepseek-reasoner,DeepSeek-R1\n",
        )
        .unwrap();
        assert_eq!(t.resolve("deepseek-reasoner"), "deepseek-r1");
        assert_eq!(t.resolve("gpt-4o"), "gpt-4o");
        assert!(
            matches!(AliasTable::from_csv("alias,canonical\n,x\n"), Err(crate::ParseError::Rows(r)) if r[0].line == 2)
        );
        assert!(AliasTable::from_csv("a,b\n").is_err());
        let dated = AliasTable::from_csv(
            "alias,canonical,until\ndeepseek-reasoner,DeepSeek-R1,2025-08-20\no1-2024-12-17,o1,\n",
        )
        .unwrap();
        assert_eq!(
            dated.entries[0].until,
            chrono::NaiveDate::from_ymd_opt(2025, 8, 20)
        );
        assert_eq!(dated.entries[1].until, None);
        assert!(AliasTable::from_csv("alias,canonical,until\na,b,soon\n").is_err());
        assert!(
            matches!(AliasTable::from_csv("alias,canonical\na,b\na,c\n"), Err(crate::ParseError::Rows(r)) if r[0].line == 3)
        );
        // The repository's table itself.
        let path = format!(
            "{}/../../data/models/aliases.csv",
            env!("CARGO_MANIFEST_DIR")
        );
        AliasTable::from_csv(&std::fs::read_to_string(path).unwrap()).unwrap();
    }
}
