//! Semantic rules over one EAC (digest §d rules 4, 6–9, 11–17, 22) and over a
//! listing (rules 7 and 10). Quantities and emission factors are held to
//! [`crate::Decimal::check_amount`] here, and every string to the text cap
//! ([`crate::text`]), so the checks an export runs on stored EACs are the
//! ones an import ran. Field presence and syntax (rules 2, 3, 5) are
//! checked while reading, in [`crate::read`].

use std::collections::{HashMap, HashSet};

use crate::read::ObjectRead;
use crate::{
    quote, BeneficiaryType, Completable, Decimal, DecimalError, Eac, P1OrderKey, Rule,
    TechnologyType, Timestamp, Violation,
};

/// What the document is being checked for; decides which findings block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Purpose {
    /// Storing what a user holds: missing emission factors are flagged (warning),
    /// unknown beneficiary types are skipped with a warning (rule 21).
    #[default]
    Import,
    /// Checking a file, or writing one: every rule blocks.
    Validate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CheckOptions {
    pub purpose: Purpose,
    /// Accept `nuclear`, `marine`, `storage` (not in the draft list; digest §f.5).
    pub allow_extended_technologies: bool,
    /// Reading a saved state of a stored EAC (audit records): the
    /// completable fields may be null, as in an incomplete EAC.
    pub incomplete: bool,
}

impl CheckOptions {
    pub fn import() -> Self {
        CheckOptions {
            purpose: Purpose::Import,
            ..Default::default()
        }
    }
    pub fn validate() -> Self {
        CheckOptions {
            purpose: Purpose::Validate,
            ..Default::default()
        }
    }
    /// For saved states of stored EACs, which may be incomplete.
    pub fn state() -> Self {
        CheckOptions {
            purpose: Purpose::Import,
            allow_extended_technologies: true,
            incomplete: true,
        }
    }
    pub fn with_extended_technologies(mut self, allow: bool) -> Self {
        self.allow_extended_technologies = allow;
        self
    }
}

/// What the refusal of a technology outside the draft list says (rule 3 at
/// `technology_type`, decision 9).
const NOT_IN_DRAFT: &str = "is not in the 2024-08-29 draft list";

/// How `validate` and `import` are told to accept a technology outside the
/// draft list: on the command line and in the app's Import dialog.
const EXTENDED_ALLOWED: &str = "only with the extended technologies allowed \
    (--allow-extended-technologies; in the app's Import dialog, “Also accept nuclear, marine and \
    storage”)";

/// The warning (rule 3, at `pointer`) that `technology`, outside the draft
/// list, makes a file `validate` and `import` accept only with the
/// extended technologies allowed (decisions 17 and 255 let it be stored
/// and exported as given). `eacs`: said by an export, of the first of the
/// `eacs` EACs it writes with it; `None`: said by `set` of an EAC it gives
/// it to.
pub fn extended_technology_warning(
    technology: TechnologyType,
    pointer: impl Into<String>,
    eacs: Option<usize>,
) -> Violation {
    let message = match eacs {
        None => format!(
            "technology `{technology}` {NOT_IN_DRAFT}: a file exported with it passes `validate` \
             and `import` {EXTENDED_ALLOWED}"
        ),
        Some(n) => {
            let held = match n {
                1 => "1 EAC of this export has it".to_owned(),
                n => format!("{n} EACs of this export have it, the first here"),
            };
            format!(
                "technology `{technology}` {NOT_IN_DRAFT} ({held}): `validate` and `import` \
                 accept the file {EXTENDED_ALLOWED}"
            )
        }
    };
    Violation::warning(Rule::Enumerations, pointer, message)
}

/// Whether `v` refuses a technology outside the draft list, which the
/// extended technologies option would admit (not a misspelt one).
pub fn refuses_extended_technology(v: &Violation) -> bool {
    v.is_error()
        && v.rule == Rule::Enumerations.number()
        && v.pointer.ends_with("/technology_type")
        && v.message.contains(NOT_IN_DRAFT)
}

