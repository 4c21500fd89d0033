//! Checking a file against a profile without importing it.

use std::path::Path;

use eac_model::check::ListingIds;
use eac_model::frame::BorrowedElement;
use eac_model::read::{eac_from_element, element_id, read_array_framed, Origin};
use eac_model::{
    CheckOptions, Eac, EacRead, ExportProfile, Flow, ListingChecks, ListingError, ListingSummary,
    ObjectRead,
};
use serde::{Deserialize, Serialize};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use crate::p2::{ListingSchema, RuleErrors, SchemaFinding, SchemaItem};
use crate::{AppError, Violation};

/// At most this many errors (and as many warnings) are reported per file.
pub const MAX_REPORTED_VIOLATIONS: usize = 1000;

/// Every broken rule of a file, each located (`file`, pointer, and line and
/// column when the JSON itself is malformed). The file is valid when
/// `errors` is empty; warnings never make it invalid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ValidationReport {
    pub errors: Vec<Violation>,
    pub warnings: Vec<Violation>,
}

impl ValidationReport {
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// Adds the schema's findings that do not only repeat a rule error
    /// (see [`RuleErrors`]): a `"TODO"` emission factor is one rule 6
    /// error, not also a schema type error; a `start` without its `end`
    /// one rule 11 error, not also the value's `oneOf`; a missing member
    /// one rule 2 error, not also the object's `required`.
    pub(crate) fn merge_schema(&mut self, schema: Vec<SchemaFinding>) {
        let covered = RuleErrors::of(&self.errors);
        for f in schema {
            if !covered.repeated_by(&f) {
                self.push(f.violation);
            }
        }
    }

    pub(crate) fn push(&mut self, v: Violation) {
        let list = if v.is_error() {
            &mut self.errors
        } else {
            &mut self.warnings
        };
        if list.len() < MAX_REPORTED_VIOLATIONS {
            list.push(v);
        }
    }

    pub(crate) fn extend(&mut self, vs: Vec<Violation>) {
        vs.into_iter().for_each(|v| self.push(v));
    }

