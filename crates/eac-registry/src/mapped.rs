//! Any registry's CSV export (WREGIS, PJM-GATS, NAR, national GO
//! registries, …) read through a column [`Mapping`] the user writes once
//! and saves by name: which column holds each fact, how the file writes
//! numbers and dates, and the time zone of its production dates.
//!
//! The mapping says everything a registry-specific reader knows by heart;
//! nothing is guessed past it (docs/decisions.md, "Mapped CSV"): a technology not in the
//! mapping's own table stays empty, a status is kept as printed (one no
//! reader knows is no claim, with a warning on its line: decision 75), and
//! a count given both by a column and by the range must agree (a range
//! whose numbers cannot be counted is refused, count column or not).

use std::collections::BTreeMap;
use std::fmt;

use eac_model::{Date, Decimal, EnergyUnit, TechnologyType};
use serde::{Deserialize, Serialize};

use crate::csv_rows::{self, Row};
use crate::record::{Claim, Device, Locator, RangeRecord, ReadError, Statement, Status, Warning};
use crate::text::{self, DateOrder, NumberStyle};

/// Where a field's text comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The column with this header (trimmed, case-insensitive).
    Column(String),
    /// The column at this 1-based position (files without a header).
    ColumnNumber(u32),
    /// The same text for every row (e.g. the unit `MWh`, status `retired`).
    Value(String),
}

/// A column holding a whole range, `first<separator>last`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeColumn {
    pub field: Field,
    /// Between the first and last numbers, e.g. ` - ` or ` to ` (trimmed
    /// around the numbers). Found more than once in a cell, it splits the
    /// cell where the halves make a countable range, if exactly one place
    /// does.
    pub separator: String,
}

/// A further column kept as the fact `eacdesk_<name>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// Lowercase letters, digits and `_`.
    pub name: String,
    pub field: Field,
}

/// How to read one registry's CSV export (saved as JSON by name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mapping {
    /// The name the mapping is saved and chosen by (`--mapping NAME`).
    pub name: String,
    /// The key of the registry whose certificate numbers the file lists
    /// (`wregis`, `pjm-gats`, …): overlap checks compare ranges of one
    /// registry key.
    pub registry: String,
    /// The issuing body (CDS `source_id` / `source_name`).
    pub source_id: String,
    pub source_name: String,
    /// Field separator: `,`, `;`, tab, `|`.
    pub delimiter: char,
    /// Lines before the header (report titles, run dates).
    pub skip_lines: u32,
    /// Whether the first line after the skipped ones names the columns.
    pub has_header: bool,
    pub number_style: NumberStyle,
    pub date_order: DateOrder,
    /// IANA zone of the production dates (`America/Los_Angeles`).
    pub time_zone: String,

    /// First and last certificate numbers (inclusive)…
    pub first: Option<Field>,
    pub last: Option<Field>,
    /// …or one column holding both.
    pub range: Option<RangeColumn>,
    /// Number of certificates: derived from the range when absent, checked
    /// against it when given (a range that cannot be counted is refused
    /// either way).
    pub count: Option<Field>,
    /// Energy per certificate, or the row's total energy (then the EAC's
    /// value as written, and divided by the count for the energy per
    /// certificate, which must come out exact).
    pub per_certificate: Option<Field>,
    pub total_energy: Option<Field>,
    /// `MWh`, `kWh` or `Wh` (usually a fixed value).
    pub unit: Option<Field>,
    /// Registry status, kept as printed (usually a column, or a fixed
    /// value such as `retired` for a retirement report).
    pub status: Option<Field>,
    /// Date of the claim (retirement, redemption, cancellation).
    pub claim_date: Option<Field>,
    pub issue_date: Option<Field>,
    /// Production period, whole local days inclusive…
    pub period_start: Option<Field>,
    pub period_end: Option<Field>,
    /// …or a month column (`Mar-2023`, `03/2023`, `2023-03`).
    pub month: Option<Field>,
    pub device_id: Option<Field>,
    pub device_name: Option<Field>,
    pub technology: Option<Field>,
    /// Registry technology wording → CDS technology type. Wording not
    /// listed leaves the EAC's technology empty (incomplete).
    pub technology_table: BTreeMap<String, TechnologyType>,
    pub beneficiary_name: Option<Field>,
    pub holder: Option<Field>,
    pub facts: Vec<Fact>,
}

impl Default for Mapping {
    fn default() -> Self {
        Mapping {
            name: String::new(),
            registry: String::new(),
            source_id: String::new(),
            source_name: String::new(),
            delimiter: ',',
            skip_lines: 0,
            has_header: true,
            number_style: NumberStyle::DecimalPoint,
            date_order: DateOrder::Iso,
            time_zone: String::new(),
            first: None,
            last: None,
            range: None,
            count: None,
            per_certificate: None,
            total_energy: None,
            unit: None,
            status: None,
            claim_date: None,
            issue_date: None,
            period_start: None,
            period_end: None,
            month: None,
            device_id: None,
            device_name: None,
            technology: None,
            technology_table: BTreeMap::new(),
            beneficiary_name: None,
            holder: None,
            facts: Vec::new(),
        }
    }
}

/// What a mapping lacks or gets wrong, one plain sentence each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingProblems(pub Vec<String>);

impl fmt::Display for MappingProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("; "))
    }
}

impl std::error::Error for MappingProblems {}

/// Why the JSON text of a mapping was not read as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingJsonError {
    /// Not JSON, a key given twice, or a value of the wrong kind (serde's
    /// words, with the line and column).
    Unreadable(String),
    /// Keys no mapping has, one sentence each naming the nearest known key:
    /// such a key would be ignored, and the column it names not imported.
    UnknownKeys(Vec<String>),
}

