//! Rule violations: what broke, where, and which rule of digest §d says so.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One broken rule, located by JSON pointer (and line/column when the
/// document could not be parsed), with a message in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Violation {
    /// Rule number of digest §d (1–22).
    pub rule: u8,
    pub severity: Severity,
    pub file: Option<String>,
    pub line: Option<u64>,
    pub column: Option<u64>,
    /// JSON pointer into the document (RFC 6901), `""` for the root.
    pub pointer: String,
    pub cds_eac_id: Option<String>,
    pub message: String,
}

impl Violation {
    pub fn error(rule: Rule, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Violation {
            rule: rule.number(),
            severity: Severity::Error,
            file: None,
            line: None,
            column: None,
            pointer: pointer.into(),
            cds_eac_id: None,
            message: message.into(),
        }
    }

    pub fn warning(rule: Rule, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Violation {
            severity: Severity::Warning,
            ..Violation::error(rule, pointer, message)
        }
    }

    /// A stand-in for a failure no rule of digest §d names (rule 0 on the
    /// wire), such as a check that could not run.
    pub fn unruled(message: impl Into<String>) -> Self {
        Violation {
            rule: 0,
            ..Violation::error(Rule::RootShape, "", message)
        }
    }

    /// Names the EAC the finding is about, unless it names one already.
    /// An id longer than the text cap is not copied into the finding (its
    /// own finding says where it is).
    pub fn with_eac(mut self, id: Option<&str>) -> Self {
        if self.cds_eac_id.is_none() {
            self.cds_eac_id = id
                .filter(|id| crate::text::too_long(id).is_none())
                .map(str::to_owned);
        }
        self
    }

    pub fn with_file(mut self, file: &str) -> Self {
        self.file = Some(file.to_owned());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// `file:line:column: error (rule N) at /pointer [EAC id]: message`
impl Violation {
    /// Places this finding where a JSON reader stopped at an error: the
    /// place after the bytes it read (line and column count from 1, as an
    /// editor does, [`crate::place`]), but a place at the start of a line
    /// means it noticed the error at the line break that ends the line
    /// before (`"value": 1.` then a new line), so the place is that line,
    /// at its end (no column). At the start of line 1 (an empty file):
    /// line 1, no column.
    pub fn at_json_place(&mut self, place: crate::place::Place) {
        match (place.line, place.before) {
            (line, 0) if line > 1 => {
                self.line = Some(line - 1);
                self.column = None;
                self.message.push_str(" (at the end of the line)");
            }
            (line, 0) => {
                self.line = Some(line.max(1));
                self.column = None;
            }
            (line, column) => {
                self.line = Some(line);
                self.column = Some(column);
            }
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}:")?;
        }
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "{line}:{column}:")?,
            (Some(line), None) => write!(f, "{line}:")?,
            _ => {}
        }
        if self.file.is_some() || self.line.is_some() {
            f.write_str(" ")?;
        }
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        // Rule 0 stands in for a failure no rule of digest §d names (a
        // consumption file's rules name themselves in the message).
        match self.rule {
            0 => f.write_str(kind)?,
            rule => write!(f, "{kind} (rule {rule})")?,
        }
        if !self.pointer.is_empty() {
            write!(f, " at {}", self.pointer)?;
        }
        if let Some(id) = &self.cds_eac_id {
            write!(f, " [EAC {}]", quote(id))?;
        }
        write!(f, ": {}", self.message)
    }
}

/// How many characters of an input text a message quotes.
pub const QUOTE_CHARS: usize = 60;

/// Input text as a message quotes it: at most [`QUOTE_CHARS`] characters,
/// then how many were left out, so a 50 MB value never fills a report.
pub fn quote(text: &str) -> String {
    cap(text, QUOTE_CHARS)
}

/// The first `max` characters of `text`, then how many were left out.
pub fn cap(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_owned(),
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            format!("{}…({rest} more characters)", &text[..cut])
        }
    }
}