    /// Takes in what reading one object of a listing found; a valid object
    /// goes on to `valid` (listing-wide and further checks). Says to stop
    /// once the report holds as many errors as it reports.
    pub(crate) fn take<T>(
        &mut self,
        read: ObjectRead<T>,
        valid: impl FnOnce(&mut Self, Box<T>),
    ) -> Flow {
        match read {
            ObjectRead::Valid { eac, warnings } => {
                self.extend(warnings);
                valid(self, eac);
            }
            ObjectRead::Ignored { warnings } => self.extend(warnings),
            ObjectRead::Invalid { violations } => self.extend(violations),
        }
        if self.errors.len() >= MAX_REPORTED_VIOLATIONS {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    /// Ends the report of the listing file `path`: what its reading found
    /// across the listing (an I/O failure fails the validation instead), the
    /// schema's findings where the rules found nothing, and `path` as the
    /// file of every finding that names no other.
    pub(crate) fn finish_listing(
        mut self,
        path: &Path,
        outcome: Result<ListingSummary, ListingError>,
        schema: Vec<SchemaFinding>,
    ) -> Result<Self, AppError> {
        match outcome {
            Ok(summary) => self.extend(summary.violations),
            Err(ListingError::Malformed(v)) => self.push(v),
            Err(ListingError::Io(e)) => return Err(AppError::io(path, &e)),
            // Stopped at the cap: the report is as full as it gets.
            Err(ListingError::Stopped) => {}
        }
        self.merge_schema(schema);
        let label = path.display().to_string();
        for v in self.errors.iter_mut().chain(self.warnings.iter_mut()) {
            if v.file.is_none() {
                v.file = Some(label.clone());
            }
        }
        Ok(self)
    }
}

/// Reads `path` as a stream and checks every rule of `profile` as a
/// strict validator (or an export) would: missing emission factors are
/// errors here, and the listing must be in order with unique ids.
pub fn validate_file(
    path: &Path,
    profile: ExportProfile,
    allow_extended_technologies: bool,
) -> Result<ValidationReport, AppError> {
    if profile == ExportProfile::P2 {
        return crate::p2::validate_p2(path, allow_extended_technologies);
    }
    // A folder is a P2 bundle: said so, with what checks it (it was "Could
    // not read or write DIR: is a directory"), in the app as on the
    // command line.
    if path.is_dir() {
        let dir = path.display();
        return Err(AppError::invalid_input(format!(
            "{dir} is a folder, and a P1 listing is one JSON file: give the file's path. A P2 \
             bundle folder is validated with --profile p2 (`eacdesk validate --profile p2 {dir}`)"
        )));
    }
    // A regular file only: a named pipe is named, never waited on (a plain
    // open blocked until the process was killed).
    let file = crate::named::open_named(
        path,
        "EAC Desk validates a P1 listing only from a file",
        "Save the listing to a file and validate that file.",
    )?;
    validate_p1(file, path, allow_extended_technologies)
}

/// [`validate_file`] of a P1 listing already open (an evidence pack's,
/// opened as its files are); `path` names it.
pub(crate) fn validate_p1(
    file: impl std::io::Read,
    path: &Path,
    allow_extended_technologies: bool,
) -> Result<ValidationReport, AppError> {
    let opts = CheckOptions::validate().with_extended_technologies(allow_extended_technologies);
    // One reading (issue 16): the reading thread frames the file, parses
    // each element and reads the EACs of most of it by the rules; a worker
    // judges every element by the JSON Schema and reads the rest by the
    // rules (from the element's text, parsed again), so that the two
    // threads are about as busy. Their findings are taken in document
    // order, with what spans the listing (order, unique ids) and the cap,
    // as one thread would.
    let schema_full = AtomicBool::new(false);
    let mut collector = Collector::default();
    let outcome = std::thread::scope(|scope| {
        let (to_worker, elements) = mpsc::sync_channel::<Batch>(BATCHES_AHEAD);
        // Unbounded: the reading thread takes results after each batch it
        // sends, so at most a few batches wait here.
        let (judged, from_worker) = mpsc::channel::<Vec<Judged>>();
        let schema_full = &schema_full;
        let worker = scope.spawn(move || {
            for Batch { text, items, trash } in elements {
                // Freed by the thread that allocated them.
                drop(trash);
                let batch = items
                    .into_iter()
                    .map(|(index, body, rules)| {
                        judge(index, body.of(&text), rules, opts, schema_full)
                    })
                    .collect();
                if judged.send(batch).is_err() {
                    break;
                }
            }
        });
        let mut batch = Batch::default();
        let outcome = read_array_framed(file, "eacs", |index, element, origin| {
            let here = index % BATCH < READ_HERE;
            // Rule 7 in document order, for every element whatever else
            // it breaks (as an import judges it).
            let repeated = collector
                .ids
                .repeated(element_id(&element).as_deref(), index);
            collector.here.push_back(Here {
                read: here.then(|| eac_from_element(index, &element, origin, opts)),
                repeated,
            });
            let body = match origin {
                Some(origin) => {
                    let at = batch.text.len();
                    batch.text.push_str(origin.text);
                    Body::Text(at..batch.text.len(), origin.place)
                }
                // Rebuilt owned: the streaming reader's elements are rare
                // (what the framing did not expect).
                None => Body::Element(element.into_owned()),
            };
            batch.items.push((index, body, !here));
            if batch.items.len() == BATCH {
                let mut full = std::mem::take(&mut batch);
                full.trash = std::mem::take(&mut collector.trash);
                // Fails only if the worker panicked: `join` says so below.
                let _ = to_worker.send(full);
                while let Ok(judged) = from_worker.try_recv() {
                    collector.take(judged, schema_full);
                }
            }
            if collector.stopped {
                Flow::Stop
            } else {
                Flow::Continue
            }
        });
        if !batch.items.is_empty() {
            let _ = to_worker.send(batch);
        }
        drop(to_worker);
        for judged in from_worker.iter() {
            collector.take(judged, schema_full);
        }
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        outcome
    });
    let Collector {
        report,
        schema,
        stopped,
        ..
    } = collector;
    // Stopped at the cap: nothing after that element was judged, as when
    // the reading itself stopped there.
    let outcome = if stopped {
        Err(ListingError::Stopped)
    } else {
        outcome
    };
    report.finish_listing(path, outcome, schema)
}

/// The findings of a listing's elements, taken in document order.
struct Collector {
    report: ValidationReport,
    /// Rule 7 over every element, judged as the reading thread frames them.
    ids: ListingIds,
    /// Rule 10 over the valid EACs.
    listing: ListingChecks,
    schema: Vec<SchemaFinding>,
    /// What the reading thread found of each element sent to the worker,
    /// in document order.
    here: std::collections::VecDeque<Here>,
    /// The report is full: the rest is not judged.
    stopped: bool,
    /// EACs the worker read, done with: sent back to be freed there (the
    /// boxes too: each allocation freed by the thread that made it).
    #[allow(clippy::vec_box)]
    trash: Vec<Box<Eac>>,
}

impl Default for Collector {
    fn default() -> Self {
        Collector {
            report: ValidationReport::default(),
            ids: ListingIds::default(),
            listing: ListingChecks::order_only(),
            schema: Vec::new(),
            here: std::collections::VecDeque::new(),
            stopped: false,
            trash: Vec::new(),
        }
    }
}

/// What the reading thread found of one element.
struct Here {
    /// The EAC, when read here (`None`: the worker reads it).
    read: Option<EacRead>,
    /// Rule 7: its id was an earlier element's.
    repeated: Option<Violation>,
}

impl Collector {
    fn take(&mut self, judged: Vec<Judged>, schema_full: &AtomicBool) {
        for Judged {
            index,
            read,
            findings,
        } in judged
        {
            let Here {
                read: here,
                repeated,
            } = self
                .here
                .pop_front()
                .expect("one entry per element sent to the worker");
            if self.stopped {
                continue;
            }
            // As a separate pass did: full, the rest is not checked.
            if self.schema.len() < MAX_REPORTED_VIOLATIONS {
                self.schema.extend(findings);
                if self.schema.len() >= MAX_REPORTED_VIOLATIONS {
                    schema_full.store(true, Ordering::Relaxed);
                }
            }
            let (read, there) = match (read, here) {
                (Some(read), _) => (read, true),
                (None, Some(read)) => (read, false),
                (None, None) => unreachable!("each element is read by one of the threads"),
            };
            let read = match repeated {
                Some(v) => read.with_error(v),
                None => read,
            };
            let (listing, trash) = (&mut self.listing, &mut self.trash);
            let flow = self.report.take(read, |report, eac| {
                report.extend(listing.check(&eac, &format!("/eacs/{index}")));
                if there {
                    trash.push(eac);
                }
            });
            self.stopped = flow == Flow::Stop;
        }
    }
}

/// Elements on their way to the worker: their texts (one allocation), and
/// for each its index, body and whether the worker reads it by the rules.
#[derive(Default)]
struct Batch {
    text: String,
    items: Vec<(usize, Body, bool)>,
    #[allow(clippy::vec_box)]
    trash: Vec<Box<Eac>>,
}

/// An element on its way to the worker: where its JSON text as framed is
/// in the batch's text and where it is in the file, or the streaming
/// reader's element.
enum Body {
    Text(std::ops::Range<usize>, eac_model::place::Place),
    Element(eac_model::strict::Element),
}

impl Body {
    fn of(self, text: &str) -> Item<'_> {
        match self {
            Body::Text(range, place) => Item::Text(Origin {
                text: &text[range],
                place,
            }),
            Body::Element(element) => Item::Element(element),
        }
    }
}

/// An element as the worker judges it.
enum Item<'t> {
    Text(Origin<'t>),
    Element(eac_model::strict::Element),
}

/// What the worker found of one element.
struct Judged {
    index: usize,
    /// The EAC, when the worker read it.
    read: Option<EacRead>,
    /// The schema's findings (none once the collector has as many as it
    /// reports: it takes no more).
    findings: Vec<SchemaFinding>,
}

/// Judges the element at `index` by the JSON Schema, and reads it by the
/// rules when `rules`.
fn judge(
    index: usize,
    body: Item<'_>,
    rules: bool,
    opts: CheckOptions,
    schema_full: &AtomicBool,
) -> Judged {
    let mut schema = ListingSchema::new(crate::SchemaKind::P1Listing);
    let check_schema = !schema_full.load(Ordering::Relaxed);
    let read = match body {
        Item::Text(origin) => {
            let text = origin.text;
            let read = rules.then(|| match serde_json::from_str::<BorrowedElement>(text) {
                Ok(element) => eac_from_element(index, &element, Some(origin), opts),
                Err(_) => unreachable!("a framed element parses again"),
            });
            if check_schema {
                schema.check_item(index, SchemaItem::Text(text));
            }
            read
        }
        Item::Element(element) => {
            let read = rules
                .then(|| eac_from_element(index, &BorrowedElement::view(&element), None, opts));
            if check_schema {
                schema.check_item(index, SchemaItem::Element(element));
            }
            read
        }
    };
    Judged {
        index,
        read,
        findings: schema.into_findings(),
    }
}

/// Elements sent to the worker at a time, of which the reading thread
/// reads the first `READ_HERE` by the rules (the worker the others), and
/// batches waiting at most (memory: a few hundred elements).
const BATCH: usize = 64;
const READ_HERE: usize = 40;
const BATCHES_AHEAD: usize = 4;

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A folder given where a P1 listing is expected is refused by
    /// `validate_file` itself, saying that a P2 bundle folder takes the P2
    /// profile: the refusal lived only in the CLI, and the app got "Could
    /// not read or write DIR: is a directory".
    #[test]
    fn a_folder_validated_as_p1_is_refused_naming_the_p2_profile() {
        let dir = tempfile::TempDir::new().unwrap();
        let bundle = dir.path().join("bundle");
        std::fs::create_dir(&bundle).unwrap();
        let e = validate_file(&bundle, ExportProfile::P1, false).unwrap_err();
        assert_eq!(e.code, "invalid_input", "{e:?}");
        assert_eq!(
            e.message,
            format!(
                "{} is a folder, and a P1 listing is one JSON file: give the file's path. A P2 \
                 bundle folder is validated with --profile p2 (`eacdesk validate --profile p2 \
                 {}`)",
                bundle.display(),
                bundle.display()
            )
        );
    }