/// Checks one EAC; `base` is its JSON pointer (e.g. `/eacs/3`).
pub fn check_eac(eac: &Eac, base: &str, opts: CheckOptions) -> Vec<Violation> {
    let mut out = Vec::new();
    let at = |field: &str| format!("{base}/{field}");

    if let Some(technology) = eac.technology_type {
        if !opts.allow_extended_technologies && !technology.is_draft() {
            out.push(Violation::error(
                Rule::Enumerations,
                at("technology_type"),
                format!(
                    "technology `{technology}` {NOT_IN_DRAFT}; allow the extended technologies explicitly to use it"
                ),
            ));
        }
    }
    check_assignment(eac.beneficiary_type, &eac.beneficiaries, base, &mut out);
    for missing in eac.missing() {
        let field = missing.path();
        let factor = matches!(
            missing.field,
            Completable::EmissionsFactorDirect | Completable::EmissionsFactorLca
        );
        let (rule, msg) = if factor {
            (
                Rule::ExactDecimals,
                format!("`{field}` has no number; enter the emission factor before exporting"),
            )
        } else {
            (
                Rule::RequiredKeys,
                format!(
                    "`{field}` is missing: the document this EAC came from does not give it; enter it before exporting"
                ),
            )
        };
        match opts.purpose {
            // Emission factors are flagged on import (decision 7); other
            // completable fields are only missing in registry imports,
            // whose report lists them.
            Purpose::Import if factor => {
                out.push(Violation::warning(rule, at(&field), msg));
            }
            Purpose::Import => {}
            Purpose::Validate => out.push(Violation::error(rule, at(&field), msg)),
        }
    }
    // The same rule as entering a factor by hand (decisions 28, 36).
    for (field, factor) in [
        ("emissions_factor_direct", &eac.emissions_factor_direct),
        ("emissions_factor_lca", &eac.emissions_factor_lca),
    ] {
        if let Some(Err(e)) = factor.as_ref().map(Decimal::check_amount) {
            out.push(Violation::error(
                Rule::ExactDecimals,
                at(field),
                format!("`{field}` {e}"),
            ));
        }
    }
    check_identity_and_period(eac, base, &mut out);
    if let Some(commissioned) = eac.asset_commissioned {
        if commissioned > eac.period_end.date() {
            out.push(Violation::warning(
                Rule::WarnOnly,
                at("asset_commissioned"),
                format!(
                    "asset commissioned on {commissioned}, after the period ends ({})",
                    eac.period_end
                ),
            ));
        }
    }
    if eac.values.is_empty() {
        out.push(Violation::error(
            Rule::ValueQuantities,
            at("values"),
            "an EAC needs at least one value",
        ));
    }
    check_number_text(
        "the EAC number `eac_number`",
        eac.eac_number.as_deref(),
        || at("eac_number"),
        &mut out,
    );
    check_texts(eac, base, &mut out);
    let mut numbers: HashMap<&str, usize> = HashMap::new();
    for (i, v) in eac.values.iter().enumerate() {
        let vat = |field: &str| format!("{base}/values/{i}/{field}");
        check_number_text(
            "the value's EAC number `eac_number`",
            v.eac_number.as_deref(),
            || vat("eac_number"),
            &mut out,
        );
        check_extension_texts(&v.extensions, || format!("{base}/values/{i}"), &mut out);
        match (v.start, v.end) {
            (Some(start), Some(end)) => {
                if start >= end {
                    out.push(Violation::error(
                        Rule::ValueIntervalOrder,
                        vat("end"),
                        format!("value ends ({end}) before or when it starts ({start})"),
                    ));
                }
                // Named at the end that lies outside, each on its own
                // when both do: a pointer names the field to change.
                for (outside, field, how) in [
                    (
                        start < eac.period_start,
                        "start",
                        "starts before the period starts",
                    ),
                    (end > eac.period_end, "end", "ends after the period ends"),
                ] {
                    if outside {
                        out.push(Violation::error(
                            Rule::ValueInsidePeriod,
                            vat(field),
                            format!(
                                "value interval {start} – {end} is outside the EAC period {} – {}: \
                                 it {how}",
                                eac.period_start, eac.period_end
                            ),
                        ));
                    }
                }
            }
            (None, None) => {}
            _ => out.push(Violation::error(
                Rule::ValueIntervalComplete,
                vat("start"),
                "`start` and `end` must both be set or both be null",
            )),
        }
        if let (Some(retired), Some(issued)) = (v.retired, v.issued) {
            if retired < issued {
                out.push(Violation::error(
                    Rule::RetiredNotBeforeIssued,
                    vat("retired"),
                    format!("retired on {retired}, before it was issued ({issued})"),
                ));
            }
        }
        if let Some(number) = &v.eac_number {
            if let Some(first) = numbers.insert(number, i) {
                out.push(Violation::error(
                    Rule::UniqueEacNumbers,
                    vat("eac_number"),
                    format!(
                        "value number `{}` already used by value {first} of this EAC",
                        quote(number)
                    ),
                ));
            }
        }
        match v.value.check_amount() {
            Ok(()) => {}
            Err(DecimalError::Negative(_)) => out.push(Violation::error(
                Rule::ValueQuantities,
                vat("value"),
                format!("quantity {} is negative", quote(v.value.as_str())),
            )),
            Err(e) => out.push(Violation::error(
                Rule::ExactDecimals,
                vat("value"),
                format!("quantity {e}"),
            )),
        }
    }
    out.into_iter()
        .map(|v| v.with_eac(named_id(&eac.cds_eac_id)))
        .collect()
}