impl fmt::Display for MappingJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MappingJsonError::Unreadable(e) => {
                write!(f, "the mapping is not readable JSON of a mapping: {e}")
            }
            MappingJsonError::UnknownKeys(keys) => write!(
                f,
                "{} (a key EAC Desk does not read would be ignored, and the column it names not \
                 imported: correct {})",
                keys.join("; "),
                if keys.len() == 1 { "it" } else { "them" }
            ),
        }
    }
}

impl std::error::Error for MappingJsonError {}

impl Mapping {
    /// Reads a mapping from its JSON text (a UTF-8 byte order mark already
    /// dropped), refusing what would otherwise be dropped without a word: a
    /// key given twice, and a key no mapping has (`claim_dte` for
    /// `claim_date`), at the top or inside a field, the range or a fact.
    pub fn from_json(text: &str) -> Result<Mapping, MappingJsonError> {
        let unreadable = |e: serde_json::Error| MappingJsonError::Unreadable(e.to_string());
        let raw: Box<serde_json::value::RawValue> =
            serde_json::from_str(text).map_err(unreadable)?;
        eac_model::strict::check_no_duplicate_keys(&raw).map_err(unreadable)?;
        let value: serde_json::Value = serde_json::from_str(text).map_err(unreadable)?;
        let unknown = unknown_keys(&value);
        if !unknown.is_empty() {
            return Err(MappingJsonError::UnknownKeys(unknown));
        }
        if let Some(e) = text_for_a_field(&value) {
            return Err(MappingJsonError::Unreadable(e));
        }
        serde_json::from_str(text).map_err(unreadable)
    }
}

/// A field written as bare text (`"claim_date": "Cancellation date"`),
/// which serde refuses as an "unknown variant": said with how to write
/// it.
fn text_for_a_field(value: &serde_json::Value) -> Option<String> {
    let serde_json::Value::Object(top) = value else {
        return None;
    };
    let serde_json::Value::Object(defaults) = serde_json::to_value(Mapping::default()).ok()? else {
        return None;
    };
    // The fields: the members a mapping leaves out by default (null),
    // but the range (a field and a separator).
    top.iter().find_map(|(key, v)| {
        let text = match v {
            serde_json::Value::String(t) => t.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => return None,
        };
        (key != "range" && defaults.get(key) == Some(&serde_json::Value::Null)).then(|| {
            format!(
                "`{key}` is the text `{text}`, not a field: write {{\"column\": \"{text}\"}} for \
                 the column with that header, {{\"column_number\": 3}} for a column by its \
                 position, or {{\"value\": \"{text}\"}} for the same text on every row"
            )
        })
    })
}