    fn example(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/spec-examples")
            .join(name)
    }

    fn validate(name: &str) -> ValidationReport {
        validate_file(&example(name), ExportProfile::P1, false).unwrap()
    }

    #[test]
    fn good_examples_in_order_are_valid() {
        for name in [
            "good-p1-overview-endpoint.json",
            "good-p1-overview-monthly.json",
        ] {
            let report = validate(name);
            assert!(report.is_valid(), "{name}: {report:#?}");
        }
    }

    #[test]
    fn mixed_value_styles_example_is_valid() {
        let report = validate("good-p1-mixed-order.json");
        assert!(report.is_valid(), "{report:#?}");
    }

    #[test]
    fn out_of_order_listing_breaks_rule_10() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reversed.json");
        let eac = |name| {
            let text = std::fs::read_to_string(example(name)).unwrap();
            serde_json::from_str::<serde_json::Value>(&text).unwrap()["eacs"][0].clone()
        };
        let listing = serde_json::json!({
            "eacs": [eac("good-p1-overview-monthly.json"), eac("good-p1-overview-endpoint.json")],
            "next": null, "previous": null
        });
        std::fs::write(&path, listing.to_string()).unwrap();
        let report = validate_file(&path, ExportProfile::P1, false).unwrap();
        let rules: Vec<u8> = report.errors.iter().map(|v| v.rule).collect();
        assert_eq!(rules, vec![10], "{report:#?}");
    }

    #[test]
    fn malformed_json_is_one_located_error() {
        let report = validate("bad-p1-overview-not-json.json");
        assert_eq!(report.errors.len(), 1, "{report:#?}");
        let v = &report.errors[0];
        assert_eq!(v.rule, 20);
        assert!(v.line.is_some() && v.column.is_some());
        assert!(v
            .file
            .as_deref()
            .unwrap()
            .ends_with("bad-p1-overview-not-json.json"));
        assert!(v.to_string().contains("error (rule 20)"));
    }

    #[test]
    fn todo_emission_factors_are_errors() {
        let report = validate("bad-p1-todo-emissions.json");
        let rules: Vec<u8> = report.errors.iter().map(|v| v.rule).collect();
        assert_eq!(rules, vec![6, 6]);
        assert!(report
            .errors
            .iter()
            .all(|v| v.cds_eac_id.as_deref() == Some("101010101-10")));
    }

    #[test]
    fn duplicates_and_caps() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dup.json");
        let eac = std::fs::read_to_string(example("good-p1-overview-endpoint.json")).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&eac).unwrap();
        let one = doc["eacs"][0].clone();
        let listing = serde_json::json!({"eacs": [one, one], "next": null, "previous": "nope"});
        std::fs::write(&path, listing.to_string()).unwrap();
        let report = validate_file(&path, ExportProfile::P1, false).unwrap();
        let rules: Vec<u8> = report.errors.iter().map(|v| v.rule).collect();
        assert!(rules.contains(&7) && rules.contains(&1), "{report:#?}");
    }

    /// A number an earlier version stored (it took `1e400` on import) is
    /// refused by every export in the reader's own words: the field, the
    /// EAC and the cause, not a schema engine's `null is not of type`.
    #[test]
    fn export_names_field_eac_and_cause_of_a_stored_number_beyond_a_double() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("desk.sqlite");
        let mut store = eac_store::Store::open(&db).unwrap();
        store
            .import_file(
                &example("good-p1-overview-monthly.json"),
                eac_store::ImportOptions::default(),
                &eac_store::NoProgress,
            )
            .unwrap();
        drop(store);
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute(
            "UPDATE eac_values SET value = '1e400' WHERE position = 0",
            [],
        )
        .unwrap();
        drop(conn);
        let mut store = eac_store::Store::open(&db).unwrap();
        for profile in [ExportProfile::P1, ExportProfile::P2] {
            let dest = dir.path().join(format!("out-{profile:?}"));
            let e = crate::export(&mut store, profile, None, &dest, &eac_store::NoProgress)
                .unwrap_err();
            assert!(e.is_validation(), "{profile:?}: {e:?}");
            assert!(!e.message.contains("emission factors"), "{}", e.message);
            let vs = e.violations();
            let v = vs
                .iter()
                .find(|v| v.pointer.ends_with("/values/0/value"))
                .unwrap_or_else(|| panic!("{profile:?}: {vs:#?}"));
            assert_eq!(v.rule, 6);
            assert!(v.cds_eac_id.is_some(), "{v}");
            assert!(v.message.contains("`1e400` is too large"), "{v}");
            assert!(
                vs.iter().all(|v| !v.message.contains("is not of type")),
                "{vs:#?}"
            );
            assert!(!dest.exists());
        }
    }

    /// The JSON Schema engine never sees a number as a float: a number no
    /// double holds, in an extension member of a value, is kept as written
    /// and passes both the rules and the schema.
    #[test]
    fn numbers_in_extensions_reach_the_schema_as_stand_ins() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/rules/rule-21-number-beyond-a-double-in-extensions.json");
        let report = validate_file(&path, ExportProfile::P1, false).unwrap();
        assert!(report.is_valid(), "{report:#?}");
    }

    /// Elements read by the rules on two threads are reported in document
    /// order, and the cap holds: 1,000 errors, then nothing more is read.
    #[test]
    fn findings_come_in_document_order_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("many.json");
        let text = std::fs::read_to_string(example("good-p1-overview-endpoint.json")).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let eacs: Vec<serde_json::Value> = (0..1500)
            .map(|i| {
                let mut eac = doc["eacs"][0].clone();
                eac["cds_eac_id"] = format!("ID-{i:05}").into();
                eac["technology_type"] = "sunlight".into();
                eac
            })
            .collect();
        let listing = serde_json::json!({"eacs": eacs, "next": null, "previous": "x"});
        std::fs::write(&path, listing.to_string()).unwrap();
        let report = validate_file(&path, ExportProfile::P1, false).unwrap();
        assert_eq!(report.errors.len(), MAX_REPORTED_VIOLATIONS);
        let indexes: Vec<usize> = report
            .errors
            .iter()
            .map(|v| v.pointer.split('/').nth(2).unwrap().parse().unwrap())
            .collect();
        assert_eq!(indexes, (0..MAX_REPORTED_VIOLATIONS).collect::<Vec<_>>());
        assert!(report.errors.iter().all(|v| v.rule == 3), "{report:#?}");
        // Stopped at the cap: `previous` (after the array) was never read.
        assert!(report.errors.iter().all(|v| v.pointer != "/previous"));
        assert_eq!(
            validate_file(&path, ExportProfile::P1, false).unwrap(),
            report
        );
    }

    /// One EAC of the tester's report (session 34), as a JSON value.
    fn eac(id: &str, beneficiary_type: &str) -> serde_json::Value {
        serde_json::json!({
            "cds_eac_id": id, "cds_created": "2024-01-01T00:00:00Z",
            "cds_modified": "2024-01-02T00:00:00Z", "eac_number": "N1",
            "source_id": "S", "source_name": "S", "destination_id": "D", "destination_name": "D",
            "beneficiary_type": beneficiary_type, "beneficiaries": ["A1"], "asset_id": "A",
            "asset_origination": "grid", "asset_destination": "grid", "technology_type": "solar",
            "emissions_factor_direct": 0, "emissions_factor_lca": 0,
            "period_start": "2024-01-01T00:00:00Z", "period_end": "2024-02-01T00:00:00Z",
            "values": [{"eac_number": null, "issued": "2024-02-05", "retired": null,
                        "start": null, "end": null, "unit": "kWh", "value": 1}]
        })
    }

    /// Every error of a listing as `rule pointer`, in the report's order.
    fn errors_of(text: &str) -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("listing.json");
        std::fs::write(&path, text).unwrap();
        let report = validate_file(&path, ExportProfile::P1, false).unwrap();
        report
            .errors
            .iter()
            .map(|v| format!("{} {}", v.rule, v.pointer))
            .collect()
    }

    fn listing(items: &[serde_json::Value]) -> String {
        serde_json::json!({"eacs": items, "next": null, "previous": null}).to_string()
    }

    /// Rule 7 is judged for every element, whatever else it breaks: a
    /// type outside P1's list (rule 3) or a negative quantity (16) is
    /// reported beside it, not instead of it (decisions 11, 18).
    #[test]
    fn an_id_listed_twice_is_named_whatever_else_the_element_breaks() {
        let text = listing(&[eac("E1", "account"), eac("E1", "household")]);
        assert_eq!(
            errors_of(&text),
            ["3 /eacs/1/beneficiary_type", "7 /eacs/1/cds_eac_id"]
        );
        let mut negative = eac("E1", "account");
        negative["values"][0]["value"] = (-5).into();
        let text = listing(&[eac("E1", "account"), negative]);
        assert_eq!(
            errors_of(&text),
            ["16 /eacs/1/values/0/value", "7 /eacs/1/cds_eac_id"]
        );
        // Past the first batch the worker reads: still in document order.
        let mut many: Vec<serde_json::Value> = (0..150)
            .map(|i| eac(&format!("E{i:03}"), "account"))
            .collect();
        many[120] = eac("E007", "household");
        assert_eq!(
            errors_of(&listing(&many)),
            ["3 /eacs/120/beneficiary_type", "7 /eacs/120/cds_eac_id"]
        );
    }

    /// An EAC whose type `validate` refuses is judged by every other rule
    /// too, in the rules' words (rule 16, not a schema rule 2 error), and
    /// each violation once.
    #[test]
    fn an_unknown_beneficiary_type_leaves_the_other_rules_to_the_rules() {
        let mut d = eac("E1", "household");
        d["period_end"] = "2023-01-01T00:00:00Z".into();
        d["values"][0]["value"] = (-5).into();
        assert_eq!(
            errors_of(&listing(&[d])),
            [
                "3 /eacs/0/beneficiary_type",
                "8 /eacs/0/period_end",
                "16 /eacs/0/values/0/value"
            ]
        );
    }

    /// A list entry that is not a string is one error at its place, as an
    /// import reports it (the schema's finding there is left out).
    #[test]
    fn a_list_entry_that_is_not_a_string_is_one_error_at_its_place() {
        let mut d = eac("E1", "account");
        d["beneficiaries"] = serde_json::json!([1]);
        assert_eq!(errors_of(&listing(&[d])), ["2 /eacs/0/beneficiaries/0"]);
    }

    /// A value nested past 128 levels inside a value object is one rule 20
    /// error at its member (decision 58), as an import reports it; the
    /// schema check that could not read `values` adds nothing, and names
    /// no line or column the file does not have.
    #[test]
    fn deep_nesting_inside_a_value_is_one_error_at_its_member() {
        let deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
        for pretty in [false, true] {
            let d = eac("E1", "account");
            let text = if pretty {
                serde_json::to_string_pretty(
                    &serde_json::json!({"eacs": [d], "next": null, "previous": null}),
                )
                .unwrap()
            } else {
                listing(&[d])
            };
            let text = text
                .replacen(r#""value":1"#, &format!(r#""value":1,"x_deep":{deep}"#), 1)
                .replacen(
                    r#""value": 1"#,
                    &format!(r#""value": 1, "x_deep": {deep}"#),
                    1,
                );
            assert_eq!(errors_of(&text), ["20 /eacs/0/values/0/x_deep"], "{pretty}");
        }
        // Where no rule names the place, the schema's finding stays, in
        // words and without a place inside the member.
        let mut schema = crate::p2::ListingSchema::new(crate::SchemaKind::P1Listing);
        let element = format!(r#"{{"cds_eac_id": "x", "values": [{{"x": {deep}}}]}}"#);
        schema.check_item(0, SchemaItem::Text(&element));
        let found: Vec<String> = (schema.into_findings().into_iter())
            .map(|f| f.violation.to_string())
            .collect();
        assert_eq!(
            found,
            ["error (rule 20) at /eacs/0/values [EAC x]: could not be checked against the schema: \
              it nests arrays and objects more than 128 levels deep"]
        );
    }

    #[test]
    fn missing_file_is_refused() {
        let e =
            validate_file(Path::new("/no/such/file.json"), ExportProfile::P1, false).unwrap_err();
        assert_eq!(e.code, "io");
    }
}