/// The id findings about an EAC name it by: none when it is blank, or
/// longer than the text cap (its own finding says so; it is not copied
/// into each).
pub(crate) fn named_id(cds_eac_id: &str) -> Option<&str> {
    (!is_blank(cds_eac_id) && crate::text::too_long(cds_eac_id).is_none()).then_some(cds_eac_id)
}

/// The text cap on the strings of an EAC's own fields and extension
/// members (its id: [`check_identity_and_period`]; beneficiaries:
/// [`check_unique_strings`]; EAC numbers: [`check_number_text`]; its
/// values' extensions: [`check_eac`]). One comparison
/// per string of ordinary length.
fn check_texts(eac: &Eac, base: &str, out: &mut Vec<Violation>) {
    let at = |field: &'static str| move || format!("{base}/{field}");
    check_text("source_id", Some(&eac.source_id), at("source_id"), out);
    check_text(
        "source_name",
        Some(&eac.source_name),
        at("source_name"),
        out,
    );
    let destination_id = eac.destination_id.as_deref();
    check_text("destination_id", destination_id, at("destination_id"), out);
    let destination_name = eac.destination_name.as_deref();
    check_text(
        "destination_name",
        destination_name,
        at("destination_name"),
        out,
    );
    check_text("asset_id", Some(&eac.asset_id), at("asset_id"), out);
    check_extension_texts(&eac.extensions, || base.to_owned(), out);
}

/// The text cap on the string field `field` (`None`: null), at `at`.
pub(crate) fn check_text(
    field: &str,
    text: Option<&str>,
    at: impl FnOnce() -> String,
    out: &mut Vec<Violation>,
) {
    if let Some(chars) = text.and_then(crate::text::too_long) {
        let message = crate::text::too_long_message(&format!("`{field}`"), chars);
        out.push(Violation::error(Rule::RequiredKeys, at(), message));
    }
}

/// The text cap on the extension members of the object at `object`.
pub(crate) fn check_extension_texts(
    extensions: &crate::Extensions,
    object: impl Fn() -> String,
    out: &mut Vec<Violation>,
) {
    for (name, raw) in extensions.iter() {
        out.extend(crate::text::long_member(name, raw.get(), &object));
    }
}

/// Rules 4, 17 and 22 (empty list) on a beneficiary assignment, shared by
/// P1 EACs and P2 envelopes. Without a type (an incomplete EAC's, or one
/// `validate` refused by rule 3) the list is still held to rule 17.
pub(crate) fn check_assignment(
    kind: Option<BeneficiaryType>,
    list: &[String],
    base: &str,
    out: &mut Vec<Violation>,
) {
    let pointer = format!("{base}/beneficiaries");
    if kind == Some(BeneficiaryType::General) && !list.is_empty() {
        out.push(Violation::error(
            Rule::GeneralHasNoBeneficiaries,
            pointer.clone(),
            "beneficiary type `general` requires an empty `beneficiaries` list",
        ));
    }
    check_beneficiary_list(list, &pointer, out);
    if let Some(kind) = kind.filter(|k| *k != BeneficiaryType::General && list.is_empty()) {
        out.push(Violation::warning(
            Rule::WarnOnly,
            pointer,
            format!("beneficiary type `{kind}` with no beneficiaries listed"),
        ));
    }
}

