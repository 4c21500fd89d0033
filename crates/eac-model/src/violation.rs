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
    pub fn error(rule: u8, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Violation {
            rule,
            severity: Severity::Error,
            file: None,
            line: None,
            column: None,
            pointer: pointer.into(),
            cds_eac_id: None,
            message: message.into(),
        }
    }

    pub fn warning(rule: u8, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Violation {
            severity: Severity::Warning,
            ..Violation::error(rule, pointer, message)
        }
    }

    pub fn with_eac(mut self, id: Option<&str>) -> Self {
        if self.cds_eac_id.is_none() {
            self.cds_eac_id = id.map(str::to_owned);
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
impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}:")?;
        }
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, "{line}:{column}:")?;
        }
        if self.file.is_some() || self.line.is_some() {
            f.write_str(" ")?;
        }
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{kind} (rule {})", self.rule)?;
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

/// What each rule of digest §d says, for help texts and reports.
pub fn rule_title(rule: u8) -> &'static str {
    match rule {
        1 => "root object with an `eacs` array; `next`/`previous` null or absolute URL",
        2 => "required keys present with their type; null only where allowed",
        3 => "enumerations: beneficiary type, asset location, technology",
        4 => "`general` beneficiary type has an empty `beneficiaries` list",
        5 => "RFC 3339 date-time / full-date syntax",
        6 => "decimals are exact JSON numbers; emission factors numeric",
        7 => "`cds_eac_id` non-empty and unique in the document",
        8 => "`period_start` before `period_end`",
        9 => "`cds_created` not after `cds_modified`",
        10 => "listing order",
        11 => "value `start`/`end` both null or both set",
        12 => "value `start` before `end`",
        13 => "value `retired` not before `issued`",
        14 => "value interval inside the EAC period",
        15 => "value `eac_number`s unique within an EAC",
        16 => "`values` non-empty; `value` not negative; energy unit",
        17 => "`beneficiaries` are unique non-empty strings",
        18 => "`eac_format` declared in server metadata",
        19 => "`eac_data_url` target exists and parses",
        20 => "strict JSON: no duplicate keys, comments, trailing commas",
        21 => "extension fields tolerated; unknown beneficiary types ignored",
        22 => "warnings: empty beneficiaries, asset commissioned after the period",
        _ => "unknown rule",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