/// Escapes one JSON pointer reference token (RFC 6901 §3).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A rule of digest §d. Code names the rule; its number is what goes on
/// the wire (`Violation::rule`) and into messages ("rule 7").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// 1. Root object with `eacs` array; `next`/`previous` null or absolute URL.
    RootShape,
    /// 2. Each R key present with its type; null only where N.
    RequiredKeys,
    /// 3. Enums: beneficiary type; asset location; technology per (a).
    Enumerations,
    /// 4. `general` ⇒ `beneficiaries` = `[]`.
    GeneralHasNoBeneficiaries,
    /// 5. RFC 3339 datetime/date syntax.
    DateTimeSyntax,
    /// 6. Decimals are exact JSON numbers; emission factors numeric.
    ExactDecimals,
    /// 7. `cds_eac_id` non-empty, unique in the export.
    UniqueEacId,
    /// 8. `period_start` < `period_end`.
    PeriodOrder,
    /// 9. `cds_created` ≤ `cds_modified`; P2 also ≤ `cds_synced`.
    CreatedNotAfterModified,
    /// 10. Listing order per (b).
    ListingOrder,
    /// 11. P1 value: `start`/`end` both null or both set.
    ValueIntervalComplete,
    /// 12. P1 value: `start` < `end`.
    ValueIntervalOrder,
    /// 13. P1 value: `retired` ≥ `issued` if not null.
    RetiredNotBeforeIssued,
    /// 14. P1 value interval inside the EAC period.
    ValueInsidePeriod,
    /// 15. P1: non-null value `eac_number`s unique per EAC.
    UniqueEacNumbers,
    /// 16. P1: `values` non-empty; `value` ≥ 0; energy unit.
    ValueQuantities,
    /// 17. `beneficiaries`, P2 `eac_numbers`: unique non-empty strings.
    UniqueStrings,
    /// 18. P2: `eac_format` declared in `cds_eac_formats`, map key = `id`, version `"v1"`.
    DeclaredFormat,
    /// 19. P2: `eac_data_url` target exists and parses as its format.
    DataUrlTarget,
    /// 20. Strict JSON: no duplicate keys, comments, trailing commas, `...`.
    StrictJson,
    /// 21. Extra fields allowed (name-prefixed, 2026 §11.1); importers ignore unknown fields and beneficiary types.
    Extensions,
    /// 22. Warn only: non-general with empty `beneficiaries`; `asset_commissioned` after period.
    WarnOnly,
}

impl Rule {
    /// Every rule, in digest order.
    pub const ALL: [Rule; 22] = [
        Rule::RootShape,
        Rule::RequiredKeys,
        Rule::Enumerations,
        Rule::GeneralHasNoBeneficiaries,
        Rule::DateTimeSyntax,
        Rule::ExactDecimals,
        Rule::UniqueEacId,
        Rule::PeriodOrder,
        Rule::CreatedNotAfterModified,
        Rule::ListingOrder,
        Rule::ValueIntervalComplete,
        Rule::ValueIntervalOrder,
        Rule::RetiredNotBeforeIssued,
        Rule::ValueInsidePeriod,
        Rule::UniqueEacNumbers,
        Rule::ValueQuantities,
        Rule::UniqueStrings,
        Rule::DeclaredFormat,
        Rule::DataUrlTarget,
        Rule::StrictJson,
        Rule::Extensions,
        Rule::WarnOnly,
    ];

    /// The rule's number in digest §d, as the wire and messages carry it.
    pub const fn number(self) -> u8 {
        match self {
            Rule::RootShape => 1,
            Rule::RequiredKeys => 2,
            Rule::Enumerations => 3,
            Rule::GeneralHasNoBeneficiaries => 4,
            Rule::DateTimeSyntax => 5,
            Rule::ExactDecimals => 6,
            Rule::UniqueEacId => 7,
            Rule::PeriodOrder => 8,
            Rule::CreatedNotAfterModified => 9,
            Rule::ListingOrder => 10,
            Rule::ValueIntervalComplete => 11,
            Rule::ValueIntervalOrder => 12,
            Rule::RetiredNotBeforeIssued => 13,
            Rule::ValueInsidePeriod => 14,
            Rule::UniqueEacNumbers => 15,
            Rule::ValueQuantities => 16,
            Rule::UniqueStrings => 17,
            Rule::DeclaredFormat => 18,
            Rule::DataUrlTarget => 19,
            Rule::StrictJson => 20,
            Rule::Extensions => 21,
            Rule::WarnOnly => 22,
        }
    }