/// Rule 17: EAC numbers (of an EAC and of its values) become the P2
/// envelope's `eac_numbers`, so none holds a control character. A blank
/// one is no number and never becomes an entry there
/// ([`crate::p2::eac_numbers`], decision 276). A number longer than the
/// text cap is refused as that (rule 2) instead.
fn check_number_text(
    what: &str,
    number: Option<&str>,
    at: impl FnOnce() -> String,
    out: &mut Vec<Violation>,
) {
    if number.and_then(crate::text::too_long).is_some() {
        return check_text("eac_number", number, at, out);
    }
    if let Some(message) = number.and_then(|n| id_with_control_character(what, n)) {
        out.push(Violation::error(Rule::UniqueStrings, at(), message));
    }
}

/// Rule 17's "non-empty", one reading for every list it governs
/// (beneficiary ids, P2 `eac_numbers`): a blank entry is empty or white
/// space only (decision 276). A blank P1 EAC number is no number: it
/// never becomes a P2 `eac_numbers` entry.
pub fn is_blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// "empty" or "blank (white space only)", as a message says it.
fn blank_kind(text: &str) -> &'static str {
    if text.is_empty() {
        "empty"
    } else {
        "blank (white space only)"
    }
}

/// What a P1 EAC and a P2 envelope hold under the same names and rules 7–9
/// judge alike: `cds_eac_id`, (`cds_created`, `cds_modified`) and the period.
pub(crate) trait Identified {
    fn identity(&self) -> (&str, (Timestamp, Timestamp), (Timestamp, Timestamp));
}

macro_rules! identified {
    ($($t:ty),+) => {$(
        impl Identified for $t {
            fn identity(&self) -> (&str, (Timestamp, Timestamp), (Timestamp, Timestamp)) {
                (
                    &self.cds_eac_id,
                    (self.cds_created, self.cds_modified),
                    (self.period_start, self.period_end),
                )
            }
        }
    )+};
}

identified!(Eac, crate::p2::EacEnvelope);

/// Rules 7 (non-blank id), 8 (period) and 9 (created ≤ modified), shared by
/// P1 EACs and P2 envelopes.
pub(crate) fn check_identity_and_period(
    item: &impl Identified,
    base: &str,
    out: &mut Vec<Violation>,
) {
    let (cds_eac_id, (created, modified), (period_start, period_end)) = item.identity();
    if is_blank(cds_eac_id) {
        // White space only reads as no id at all, in a list, a file name or
        // a report: blank is empty here as in rule 17 (decision 276).
        out.push(Violation::error(
            Rule::UniqueEacId,
            format!("{base}/cds_eac_id"),
            format!("`cds_eac_id` is {}", blank_kind(cds_eac_id)),
        ));
    } else if let Some(chars) = crate::text::too_long(cds_eac_id) {
        out.push(Violation::error(
            Rule::RequiredKeys,
            format!("{base}/cds_eac_id"),
            crate::text::too_long_message("`cds_eac_id`", chars),
        ));
    } else if let Some(message) = id_with_control_character("`cds_eac_id`", cds_eac_id) {
        out.push(Violation::error(
            Rule::UniqueEacId,
            format!("{base}/cds_eac_id"),
            message,
        ));
    }
    if period_start >= period_end {
        out.push(Violation::error(
            Rule::PeriodOrder,
            format!("{base}/period_end"),
            format!("period ends ({period_end}) before or when it starts ({period_start})"),
        ));
    }
    if created > modified {
        out.push(Violation::error(
            Rule::CreatedNotAfterModified,
            format!("{base}/cds_modified"),
            format!("modified ({modified}) before created ({created})"),
        ));
    }
}

