//! CSV for people who open it in a spreadsheet. Model names, titles and other text come from
//! third parties; a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run
//! as a formula by Excel and LibreOffice (CSV injection), so such text cells get a leading `'`.
//! Numbers (`-0.13`, `+1e-3`) are left as they are. Quoting is the `csv` crate's.

use std::borrow::Cow;
use std::io::Write;

/// `field` as a spreadsheet will show it, never as a formula.
pub fn spreadsheet_safe(field: &str) -> Cow<'_, str> {
    let starts_formula = field
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if starts_formula && field.trim().parse::<f64>().is_err() {
        Cow::Owned(format!("'{field}"))
    } else {
        Cow::Borrowed(field)
    }
}

/// Writes a header and rows as CSV, every field made spreadsheet-safe.
pub fn write_csv<W, R, F>(out: W, header: &[&str], rows: R) -> Result<(), csv::Error>
where
    W: Write,
    R: IntoIterator,
    R::Item: IntoIterator<Item = F>,
    F: AsRef<str>,
{
    let mut w = csv::WriterBuilder::new().flexible(false).from_writer(out);
    w.write_record(header.iter().map(|h| spreadsheet_safe(h).into_owned()))?;
    for row in rows {
        w.write_record(
            row.into_iter()
                .map(|f| spreadsheet_safe(f.as_ref()).into_owned()),
        )?;
    }
    w.flush()?;
    Ok(())
}

/// [`write_csv`] into a byte vector.
pub fn csv_bytes<R, F>(header: &[&str], rows: R) -> Result<Vec<u8>, csv::Error>
where
    R: IntoIterator,
    R::Item: IntoIterator<Item = F>,
    F: AsRef<str>,
{
    let mut out = Vec::new();
    write_csv(&mut out, header, rows)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused_and_numbers_kept() {
        for bad in [
            "=HYPERLINK(\"http://x\")",
            "+cmd",
            "-2+3 model",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(spreadsheet_safe(bad), format!("'{bad}"), "{bad:?}");
        }
        for ok in [
            "-0.1302",
            "+1.5",
            "-1e-3",
            "DeepSeek-R1",
            "o1",
            "",
            "GPT-4o (2024-05)",
        ] {
            assert_eq!(spreadsheet_safe(ok), ok);
        }
    }

    #[test]
    fn quoting_is_done_by_the_csv_writer() {
        let body = csv_bytes(
            &["model", "score"],
            [vec!["=1+1,\"x\"", "0.5"], vec!["plain", "-0.25"]],
        )
        .unwrap();
        let text = String::from_utf8(body).unwrap();
        assert_eq!(text, "model,score\n\"'=1+1,\"\"x\"\"\",0.5\nplain,-0.25\n");
        // Read back, every field is what was written (with the guard).
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        assert_eq!(&rows[0][0], "'=1+1,\"x\"");
    }
}
