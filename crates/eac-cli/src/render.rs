//! Text output: aligned tables and the small formats used in them.

use eac_app::{BeneficiaryAssignment, Violation};
use eac_model::BeneficiaryType;
use eac_store::QuantityTotal;

/// Columns separated by two spaces, padded to the widest cell.
pub struct Table {
    headers: Vec<&'static str>,
    right: Vec<bool>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: &[&'static str]) -> Self {
        Table {
            headers: headers.to_vec(),
            right: vec![false; headers.len()],
            rows: Vec::new(),
        }
    }

    /// Numbers line up on the right.
    pub fn right_align(mut self, column: usize) -> Self {
        self.right[column] = true;
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        debug_assert_eq!(cells.len(), self.headers.len());
        self.rows.push(cells);
    }

    pub fn render(&self) -> String {
        let width = |s: &str| s.chars().count();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| width(h)).collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(width(cell));
            }
        }
        let mut out = String::new();
        let header: Vec<String> = self.headers.iter().map(|h| h.to_string()).collect();
        for row in std::iter::once(&header).chain(&self.rows) {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let pad = " ".repeat(widths[i] - width(cell));
                if self.right[i] {
                    line.push_str(&pad);
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.push_str(&pad);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// `30 MWh + 1000.0 kWh`; exact text as the store summed it.
pub fn quantities(totals: &[QuantityTotal]) -> String {
    if totals.is_empty() {
        return "–".to_owned();
    }
    totals
        .iter()
        .map(|q| format!("{} {}", q.total, q.unit))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// A timestamp, shortened to its date when it is midnight UTC.
pub fn time(text: &str) -> String {
    text.strip_suffix("T00:00:00Z").unwrap_or(text).to_owned()
}

/// A timestamp without fractional seconds, for tables.
pub fn whole_seconds(text: &str) -> String {
    match (text.find('.'), text.ends_with('Z')) {
        (Some(dot), true) => format!("{}Z", &text[..dot]),
        _ => text.to_owned(),
    }
}

pub fn period(start: &str, end: &str) -> String {
    format!("{} → {}", time(start), time(end))
}

pub fn or_dash(text: Option<&str>) -> String {
    text.unwrap_or("–").to_owned()
}

/// `account: ACC-1, ACC-2`; `general`.
pub fn assignment(kind: BeneficiaryType, ids: &[String]) -> String {
    if ids.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {}", ids.join(", "))
    }
}

/// Like [`assignment`] but at most two ids, for table cells.
pub fn assignment_short(kind: BeneficiaryType, ids: &[String]) -> String {
    match ids.len() {
        0..=2 => assignment(kind, ids),
        n => format!("{kind}: {}, {} +{} more", ids[0], ids[1], n - 2),
    }
}

pub fn change(before: &BeneficiaryAssignment, after: &BeneficiaryAssignment) -> String {
    format!(
        "{} → {}",
        assignment(before.beneficiary_type, &before.beneficiaries),
        assignment(after.beneficiary_type, &after.beneficiaries)
    )
}

/// `1 EAC`, `3 EACs`.
pub fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// One violation per line, `file:line:col: error (rule N) at /pointer [EAC id]: message`.
pub fn violations(list: &[Violation]) -> String {
    list.iter().map(|v| format!("{v}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_columns() {
        let mut t = Table::new(&["ID", "QTY", "NOTE"]).right_align(1);
        t.row(vec!["a".into(), "1".into(), "".into()]);
        t.row(vec!["long-id".into(), "100.5".into(), "x".into()]);
        assert_eq!(
            t.render(),
            "ID         QTY  NOTE\na            1\nlong-id  100.5  x\n"
        );
    }

    #[test]
    fn small_formats() {
        let q = |unit: &str, total: &str| QuantityTotal {
            unit: unit.into(),
            total: total.into(),
        };
        assert_eq!(
            quantities(&[q("kWh", "1000.0"), q("MWh", "30")]),
            "1000.0 kWh + 30 MWh"
        );
        assert_eq!(
            period("2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z"),
            "2024-01-01 → 2024-01-01T01:00:00Z"
        );
        let ids: Vec<String> = ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            assignment_short(BeneficiaryType::Account, &ids),
            "account: A, B +2 more"
        );
        assert_eq!(assignment(BeneficiaryType::General, &[]), "general");
        assert_eq!(count(1, "EAC"), "1 EAC");
        assert_eq!(
            whole_seconds("2026-11-28T02:14:16.752475021Z"),
            "2026-11-28T02:14:16Z"
        );
        assert_eq!(
            whole_seconds("2026-11-28T02:14:16Z"),
            "2026-11-28T02:14:16Z"
        );
    }
}