/// How a list of unique strings (rule 17) names its items in messages.
pub(crate) struct UniqueStrings {
    /// "a beneficiary id": said of an empty item.
    pub a: &'static str,
    /// "the beneficiary id": said of an item holding a control character.
    pub the: &'static str,
    /// "beneficiary": said of an item listed twice.
    pub item: &'static str,
}

/// Rule 17 for any list of strings: each non-empty, free of control
/// characters and listed once (beneficiaries, P2 `eac_numbers`).
pub(crate) fn check_unique_strings(
    list: &[String],
    pointer: &str,
    names: &UniqueStrings,
    out: &mut Vec<Violation>,
) {
    // A list of one has no repeat to find; the place is built only for a
    // finding (this runs for every EAC an import reads).
    let mut seen = HashSet::new();
    for (i, text) in list.iter().enumerate() {
        if let Some(chars) = crate::text::too_long(text) {
            out.push(Violation::error(
                Rule::RequiredKeys,
                format!("{pointer}/{i}"),
                crate::text::too_long_message(names.a, chars),
            ));
            continue;
        }
        let message = if is_blank(text) {
            format!("{} is {}", names.a, blank_kind(text))
        } else if let Some(message) = id_with_control_character(names.the, text) {
            message
        } else if list.len() > 1 && !seen.insert(text.as_str()) {
            format!("{} `{}` is listed twice", names.item, quote(text))
        } else {
            continue;
        };
        out.push(Violation::error(
            Rule::UniqueStrings,
            format!("{pointer}/{i}"),
            message,
        ));
    }
}

/// Rule 17: unique, non-empty ids. Shared with the beneficiary editor.
pub fn check_beneficiary_list(list: &[String], pointer: &str, out: &mut Vec<Violation>) {
    let names = UniqueStrings {
        a: "a beneficiary id",
        the: "the beneficiary id",
        item: "beneficiary",
    };
    check_unique_strings(list, pointer, &names, out);
}

/// Rules 4 and 17 for an edited assignment, before it is saved.
pub fn check_beneficiaries(kind: BeneficiaryType, list: &[String]) -> Vec<Violation> {
    let mut out = Vec::new();
    if kind == BeneficiaryType::General && !list.is_empty() {
        out.push(Violation::error(
            Rule::GeneralHasNoBeneficiaries,
            "/beneficiaries",
            "beneficiary type `general` requires an empty list",
        ));
    }
    check_beneficiary_list(list, "/beneficiaries", &mut out);
    out
}

/// Listing-wide rules, fed one EAC at a time: unique ids (7) and P1 order (10).
#[derive(Debug, Default)]
pub struct ListingChecks {
    ids: IdsInOrder<P1OrderKey>,
}

impl ListingChecks {
    /// Only the order is checked and no id is remembered, so memory stays
    /// flat at any listing size: for a listing whose ids are unique by
    /// construction (an export reads them from a column with a unique
    /// index) or judged elsewhere (a [`ListingIds`] sees every object's,
    /// valid or not).
    pub fn order_only() -> Self {
        ListingChecks {
            ids: IdsInOrder::order_only(),
        }
    }

    pub fn check(&mut self, eac: &Eac, base: &str) -> Vec<Violation> {
        self.ids.check(
            &eac.cds_eac_id,
            eac.p1_order_key(),
            base,
            "out of listing order: EACs must be sorted by `eac_number` (nulls last), then newest issuance, then `cds_eac_id`",
        )
    }
}

/// Rule 7's finding on the object at `base` whose `cds_eac_id` an earlier
/// object of the listing had.
fn repeated_id(cds_eac_id: &str, base: &str, first: Option<&str>) -> Violation {
    let also = first.map_or_else(String::new, |first| format!(" (also at {first})"));
    Violation::error(
        Rule::UniqueEacId,
        format!("{base}/cds_eac_id"),
        format!(
            "`cds_eac_id` `{}` appears more than once in this file{also}",
            quote(cds_eac_id)
        ),
    )
    .with_eac(Some(cds_eac_id))
}

/// Rule 7 across a listing for every object read, whatever else it
/// breaks: a valid EAC, one with errors of its own and one an import
/// skips for its unknown beneficiary type (rule 21) all hold an id, and a
/// file that lists one id twice is not imported (decision 11). The
/// readers of listings ([`crate::read_listing`], [`crate::p2::read_p2_listing`])
/// and `validate` judge each object's id as written, before or whatever
/// its reading finds.
#[derive(Debug, Default)]
pub struct ListingIds {
    seen: SeenIds,
}