/// The keys of an object as serde writes `example` (every key: no field
/// is skipped when empty).
fn keys_of<T: Serialize>(example: &T) -> Vec<String> {
    match serde_json::to_value(example) {
        Ok(serde_json::Value::Object(m)) => m.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// The keys each part of a mapping has, and the sentences of the keys
/// found that no part has.
struct KeyCheck {
    field_keys: Vec<String>,
    out: Vec<String>,
}

type Object = serde_json::Map<String, serde_json::Value>;

impl KeyCheck {
    /// A sentence for each key of `object` not in `known`; `what`: the
    /// part (`a mapping`), `place`: where it is (` in `device_id``).
    fn keys(&mut self, object: &Object, known: &[String], what: &str, place: &str) {
        for key in object.keys().filter(|k| !known.contains(k)) {
            let near = match nearest(key, known) {
                Some(k) => format!("did you mean `{k}`?"),
                None => format!(
                    "{what} has {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            self.out
                .push(format!("`{key}`{place} is not a key of {what}; {near}"));
        }
    }

    /// [`KeyCheck::keys`] of a field (`{"column": …}`), when `v` is an object.
    fn field(&mut self, v: &serde_json::Value, place: &str) {
        if let serde_json::Value::Object(o) = v {
            let known = std::mem::take(&mut self.field_keys);
            self.keys(o, &known, "a field", place);
            self.field_keys = known;
        }
    }
}

/// One sentence per key of `value` that no mapping has, with the
/// nearest known key (or the known keys when none is near).
fn unknown_keys(value: &serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let Value::Object(top) = value else {
        // Not an object: serde says so.
        return Vec::new();
    };
    let mapping_keys = keys_of(&Mapping::default());
    let range_keys = keys_of(&RangeColumn {
        field: Field::Value(String::new()),
        separator: String::new(),
    });
    let fact_keys = keys_of(&Fact {
        name: String::new(),
        field: Field::Value(String::new()),
    });
    let mut c = KeyCheck {
        field_keys: [
            Field::Column(String::new()),
            Field::ColumnNumber(1),
            Field::Value(String::new()),
        ]
        .iter()
        .flat_map(keys_of)
        .collect(),
        out: Vec::new(),
    };
    c.keys(top, &mapping_keys, "a mapping", "");
    for (key, v) in top {
        match (key.as_str(), v) {
            ("range", Value::Object(r)) => {
                c.keys(r, &range_keys, "the range", " in `range`");
                if let Some(f) = r.get("field") {
                    c.field(f, " in `range.field`");
                }
            }
            ("facts", Value::Array(facts)) => {
                for (i, fact) in facts.iter().enumerate() {
                    if let Value::Object(o) = fact {
                        c.keys(o, &fact_keys, "a fact", &format!(" in `facts[{i}]`"));
                        if let Some(f) = o.get("field") {
                            c.field(f, &format!(" in `facts[{i}].field`"));
                        }
                    }
                }
            }
            ("technology_table", _) => {}
            (k, v) if mapping_keys.iter().any(|m| m == k) => c.field(v, &format!(" in `{k}`")),
            _ => {}
        }
    }
    c.out
}

/// The known key nearest to `key` (case, `-` and spaces aside), when it is
/// near enough to be a slip: at most a third of its letters differ (at
/// least one, at most three).
fn nearest<'k>(key: &str, known: &'k [String]) -> Option<&'k str> {
    let norm = |s: &str| -> Vec<char> {
        s.trim()
            .chars()
            .map(|c| match c {
                '-' | ' ' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect()
    };
    let key = norm(key);
    let limit = (key.len() / 3).clamp(1, 3);
    known
        .iter()
        .map(|k| (edit_distance(&key, &norm(k)), k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
}

/// Edit distance: insertions, deletions, substitutions and swaps of two
/// neighbouring letters (`feild`), one step each (optimal string
/// alignment).
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// The registry keys of EAC Desk's own readers a mapping's key may be
/// meant as (decision 80): the key, the reader in words, and what else
/// people call the registry.
const BUILT_IN_KEYS: [(&str, &str, &[&str]); 4] = [
    (
        "eecs",
        "the Guarantee of Origin cancellation statement reader (NECS, Danish)",
        &["go", "gos", "necs", "aib", "energinet", "statnett"],
    ),
    (
        "ofgem",
        "the Ofgem certificates report reader",
        &["rego", "regos"],
    ),
    ("irec", "the I-REC redemption statement reader", &["irecs"]),
    (
        "mrets",
        "the M-RETS certificates CSV and retirement confirmation readers",
        &["mret"],
    ),
];

impl Mapping {
    /// A warning when the mapping's registry key looks like a built-in
    /// reader's key but is not it (`eecs-no`, `rego`, `i-rec`): ranges are
    /// compared only within one key, so the same certificates imported
    /// through the mapping and through that reader would be stored twice
    /// unseen by `check`. `None` for a built-in key itself or a key of its
    /// own (`wregis`).
    pub fn registry_key_warning(&self) -> Option<String> {
        let key = self.registry.trim();
        let (builtin, reader) = self.registry_key_like()?;
        Some(format!(
            "the registry key `{key}` looks like `{builtin}`, the key of {reader}, but is not \
             it: ranges are compared for overlaps only within one key, so certificates imported \
             with this mapping and the same certificates from that reader's documents would be \
             stored twice and `eacdesk check` would not see it. If the file lists that \
             registry's certificates, write `\"registry\": \"{builtin}\"` in the mapping and \
             save it again (docs/mapping.md, Registry keys)"
        ))
    }

    /// The built-in key, and its reader, that the mapping's registry key
    /// looks like without being it ([`Mapping::registry_key_warning`]).
    pub fn registry_key_like(&self) -> Option<(&'static str, &'static str)> {
        let key = self.registry.trim();
        let letters: String = (key.chars())
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        let (builtin, reader, _) = BUILT_IN_KEYS.iter().find(|(builtin, _, also)| {
            key != *builtin
                && (letters.starts_with(builtin)
                    || also.iter().any(|a| {
                        letters == *a
                            || letters.starts_with(a)
                                && !letters[a.len()..].starts_with(|c: char| c.is_ascii_lowercase())
                    }))
        })?;
        Some((builtin, reader))
    }

    /// Checks that the mapping names everything a range needs; the error
    /// lists every problem at once.
    pub fn validate(&self) -> Result<(), MappingProblems> {
        let mut p = Vec::new();
        let mut need = |ok: bool, what: &str| {
            if !ok {
                p.push(what.to_owned());
            }
        };
        need(!self.name.trim().is_empty(), "the mapping has no name");
        need(
            !self.registry.trim().is_empty(),
            "no registry key (e.g. `wregis`): ranges are compared for overlaps within one registry",
        );
        need(
            !self.source_id.trim().is_empty() && !self.source_name.trim().is_empty(),
            "no issuing body (source id and name)",
        );
        need(
            self.delimiter != '"' && self.delimiter != '\n' && self.delimiter.is_ascii(),
            "the delimiter must be one ASCII character such as `,`, `;` or a tab",
        );
        need(
            !self.time_zone.trim().is_empty(),
            "no time zone (the IANA zone of the production dates, e.g. `America/Los_Angeles` \
             or `Europe/Paris`)",
        );
        need(
            self.time_zone.trim().is_empty() || text::zone(&self.time_zone).is_some(),
            &format!(
                "the time zone `{}` is not an IANA zone name (e.g. `America/Los_Angeles`, `Europe/Paris`)",
                self.time_zone
            ),
        );
        need(
            self.range.is_some() || (self.first.is_some() && self.last.is_some()),
            "no certificate numbers: map the first and last certificate number columns, or one range column with its separator",
        );
        need(
            self.range.is_none() || (self.first.is_none() && self.last.is_none()),
            "map either the first and last certificate numbers or a range column, not both",
        );
        if let Some(r) = &self.range {
            need(!r.separator.is_empty(), "the range column has no separator");
        }
        need(
            self.per_certificate.is_some() != self.total_energy.is_some(),
            "map either the energy per certificate or the total energy of a row (one of them)",
        );
        need(
            self.unit.is_some(),
            "no energy unit (a column, or a fixed value `MWh`, `kWh` or `Wh`)",
        );
        if let Some(Field::Value(u)) = &self.unit {
            need(
                EnergyUnit::parse_lenient(u.trim()).is_some(),
                &format!("the unit `{u}` is not MWh, kWh or Wh"),
            );
        }
        need(
            self.status.is_some(),
            "no status (a column, or a fixed value such as `issued` or `retired`)",
        );
        need(
            (self.period_start.is_some() && self.period_end.is_some()) != self.month.is_some(),
            "no production period: map its start and end date columns, or a month column (one of them)",
        );
        need(
            self.device_id.is_some(),
            "no device id (the registry's id of the generating unit)",
        );
        for (i, f) in self.facts.iter().enumerate() {
            // A fact of a name EAC Desk writes itself, or of a name
            // mapped before, was dropped when the range became an EAC.
            need(
                !is_built_in_fact(&f.name),
                &format!(
                    "the fact name `{}` is one EAC Desk writes itself (`eacdesk_{0}`); the \
                     column would be dropped: give the fact another name (e.g. `registry_{0}`)",
                    f.name
                ),
            );
            need(
                !self.facts[..i].iter().any(|g| g.name == f.name),
                &format!(
                    "the fact name `{}` is mapped twice; only one column can be kept under a \
                     name: give each fact its own name",
                    f.name
                ),
            );
            need(
                !f.name.is_empty()
                    && f.name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                &format!(
                    "the fact name `{}` must be lowercase letters, digits and `_`",
                    f.name
                ),
            );
        }
        if !self.has_header {
            for (what, field) in self.fields() {
                if let Field::Column(name) = field {
                    p.push(format!(
                        "{what} names the column `{name}`, but the file has no header: give its position (column_number)"
                    ));
                }
            }
        }
        for (what, field) in self.fields() {
            if field == &Field::ColumnNumber(0) {
                p.push(format!("{what}: column numbers start at 1"));
            }
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(MappingProblems(p))
        }
    }

    /// The highest 1-based column number a field reads (0 when none does):
    /// the cells a row of a file without a header must have.
    fn last_column_read(&self) -> usize {
        self.fields()
            .iter()
            .filter_map(|(_, f)| match f {
                Field::ColumnNumber(n) => Some(*n as usize),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// Every mapped field with what it is for.
    fn fields(&self) -> Vec<(String, &Field)> {
        let named: [(&str, &Option<Field>); 17] = [
            ("the first certificate number", &self.first),
            ("the last certificate number", &self.last),
            ("the count", &self.count),
            ("the energy per certificate", &self.per_certificate),
            ("the total energy", &self.total_energy),
            ("the unit", &self.unit),
            ("the status", &self.status),
            ("the claim date", &self.claim_date),
            ("the issue date", &self.issue_date),
            ("the production start", &self.period_start),
            ("the production end", &self.period_end),
            ("the month", &self.month),
            ("the device id", &self.device_id),
            ("the device name", &self.device_name),
            ("the technology", &self.technology),
            ("the beneficiary name", &self.beneficiary_name),
            ("the holder", &self.holder),
        ];
        let mut out: Vec<(String, &Field)> = named
            .iter()
            .filter_map(|(what, f)| f.as_ref().map(|f| ((*what).to_owned(), f)))
            .collect();
        if let Some(r) = &self.range {
            // Where the certificate numbers are, first as in the mapping.
            out.insert(0, ("the range".to_owned(), &r.field));
        }
        for f in &self.facts {
            out.push((format!("the fact `{}`", f.name), &f.field));
        }
        out
    }
}

/// Whether a fact name is taken by a fact the reader or `to_eac` writes:
/// [`crate::convert::BUILT_IN_FACTS`] and the mapped reader's own
/// `status_date` (the claim date of a row that is no claim).
fn is_built_in_fact(name: &str) -> bool {
    name == STATUS_DATE || crate::convert::BUILT_IN_FACTS.contains(&name)
}

/// The fact the claim date of a row that is no claim is kept as.
const STATUS_DATE: &str = "status_date";

/// The first rows of a file as text, for choosing a mapping's columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// The header's cells (`None` when the mapping says there is none).
    pub header: Option<Vec<String>>,
    pub rows: Vec<PreviewRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreviewRow {
    /// 1-based line of the file.
    pub line: u64,
    pub cells: Vec<String>,
}

fn delimiter(mapping: &Mapping) -> Result<u8, ReadError> {
    u8::try_from(mapping.delimiter)
        .ok()
        .filter(|d| d.is_ascii() && *d != b'"' && *d != b'\n')
        .ok_or_else(|| {
            ReadError::new(
                Locator::Document,
                format!(
                    "mapping `{}`: the delimiter `{}` must be one ASCII character",
                    mapping.name, mapping.delimiter
                ),
            )
        })
}

/// The header and the first `n` data rows of `bytes`, split as `mapping`
/// says (only its delimiter, skipped lines and header flag are used, so an
/// unfinished mapping previews too).
pub fn preview(bytes: &[u8], mapping: &Mapping, n: usize) -> Result<Preview, ReadError> {
    let rows = csv_rows::rows(bytes, delimiter(mapping)?, u64::from(mapping.skip_lines))?;
    let mut rows = rows.into_iter();
    let header = if mapping.has_header {
        rows.next().map(|r| r.fields)
    } else {
        None
    };
    Ok(Preview {
        header,
        rows: rows
            .take(n)
            .map(|r| PreviewRow {
                line: r.line,
                cells: r.fields,
            })
            .collect(),
    })
}

/// One mapped field and where a file gives its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldUse {
    /// What the field is (`claim date`, `fact `country``).
    pub field: String,
    /// Where it is read: ``column `Cancellation date` (9)``, `column 3`,
    /// ``the fixed value `MWh` ``, or a named column with
    /// `not in this file's header`.
    pub from: String,
}

/// Which column feeds which field of a mapping in one file, and what
/// importing the file with it would refuse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappingCheck {
    pub fields: Vec<FieldUse>,
    /// In import's words, each located where import locates it: what the
    /// mapping lacks (`validate`), every column it names that the header
    /// does not have, else the first row the reader refuses. Empty: import
    /// reads the file with this mapping.
    pub problems: Vec<String>,
}

/// What importing `bytes` with `mapping` would read and refuse, without
/// stopping at the first problem where import would (every missing
/// column is named at once).
pub fn check(bytes: &[u8], mapping: &Mapping) -> MappingCheck {
    let located = |e: ReadError| match e.at {
        Locator::Document => e.message,
        at => format!("{at}: {}", e.message),
    };
    let mut problems = Vec::new();
    if let Err(p) = mapping.validate() {
        problems.push(format!("mapping `{}` is not complete: {p}", mapping.name));
    }
    let rows =
        delimiter(mapping).and_then(|d| csv_rows::rows(bytes, d, u64::from(mapping.skip_lines)));
    let header = match (&rows, mapping.has_header) {
        (Ok(rows), true) => rows.first(),
        _ => None,
    };
    let r = Resolver { header, mapping };
    let mut fields = Vec::new();
    for (what, field) in mapping.fields() {
        let what = what.strip_prefix("the ").unwrap_or(&what).to_owned();
        let from = match (field, header) {
            (Field::Value(v), _) => format!("the fixed value `{v}`"),
            (Field::Column(name), None) => format!("column `{name}`"),
            (_, _) => match r.resolve(field) {
                Ok(source) => source.label(),
                Err(e) => {
                    let message = located(e);
                    if !problems.contains(&message) {
                        problems.push(message);
                    }
                    format!(
                        "column `{}`, not in this file's header",
                        match field {
                            Field::Column(name) => name.clone(),
                            _ => String::new(),
                        }
                    )
                }
            },
        };
        fields.push(FieldUse { field: what, from });
    }
    match rows {
        Err(e) => problems.push(located(e)),
        Ok(_) if problems.is_empty() => {
            if let Err(e) = read(bytes, mapping) {
                problems.push(located(e));
            }
        }
        Ok(_) => {}
    }
    MappingCheck { fields, problems }
}

/// Whether `bytes` have every column `mapping` names in their header (to
/// offer a saved mapping for a file).
pub fn sniff(bytes: &[u8], mapping: &Mapping) -> bool {
    if !mapping.has_header || mapping.validate().is_err() {
        return false;
    }
    let Ok(rows) = csv_rows::rows(
        bytes,
        delimiter(mapping).unwrap_or(b','),
        u64::from(mapping.skip_lines),
    ) else {
        return false;
    };
    let Some(header) = rows.first() else {
        return false;
    };
    mapping.fields().iter().all(|(_, f)| match f {
        Field::Column(name) => csv_rows::column(header, name).is_some(),
        _ => true,
    })
}

/// A mapped field resolved against the header.
#[derive(Debug, Clone)]
enum Source {
    Cell { index: usize, label: String },
    Value(String),
}

impl Source {
    fn text<'a>(&'a self, row: &'a Row) -> &'a str {
        match self {
            Source::Cell { index, .. } => row.get(*index),
            Source::Value(v) => v.trim(),
        }
    }

    fn label(&self) -> String {
        match self {
            Source::Cell { label, .. } => format!("column {label}"),
            Source::Value(v) => format!("the mapping's fixed value `{v}`"),
        }
    }
}

struct Resolver<'h> {
    header: Option<&'h Row>,
    mapping: &'h Mapping,
}

impl Resolver<'_> {
    fn resolve(&self, field: &Field) -> Result<Source, ReadError> {
        match field {
            Field::Value(v) => Ok(Source::Value(v.clone())),
            Field::ColumnNumber(n) => {
                let index = (*n as usize).saturating_sub(1);
                let label = match self.header.and_then(|h| h.fields.get(index)) {
                    Some(name) => format!("`{name}` ({n})"),
                    None => n.to_string(),
                };
                Ok(Source::Cell { index, label })
            }
            Field::Column(name) => {
                let header = self.header.ok_or_else(|| {
                    ReadError::new(Locator::Document, "the file has no header line")
                })?;
                let index = csv_rows::column(header, name).ok_or_else(|| {
                    ReadError::new(
                        Locator::Line(header.line),
                        format!(
                            "mapping `{}` names the column `{name}`, which this file's header does \
                             not have (its columns: {}); choose another mapping or edit this one",
                            self.mapping.name,
                            header
                                .fields
                                .iter()
                                .map(|h| format!("`{h}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?;
                Ok(Source::Cell {
                    index,
                    label: format!("`{}` ({})", header.fields[index], index + 1),
                })
            }
        }
    }

    fn resolve_opt(&self, field: &Option<Field>) -> Result<Option<Source>, ReadError> {
        field.as_ref().map(|f| self.resolve(f)).transpose()
    }
}

/// Every mapped field, resolved.
struct Plan {
    numbers: Numbers,
    count: Option<Source>,
    energy: Energy,
    unit: Source,
    status: Source,
    claim_date: Option<Source>,
    issue_date: Option<Source>,
    period: Period,
    device_id: Source,
    device_name: Option<Source>,
    technology: Option<Source>,
    beneficiary_name: Option<Source>,
    holder: Option<Source>,
    facts: Vec<(String, Source)>,
}

enum Numbers {
    FirstLast(Source, Source),
    Range(Source, String),
}

enum Energy {
    PerCertificate(Source),
    Total(Source),
}

enum Period {
    Days(Source, Source),
    Month(Source),
}

fn missing(what: &str) -> ReadError {
    ReadError::new(
        Locator::Document,
        format!("the mapping does not say {what}"),
    )
}

impl Plan {
    /// The texts of a row's cells the mapping reads as numbers (the count
    /// and the energy).
    fn number_cells<'r>(&'r self, row: &'r Row) -> impl Iterator<Item = &'r str> {
        let energy = match &self.energy {
            Energy::PerCertificate(s) | Energy::Total(s) => s,
        };
        (self.count.iter().chain([energy])).map(move |s| s.text(row))
    }

    fn new(r: &Resolver<'_>) -> Result<Plan, ReadError> {
        let m = r.mapping;
        let numbers = match (&m.range, &m.first, &m.last) {
            (Some(range), _, _) => {
                Numbers::Range(r.resolve(&range.field)?, range.separator.clone())
            }
            (None, Some(a), Some(b)) => Numbers::FirstLast(r.resolve(a)?, r.resolve(b)?),
            _ => return Err(missing("where the certificate numbers are")),
        };
        let energy = match (&m.per_certificate, &m.total_energy) {
            (Some(f), _) => Energy::PerCertificate(r.resolve(f)?),
            (None, Some(f)) => Energy::Total(r.resolve(f)?),
            _ => return Err(missing("where the energy is")),
        };
        let period = match (&m.period_start, &m.period_end, &m.month) {
            (Some(a), Some(b), _) => Period::Days(r.resolve(a)?, r.resolve(b)?),
            (_, _, Some(f)) => Period::Month(r.resolve(f)?),
            _ => return Err(missing("where the production period is")),
        };
        let need = |f: &Option<Field>, what: &str| {
            f.as_ref()
                .ok_or_else(|| missing(what))
                .and_then(|f| r.resolve(f))
        };
        Ok(Plan {
            numbers,
            count: r.resolve_opt(&m.count)?,
            energy,
            unit: need(&m.unit, "the unit")?,
            status: need(&m.status, "the status")?,
            claim_date: r.resolve_opt(&m.claim_date)?,
            issue_date: r.resolve_opt(&m.issue_date)?,
            period,
            device_id: need(&m.device_id, "the device id")?,
            device_name: r.resolve_opt(&m.device_name)?,
            technology: r.resolve_opt(&m.technology)?,
            beneficiary_name: r.resolve_opt(&m.beneficiary_name)?,
            holder: r.resolve_opt(&m.holder)?,
            facts: m
                .facts
                .iter()
                .map(|f| Ok((f.name.clone(), r.resolve(&f.field)?)))
                .collect::<Result<_, ReadError>>()?,
        })
    }
}

/// Reads `bytes` as `mapping` says. A row that breaks a rule refuses the
/// whole file, naming the line and column.
pub fn read(bytes: &[u8], mapping: &Mapping) -> Result<Statement, ReadError> {
    mapping.validate().map_err(|p| {
        ReadError::new(
            Locator::Document,
            format!("mapping `{}` is not complete: {p}", mapping.name),
        )
    })?;
    let zone = text::zone(&mapping.time_zone).ok_or_else(|| missing("a known time zone"))?;
    let rows = csv_rows::rows(bytes, delimiter(mapping)?, u64::from(mapping.skip_lines))?;
    let (header, data) = match (mapping.has_header, rows.split_first()) {
        (true, Some((h, rest))) => (Some(h), rest),
        (true, None) => {
            return Err(ReadError::new(
                Locator::Document,
                "the file has no header line (it is empty after the skipped lines)",
            ))
        }
        (false, _) => (None, rows.as_slice()),
    };
    let plan = Plan::new(&Resolver { header, mapping })?;
    // Cells a row must have: up to the header's last named column, or,
    // without a header, up to the highest column number the mapping reads
    // (not the first row's count, whose trailing empty cells would refuse
    // every shorter row that still holds every column read).
    let width = match header {
        Some(h) => csv_rows::named_width(h.fields.iter().map(String::as_str)),
        None => mapping.last_column_read(),
    };
    // With a decimal comma, `93.000` is 93 written with a decimal point
    // (a cell typed again in a spreadsheet) or 93000 with `.` grouping
    // thousands: the file tells only when one of its number cells groups
    // thousands with `.` beyond doubt (`1.234,5`, `1.234.567`).
    let dots_group = mapping.number_style == NumberStyle::DecimalComma
        && data.iter().any(|row| {
            plan.number_cells(row)
                .any(|t| t.contains('.') && (t.contains(',') || t.matches('.').count() > 1))
        });
    let mut statement = Statement::default();
    if let Some(message) = mapping.registry_key_warning() {
        statement.warnings.push(Warning {
            at: Locator::Document,
            message: format!("mapping `{}`: {message}", mapping.name),
        });
    }
    for row in data {
        if row.fields.len() < width {
            let found = row.fields.len();
            return Err(match header {
                Some(h) => csv_rows::short_row(
                    row.line,
                    found,
                    width,
                    &format!("the header (line {})", h.line),
                    delimiter(mapping)?,
                ),
                None => csv_rows::short_of_column(
                    row.line,
                    found,
                    width,
                    &format!("mapping `{}`", mapping.name),
                    delimiter(mapping)?,
                ),
            });
        }
        let range = read_row(
            row,
            &plan,
            mapping,
            zone,
            dots_group,
            &mut statement.warnings,
        )?;
        statement.ranges.push(range);
    }
    Ok(statement)
}

/// A range cell split into its first and last numbers at `separator`
/// (also tried without its surrounding spaces). When the separator occurs
/// more than once (`AB-100-AB-199` with `-`), the one split whose halves
/// make a countable range ([`text::serial_count`]: same prefix, trailing
/// numbers, not backwards) is taken; none or several is refused, never
/// the first guessed (which gave the first number `AB`).
fn split_range(cell: &str, separator: &str) -> Result<(String, String), String> {
    let splits = |sep: &str| -> Vec<(String, String)> {
        cell.match_indices(sep)
            .map(|(i, _)| {
                (
                    cell[..i].trim().to_owned(),
                    cell[i + sep.len()..].trim().to_owned(),
                )
            })
            .collect()
    };
    let trimmed = separator.trim();
    let mut found = splits(separator);
    if found.is_empty() && !trimmed.is_empty() && trimmed != separator {
        found = splits(trimmed);
    }
    match found.len() {
        0 => Err(format!(
            "`{cell}` has no `{separator}` between its first and last numbers"
        )),
        1 => Ok(found.remove(0)),
        n => {
            let mut countable: Vec<(String, String)> = found
                .into_iter()
                .filter(|(a, b)| text::serial_count(a, b).is_some())
                .collect();
            if countable.len() == 1 {
                return Ok(countable.remove(0));
            }
            Err(format!(
                "`{cell}` holds the separator `{separator}` {n} times and {} of the ways to \
                 split it give a range of numbers with one prefix: where the first number ends \
                 cannot be told. Map the first and last numbers as two columns, or a separator \
                 that occurs once (e.g. ` - ` or ` to `)",
                match countable.len() {
                    0 => "none".to_owned(),
                    k => k.to_string(),
                }
            ))
        }
    }
}

fn read_row(
    row: &Row,
    plan: &Plan,
    mapping: &Mapping,
    zone: chrono_tz::Tz,
    dots_group: bool,
    warnings: &mut Vec<Warning>,
) -> Result<RangeRecord, ReadError> {
    let at = Locator::Line(row.line);
    let bad = |s: &Source, message: String| {
        ReadError::new(at.clone(), format!("{}: {message}", s.label()))
    };
    let required = |s: &Source, what: &str| -> Result<String, ReadError> {
        let t = s.text(row);
        if t.is_empty() {
            Err(bad(s, format!("{what} is empty")))
        } else {
            Ok(t.to_owned())
        }
    };
    let optional = |s: &Option<Source>| {
        s.as_ref()
            .map(|s| s.text(row).to_owned())
            .filter(|t| !t.is_empty())
    };
    let number = |s: &Source, what: &str| -> Result<Decimal, ReadError> {
        let t = required(s, what)?;
        if mapping.number_style == NumberStyle::DecimalComma && !dots_group && !t.contains(',') {
            let point = text::parse_number(&t, NumberStyle::DecimalPoint);
            let comma = text::parse_number(&t, NumberStyle::DecimalComma);
            if let (Some(p), Some(c)) = (point, comma) {
                if p.to_big() != c.to_big() {
                    return Err(bad(
                        s,
                        format!(
                            "`{t}` cannot be read exactly: the mapping writes numbers with a \
                             decimal comma, and no number of the file groups thousands with \
                             `.` (as `1.234,5` or `1.234.567` would), so its `.` may be a \
                             decimal point ({}) or group thousands ({}). Write it `{}` if it \
                             is {0}, or `{}` if it is {1}, and import the file again",
                            p.as_str(),
                            c.as_str(),
                            t.replacen('.', ",", 1),
                            c.as_str()
                        ),
                    ));
                }
            }
        }
        let n = text::parse_number(&t, mapping.number_style).ok_or_else(|| {
            bad(
                s,
                format!(
                    "`{t}` is not a number written with a {} (the mapping's number style)",
                    match mapping.number_style {
                        NumberStyle::DecimalPoint => "decimal point",
                        NumberStyle::DecimalComma => "decimal comma",
                    }
                ),
            )
        })?;
        if n.is_negative() || n.to_big() == 0 {
            return Err(bad(s, format!("{what} `{t}` must be more than 0")));
        }
        Ok(n)
    };
    let order_name = match mapping.date_order {
        DateOrder::Dmy => "day-month-year",
        DateOrder::Mdy => "month-day-year",
        DateOrder::Iso => "YYYY-MM-DD",
    };
    let date = |s: &Source, what: &str| -> Result<Date, ReadError> {
        let t = required(s, what)?;
        text::date_in_order(&t, mapping.date_order).ok_or_else(|| {
            // In the mapping's form, yet no day: said in the calendar's
            // words, as every reader of days says it.
            let why = match text::not_a_calendar_day(&t, mapping.date_order) {
                Some(why) => format!(
                    "`{t}` is not a day of the calendar read {order_name} (the mapping's date \
                     order): {why}"
                ),
                None => format!(
                    "`{t}` is not a {order_name} date (the mapping's date order){}",
                    text::date_time_note(&t)
                ),
            };
            bad(s, why)
        })
    };

    // Certificate numbers and count.
    let (first, last, numbers_at) = match &plan.numbers {
        Numbers::FirstLast(a, b) => (
            required(a, "the first certificate number")?,
            required(b, "the last certificate number")?,
            b,
        ),
        Numbers::Range(s, sep) => {
            let t = required(s, "the range")?;
            let (a, b) = split_range(&t, sep).map_err(|m| bad(s, m))?;
            (a, b, s)
        }
    };
    // The count comes from the numbers, always: a count column is checked
    // against it, and a range that cannot be counted is refused even with
    // one (an unchecked count is the registry's word against nothing, and
    // the range could not be compared for overlaps either).
    // I-REC's ids with decimals are read as its statement reader reads
    // them (dashes dropped), so the two readers' ranges compare.
    let decimal_ids = text::dashed_decimal_ids(&first, &last);
    let (plain_first, plain_last) = match &decimal_ids {
        Some((a, b)) => (a.as_str(), b.as_str()),
        None => (first.as_str(), last.as_str()),
    };
    let derived = text::serial_count(plain_first, plain_last).ok_or_else(|| {
        let why = match (&decimal_ids, first.contains('.') || last.contains('.')) {
            (Some(_), _) => "they are certificate ids with decimals (as I-REC writes them since \
                 2022), read as one number each without their dashes, and they have different \
                 numbers of decimals or run backwards"
                .to_owned(),
            (None, true) => "a certificate id with decimals is read only in I-REC's form (digits \
                 in groups joined by `-`, a `.` and the same number of decimals in both, \
                 `0000-0000-6529-5750.000000`), and these are not in it"
                .to_owned(),
            (None, false) => "the numbers differ before their last digits, have no trailing \
                 digits, or run backwards"
                .to_owned(),
        };
        bad(
            numbers_at,
            format!(
                "the range {first} … {last} cannot be counted: {why}. A range is counted from \
                 its numbers (a common prefix and a trailing sequence number, plain numbers, or \
                 I-REC's ids with decimals) and a count column is checked against that; correct \
                 the row or the mapping"
            ),
        )
    })?;
    let count = match &plan.count {
        Some(c) => {
            let n = number(c, "the count")?;
            if derived.to_big() != n.to_big() {
                return Err(bad(
                    c,
                    format!(
                        "the count {n} disagrees with the range {first} … {last}, which \
                         holds {derived} certificates (last − first + 1); correct the row or the mapping"
                    ),
                ));
            }
            n
        }
        None => derived,
    };

    // Energy.
    let unit_text = required(&plan.unit, "the unit")?;
    let unit = EnergyUnit::parse_lenient(&unit_text)
        .ok_or_else(|| bad(&plan.unit, format!("`{unit_text}` is not MWh, kWh or Wh")))?;
    // A printed total is the value as written (`1.234,5` is 1234.5, never
    // 100 × 12.345 = 1234.500); the energy per certificate is derived.
    let (per_certificate, total) = match &plan.energy {
        Energy::PerCertificate(s) => (number(s, "the energy per certificate")?, None),
        Energy::Total(s) => {
            let total = number(s, "the total energy")?;
            let (t, c) = (total.to_big(), count.to_big());
            let per = (&t / &c).normalized();
            if &per * &c != t {
                return Err(bad(
                    s,
                    format!(
                        "the total energy {total} is not the same amount for each of the {count} \
                         certificates (it does not divide exactly); map the energy per certificate instead"
                    ),
                ));
            }
            (Decimal::from_big(&per), Some(total))
        }
    };

    // Status and dates.
    let status_text = required(&plan.status, "the status")?;
    let status = Status::parse(&status_text);
    let claim_date = match &plan.claim_date {
        Some(s) if !s.text(row).is_empty() => Some(date(s, "the claim date")?),
        _ => None,
    };
    if let Status::Other(_) = status {
        // Decision 75: kept as printed, not a claim, and said.
        let dated = match (&plan.claim_date, claim_date) {
            (Some(s), Some(_)) => format!(
                ", although the row has a claim date ({}): if these certificates were claimed, \
                 write the status as Retired, Redeemed, Cancelled or Claimed and import the file \
                 again",
                s.text(row)
            ),
            _ => String::new(),
        };
        warnings.push(Warning {
            at: at.clone(),
            message: format!(
                "{}: status `{status_text}` is not one EAC Desk knows (Issued, Active, Retired, \
                 Redeemed, Cancelled, Claimed, Expired, Revoked, Withdrawn); it is kept as \
                 printed and not counted as a claim{dated}",
                plan.status.label()
            ),
        });
    }
    let mut facts = Vec::new();
    let claim = match (status.is_claim(), claim_date) {
        (true, Some(d)) => Claim::On(d),
        (true, None) => Claim::Undated,
        (false, d) => {
            if let Some(d) = d {
                facts.push((STATUS_DATE.to_owned(), d.to_string()));
            }
            Claim::No
        }
    };
    let issued = match &plan.issue_date {
        Some(s) if !s.text(row).is_empty() => Some(date(s, "the issue date")?),
        _ => None,
    };
    let (first_day, last_day, period_at) = match &plan.period {
        Period::Days(a, b) => (
            date(a, "the production start")?,
            date(b, "the production end")?,
            b,
        ),
        Period::Month(s) => {
            let t = required(s, "the month")?;
            let (a, b) = text::month(&t).ok_or_else(|| {
                bad(
                    s,
                    format!("`{t}` is not a month (`Mar-2023`, `03/2023`, `2023-03`)"),
                )
            })?;
            (a, b, s)
        }
    };
    let (period_start, period_end) =
        text::local_period(first_day, last_day, zone).ok_or_else(|| {
            bad(
                period_at,
                format!("the production period ends ({last_day}) before it starts ({first_day})"),
            )
        })?;

    // Device and people.
    let technology = optional(&plan.technology);
    let technology_type = technology.as_deref().and_then(|t| {
        let t = t.trim();
        mapping
            .technology_table
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case(t))
            .map(|(_, v)| *v)
    });
    let device = Device {
        id: required(&plan.device_id, "the device id")?,
        name: optional(&plan.device_name),
        technology,
        technology_type,
        commissioned: None,
        capacity: None,
        country: None,
    };
    for (name, s) in &plan.facts {
        let t = s.text(row);
        if !t.is_empty() {
            facts.push((name.clone(), t.to_owned()));
        }
    }
    let (series, first_seq, last_seq) = text::range_numbers(plain_first, plain_last);
    Ok(RangeRecord {
        at,
        registry: mapping.registry.trim().to_owned(),
        source_id: mapping.source_id.trim().to_owned(),
        source_name: mapping.source_name.trim().to_owned(),
        first,
        last,
        series,
        first_seq,
        last_seq,
        count,
        per_certificate,
        total,
        unit,
        status,
        claim,
        issued,
        period_start,
        period_end,
        device,
        emissions: None,
        beneficiary_name: optional(&plan.beneficiary_name),
        holder: optional(&plan.holder),
        facts,
    })
}