    /// The rule with this number, if digest §d has one.
    pub fn from_number(number: u8) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.number() == number)
    }

    /// What the rule says, for help texts and reports.
    pub const fn title(self) -> &'static str {
        match self {
            Rule::RootShape => {
                "root object with an `eacs` array; `next`/`previous` null or absolute URL"
            }
            Rule::RequiredKeys => "required keys present with their type; null only where allowed",
            Rule::Enumerations => "enumerations: beneficiary type, asset location, technology",
            Rule::GeneralHasNoBeneficiaries => {
                "`general` beneficiary type has an empty `beneficiaries` list"
            }
            Rule::DateTimeSyntax => "RFC 3339 date-time / full-date syntax",
            Rule::ExactDecimals => "decimals are exact JSON numbers; emission factors numeric",
            Rule::UniqueEacId => "`cds_eac_id` non-empty and unique in the document",
            Rule::PeriodOrder => "`period_start` before `period_end`",
            Rule::CreatedNotAfterModified => "`cds_created` not after `cds_modified`",
            Rule::ListingOrder => "listing order",
            Rule::ValueIntervalComplete => "value `start`/`end` both null or both set",
            Rule::ValueIntervalOrder => "value `start` before `end`",
            Rule::RetiredNotBeforeIssued => "value `retired` not before `issued`",
            Rule::ValueInsidePeriod => "value interval inside the EAC period",
            Rule::UniqueEacNumbers => "value `eac_number`s unique within an EAC",
            Rule::ValueQuantities => "`values` non-empty; `value` not negative; energy unit",
            Rule::UniqueStrings => "`beneficiaries` are unique non-empty strings",
            Rule::DeclaredFormat => "`eac_format` declared in server metadata",
            Rule::DataUrlTarget => "`eac_data_url` target exists and parses",
            Rule::StrictJson => "strict JSON: no duplicate keys, comments, trailing commas",
            Rule::Extensions => "extension fields tolerated; unknown beneficiary types ignored",
            Rule::WarnOnly => "warnings: empty beneficiaries, asset commissioned after the period",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule {}", self.number())
    }
}

/// What each rule of digest §d says, for help texts and reports.
pub fn rule_title(rule: u8) -> &'static str {
    Rule::from_number(rule).map_or("unknown rule", Rule::title)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_numbered_in_digest_order() {
        let mut titles = std::collections::HashSet::new();
        for (i, rule) in Rule::ALL.into_iter().enumerate() {
            // Position i in the list is rule i + 1 of digest §d, and back.
            assert_eq!(usize::from(rule.number()), i + 1, "{rule:?}");
            assert_eq!(Rule::from_number(rule.number()), Some(rule));
            assert_eq!(rule_title(rule.number()), rule.title());
            assert!(titles.insert(rule.title()), "{rule:?} repeats a title");
        }
        assert_eq!(Rule::from_number(0), None);
        assert_eq!(Rule::from_number(23), None);
        assert_eq!(rule_title(23), "unknown rule");
        let v = Violation::warning(Rule::WarnOnly, "", "m");
        assert_eq!((v.rule, v.to_string()), (22, "warning (rule 22): m".into()));
        assert_eq!(Violation::unruled("m").rule, 0);
        // No rule is named where none applies (tester's report 35: a
        // consumption file's problems read "error (rule 0)").
        let mut v = Violation::unruled("[value] `x` is not a number").with_file("c.csv");
        (v.line, v.column) = (Some(7), Some(5));
        assert_eq!(
            v.to_string(),
            "c.csv:7:5: error: [value] `x` is not a number"
        );
    }

    /// Every number cases.json names, as a case's `rules` or a finding's
    /// `rule`.
    fn named_rules(value: &serde_json::Value, out: &mut Vec<u64>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("rule", n) => out.push(n.as_u64().unwrap()),
                        ("rules", serde_json::Value::Array(ns)) => {
                            out.extend(ns.iter().map(|n| n.as_u64().unwrap()))
                        }
                        _ => named_rules(v, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| named_rules(v, out)),
            _ => {}
        }
    }

    #[test]
    fn rules_cover_every_rule_the_fixtures_name() {
        let cases: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/fixtures/rules/cases.json")).unwrap();
        let mut numbers = Vec::new();
        named_rules(&cases["cases"], &mut numbers);
        assert!(numbers.len() > 20, "{numbers:?}");
        for number in numbers {
            let named = u8::try_from(number).ok().and_then(Rule::from_number);
            assert!(named.is_some(), "rule {number} of cases.json has no name");
        }
    }

    #[test]
    fn quotes_are_capped() {
        assert_eq!(quote("short"), "short");
        let exact = "é".repeat(QUOTE_CHARS);
        assert_eq!(quote(&exact), exact);
        let long = format!("{}{}", "a".repeat(QUOTE_CHARS), "ü".repeat(1000));
        assert_eq!(
            quote(&long),
            format!("{}…(1000 more characters)", "a".repeat(QUOTE_CHARS))
        );
    }
}