impl ListingIds {
    /// `read`, the object at `/eacs/{index}` whose `cds_eac_id` is `id`
    /// (`None`: missing or not a string, which its reading reports), with
    /// rule 7's error added when an earlier object had the same id: no
    /// longer valid, nor skipped.
    pub fn check<T>(
        &mut self,
        id: Option<&str>,
        index: usize,
        read: ObjectRead<T>,
    ) -> ObjectRead<T> {
        match self.repeated(id, index) {
            Some(v) => read.with_error(v),
            None => read,
        }
    }

    /// Rule 7's error for the object at `/eacs/{index}` with `id`, when an
    /// earlier object had it. An empty id is rule 7's other error, said by
    /// the object's own checks.
    pub fn repeated(&mut self, id: Option<&str>, index: usize) -> Option<Violation> {
        let id = id.filter(|id| !id.is_empty())?;
        let first = self.seen.first_at(id, index as u64)?;
        let first = (first != u64::MAX).then(|| format!("/eacs/{first}"));
        Some(repeated_id(id, &format!("/eacs/{index}"), first.as_deref()))
    }
}

/// Rules 7 (each `cds_eac_id` once) and 10 (the profile's order, by `K`)
/// across a listing, fed one item at a time: P1 EACs and P2 envelopes.
#[derive(Debug)]
pub(crate) struct IdsInOrder<K> {
    seen_ids: SeenIds,
    /// False when the ids are unique by construction (rule 7 holds already).
    remember_ids: bool,
    previous: Option<K>,
}

impl<K> Default for IdsInOrder<K> {
    fn default() -> Self {
        IdsInOrder {
            seen_ids: SeenIds::default(),
            remember_ids: true,
            previous: None,
        }
    }
}

impl<K> IdsInOrder<K> {
    /// Remembering no id: the order alone.
    pub(crate) fn order_only() -> Self {
        IdsInOrder {
            remember_ids: false,
            ..IdsInOrder::default()
        }
    }
}

impl<K: Ord> IdsInOrder<K> {
    /// The item at `base`, with its id and order key; `out_of_order` says
    /// the profile's order.
    pub(crate) fn check(
        &mut self,
        cds_eac_id: &str,
        key: K,
        base: &str,
        out_of_order: &str,
    ) -> Vec<Violation> {
        let mut out = Vec::new();
        if self.remember_ids && !cds_eac_id.is_empty() && !self.seen_ids.insert(cds_eac_id) {
            out.push(repeated_id(cds_eac_id, base, None));
        }
        if self.previous.as_ref().is_some_and(|prev| *prev > key) {
            out.push(
                Violation::error(Rule::ListingOrder, base.to_owned(), out_of_order)
                    .with_eac(Some(cds_eac_id)),
            );
        }
        self.previous = Some(key);
        out
    }
}

/// The ids of a listing seen so far, for rule 7 at any length with memory
/// that stays small (decision 209): the ids themselves while there are at
/// most [`EXACT_IDS`], then the first 96 bits of each id's SHA-256, 12
/// bytes an id instead of the id and a `String` (≈ 100 bytes): the newest
/// in a small hash set, the rest in one sorted list searched by halves
/// (a hash set of a million digests would double its table as it grows).
/// While ids are kept as text each keeps where it was first seen, so a
/// repeat names its first place; once digests take over a repeat is still
/// found but its first place is not kept (4 bytes an id would take a
/// million-EAC import near its 64 MiB target; an index past
/// `u32::MAX - 1` is not kept either). Two different ids are taken for
/// one only when their SHA-256 agree in 96 bits: by chance about once in
/// 10^16 files of ten million ids (n²/2^97), and even a pair made on
/// purpose could only get its own file refused, never a repeat accepted.
/// (128 bits took 4 MB more at a million EACs, near the 64 MiB target.)
#[derive(Debug)]
pub struct SeenIds {
    exact: HashMap<Box<str>, u32>,
    digests: bool,
    sorted: Vec<Digest>,
    recent: HashSet<Digest, BuildDigestHasher>,
    exact_limit: usize,
}

/// How many ids are kept as text before digests take over, and how many
/// digests wait in the hash set before they join the sorted list.
const EXACT_IDS: usize = 65_536;

/// An id's digest: the first 96 bits of its SHA-256.
type Digest = [u8; 12];

impl Default for SeenIds {
    fn default() -> Self {
        SeenIds {
            exact: HashMap::new(),
            digests: false,
            sorted: Vec::new(),
            recent: HashSet::with_hasher(BuildDigestHasher),
            exact_limit: EXACT_IDS,
        }
    }
}

impl SeenIds {
    /// False when `id` was seen before.
    pub fn insert(&mut self, id: &str) -> bool {
        self.first_at(id, u64::MAX).is_none()
    }

    /// Where `id` was first seen (the `at` given then; `u64::MAX` when
    /// that was past what is kept), or `None` when it is new: then
    /// remembered as seen at `at`.
    pub fn first_at(&mut self, id: &str, at: u64) -> Option<u64> {
        let said = |at: u32| match at {
            u32::MAX => u64::MAX,
            at => u64::from(at),
        };
        self.seen_at(id, u32::try_from(at).unwrap_or(u32::MAX))
            .map(said)
    }

    fn seen_at(&mut self, id: &str, at: u32) -> Option<u32> {
        if !self.digests {
            if self.exact.len() < self.exact_limit {
                return match self.exact.entry(Box::from(id)) {
                    std::collections::hash_map::Entry::Occupied(o) => Some(*o.get()),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(at);
                        None
                    }
                };
            }
            self.digests = true;
            self.sorted = std::mem::take(&mut self.exact)
                .keys()
                .map(|s| id_digest(s))
                .collect();
            self.sorted.sort_unstable();
        }
        let digest = id_digest(id);
        if self.sorted.binary_search(&digest).is_ok() || !self.recent.insert(digest) {
            return Some(u32::MAX);
        }
        if self.recent.len() >= self.exact_limit {
            let mut tail: Vec<Digest> = self.recent.drain().collect();
            tail.sort_unstable();
            merge_into(&mut self.sorted, &tail);
        }
        None
    }
}

/// Merges the sorted `tail` into the sorted `sorted` in place, from the
/// back: no scratch buffer. The standard library's stable sort merged the
/// two runs through one of half the list's size (8 MB at a million ids, the
/// largest allocation of a million-EAC import after the list itself).
fn merge_into(sorted: &mut Vec<Digest>, tail: &[Digest]) {
    let mut i = sorted.len();
    let mut j = tail.len();
    sorted.resize(i + j, Digest::default());
    let mut k = sorted.len();
    while j > 0 {
        k -= 1;
        if i > 0 && sorted[i - 1] > tail[j - 1] {
            i -= 1;
            sorted[k] = sorted[i];
        } else {
            j -= 1;
            sorted[k] = tail[j];
        }
    }
}

fn id_digest(id: &str) -> Digest {
    use sha2::Digest as _;
    let full = sha2::Sha256::digest(id.as_bytes());
    let mut out = Digest::default();
    let n = out.len();
    out.copy_from_slice(&full[..n]);
    out
}

/// Digests are already uniform: their first eight bytes are the hash.
#[derive(Debug, Clone, Copy, Default)]
struct BuildDigestHasher;

impl std::hash::BuildHasher for BuildDigestHasher {
    type Hasher = DigestHasher;
    fn build_hasher(&self) -> DigestHasher {
        DigestHasher(0)
    }
}

#[derive(Debug)]
struct DigestHasher(u64);

impl std::hash::Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for (i, b) in bytes.iter().take(8).enumerate() {
            self.0 ^= u64::from(*b) << (8 * i);
        }
    }
}

/// Where the first control character of an id is (Unicode `Cc`: C0 with
/// NUL, DEL, C1), as a message says it: `a control character, U+000A (line
/// feed), at character 4`. No id holds one (a NUL ends it for SQLite, a
/// line break forges lines); free text may.
pub fn control_character(id: &str) -> Option<String> {
    let (i, c) = id.chars().enumerate().find(|(_, c)| c.is_control())?;
    let name = match c {
        '\0' => " (NUL)",
        '\t' => " (tab)",
        '\n' => " (line feed)",
        '\r' => " (carriage return)",
        '\u{1b}' => " (escape)",
        '\u{7f}' => " (delete)",
        _ => "",
    };
    Some(format!(
        "a control character, U+{:04X}{name}, at character {}",
        u32::from(c),
        i + 1
    ))
}

/// The message for an id (`what`: "`cds_eac_id`", "beneficiary id"…)
/// holding a control character, if it holds one.
pub fn id_with_control_character(what: &str, id: &str) -> Option<String> {
    control_character(id).map(|at| {
        format!(
            "{what} holds {at}: ids cannot hold control characters (line breaks, tabs, NUL and the like); remove it"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::SeenIds;

    #[test]
    fn seen_ids_find_every_repeat_before_and_after_digests_take_over() {
        let mut seen = SeenIds {
            exact_limit: 3,
            ..SeenIds::default()
        };
        assert!(seen.insert("a"));
        assert!(seen.insert("b"));
        assert!(!seen.insert("a"));
        assert!(seen.insert("c"));
        assert!(!seen.digests);
        // The fourth id turns the three into digests.
        assert!(seen.insert("d"));
        assert!(seen.exact.is_empty());
        assert_eq!((seen.sorted.len(), seen.recent.len()), (3, 1));
        for id in ["a", "b", "c", "d"] {
            assert!(!seen.insert(id), "{id} seen before");
        }
        for i in 0..10_000 {
            assert!(seen.insert(&format!("id-{i}")));
        }
        // Every three new digests join the sorted list.
        assert!(seen.recent.len() < 3);
        assert!(seen.sorted.windows(2).all(|w| w[0] < w[1]));
        assert!(!seen.insert("id-0"));
        assert!(!seen.insert("id-9999"));
        assert!(seen.insert("A"), "ids differ by case");
    }

    #[test]
    fn merge_into_keeps_every_digest_in_order() {
        let d = |b: u8| [b; 12];
        for (a, b) in [
            (vec![], vec![1, 2]),
            (vec![1, 2], vec![]),
            (vec![1, 3, 5], vec![2, 4, 6]),
            (vec![4, 5, 6], vec![1, 2, 3]),
            (vec![1, 2, 3], vec![7, 8]),
            (vec![1, 9], vec![2, 3, 4, 5]),
        ] {
            let mut sorted: Vec<super::Digest> = a.iter().copied().map(d).collect();
            let tail: Vec<super::Digest> = b.iter().copied().map(d).collect();
            super::merge_into(&mut sorted, &tail);
            let mut all: Vec<u8> = a.iter().chain(&b).copied().collect();
            all.sort_unstable();
            assert_eq!(
                sorted,
                all.into_iter().map(d).collect::<Vec<_>>(),
                "{a:?} + {b:?}"
            );
        }
    }

    /// A repeat names where the id was first seen while ids are kept as
    /// text; once digests take over, a repeat is still found (in the hash
    /// set or the sorted list) but its place is not kept (`u64::MAX`).
    #[test]
    fn seen_ids_say_where_each_id_was_first_while_kept_as_text() {
        let mut seen = SeenIds {
            exact_limit: 3,
            ..SeenIds::default()
        };
        for (i, id) in ["a", "b"].iter().enumerate() {
            assert_eq!(seen.first_at(id, i as u64), None, "{id}");
            assert_eq!(seen.first_at(id, 100 + i as u64), Some(i as u64), "{id}");
        }
        // The third id fills the text set: its repeat finds digests.
        for (i, id) in ["c", "d", "e", "f", "g", "h"].iter().enumerate() {
            assert_eq!(seen.first_at(id, 2 + i as u64), None, "{id}");
            assert_eq!(seen.first_at(id, 100), Some(u64::MAX), "{id}");
        }
        assert!(seen.digests && !seen.sorted.is_empty());
        for id in ["a", "b", "c", "d", "e", "f", "g", "h"] {
            assert_eq!(seen.first_at(id, 200), Some(u64::MAX), "{id}");
        }
    }
}
