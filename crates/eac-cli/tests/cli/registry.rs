//! Registry documents through `eacdesk`: importing every real sample (the
//! format found from the content or forced), dry runs, refused files,
//! incomplete EACs completed with `set` until a P1 export validates, the
//! double-counting check, saved CSV mappings and the source documents kept.

use super::snapshots::mask_now;
use super::*;

/// A real registry sample of `crates/eac-registry/tests/fixtures`.
fn sample(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../eac-registry/tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// A fixture of this crate (`tests/fixtures`).
fn own(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

const IREC: &str = "irec:0000-0000-6529-5750.000000..0000-0000-6529-5761.999999";
const WALNEY: &str =
    "ofgem:G01177FWEN0000251285010323310323GEN..G01177FWEN0000256284010323310323GEN";
const WALNEY_OVERLAP: &str =
    "ofgem:G01177FWEN0000256000010323310323GEN..G01177FWEN0000257000010323310323GEN";
const WALNEY_ADJACENT: &str =
    "ofgem:G01177FWEN0000251000010323310323GEN..G01177FWEN0000251284010323310323GEN";

/// The fields every registry sample leaves out (no registry prints them).
const NEVER_GIVEN: &[&str] = &[
    "destination_id",
    "destination_name",
    "beneficiary_type",
    "asset_origination",
    "asset_destination",
    "emissions_factor_direct",
    "emissions_factor_lca",
];

impl Desk {
    /// `import --json` of files that all import; the per-file reports.
    fn import_json(&self, args: &[&str]) -> Vec<Value> {
        let out = self
            .eacdesk()
            .arg("import")
            .args(args)
            .arg("--json")
            .assert()
            .success();
        let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
        report["files"].as_array().unwrap().clone()
    }

    /// The `ls --json` row of one EAC.
    fn row(&self, id: &str) -> Value {
        let listing = self.json(&["ls", "--limit", "1000"]);
        listing["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["cds_eac_id"] == id)
            .unwrap_or_else(|| panic!("{id} is not listed"))
            .clone()
    }

    fn filtered_count(&self, filters: &[&str]) -> u64 {
        self.json(&[&["ls"], filters].concat())["summary"]["count"]
            .as_u64()
            .unwrap()
    }

    /// Every file of the database (main file, journal, WAL), by name.
    fn database_files(&self) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name().to_string_lossy().starts_with("desk.sqlite"))
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    }
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// `missing_fields` of a report as (field, EACs).
fn missing_counts(registry: &Value) -> Vec<(String, u64)> {
    registry["missing_fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["field"].as_str().unwrap().to_owned(),
                m["eacs"].as_u64().unwrap(),
            )
        })
        .collect()
}

struct Expected {
    file: &'static str,
    format: &'static str,
    format_name: &'static str,
    added: u64,
    skipped_rows: usize,
    /// Missing beyond NEVER_GIVEN (which every EAC lacks), with the EACs.
    also_missing: &'static [(&'static str, u64)],
    /// One EAC of it: id, retired state, quantity.
    eac: (&'static str, &'static str, &'static str, &'static str),
}

#[test]
fn every_registry_sample_imports_with_its_format_counts_and_missing_fields() {
    let cases = [
        Expected {
            file: "ofgem/certificates-sample.csv",
            format: "ofgem-csv",
            format_name: "Ofgem certificates report (CSV)",
            added: 10,
            skipped_rows: 0,
            also_missing: &[],
            eac: (WALNEY, "yes", "5000", "MWh"),
        },
        Expected {
            file: "ofgem/certificates-report-sample.xml",
            format: "ofgem-xml",
            format_name: "Ofgem certificates report (XML)",
            added: 4,
            skipped_rows: 1,
            also_missing: &[],
            eac: (
                "ofgem:G00479NWNI0000000000010116310116GEN..G00479NWNI0000000043010116310116GEN",
                "no",
                "44",
                "MWh",
            ),
        },
        Expected {
            file: "irec/redemption-statement-sample.pdf",
            format: "irec-pdf",
            format_name: "I-REC redemption statement (PDF)",
            added: 1,
            skipped_rows: 0,
            // The statement proves the redemption but prints neither date.
            also_missing: &[("issued", 1), ("retired", 1)],
            // Proven retired (redeemed), on a date still to be entered.
            eac: (IREC, "yes", "12.000000", "MWh"),
        },
        Expected {
            file: "eecs-go/dk-cancellation-statement-sample.pdf",
            format: "go-pdf",
            format_name: "Guarantee of Origin cancellation statement (PDF)",
            added: 1,
            skipped_rows: 0,
            also_missing: &[],
            eac: (
                "eecs:643002406555900210000164308649..643002406555900210000164308651",
                "yes",
                "3",
                "MWh",
            ),
        },
        Expected {
            file: "eecs-go/necs-cancellation-statement-sample.pdf",
            format: "go-pdf",
            format_name: "Guarantee of Origin cancellation statement (PDF)",
            added: 1,
            skipped_rows: 0,
            also_missing: &[],
            eac: (
                "eecs:708000340067300000000071882260..708000340067300000000071882352",
                "yes",
                "93",
                "MWh",
            ),
        },
        Expected {
            file: "mrets/retirement-confirmation-sample.pdf",
            format: "mrets-pdf",
            format_name: "M-RETS retirement confirmation (PDF)",
            added: 1,
            skipped_rows: 0,
            also_missing: &[("issued", 1)],
            eac: (
                "mrets:2194-ND-07-2020-CAC76615-56217..2194-ND-07-2020-CAC76615-58010",
                "yes",
                "1794",
                "MWh",
            ),
        },
        Expected {
            file: "mrets/certificates.csv",
            format: "mrets-csv",
            format_name: "M-RETS certificates download (CSV)",
            added: 5,
            skipped_rows: 0,
            // Landfill gas has no CDS technology type: left missing.
            also_missing: &[("issued", 5), ("technology_type", 2)],
            eac: (
                "mrets:M1234-MN-03-2021-AB12CD34-1..M1234-MN-03-2021-AB12CD34-250",
                "no",
                "250",
                "MWh",
            ),
        },
        Expected {
            file: "energytag/bundles.json",
            format: "energytag",
            format_name: "EnergyTag granular certificate bundles (JSON)",
            added: 6,
            skipped_rows: 2,
            also_missing: &[("issued", 6), ("retired", 2), ("technology_type", 1)],
            eac: ("energytag:GCOS Registry:1:0..999", "no", "1000", "Wh"),
        },
    ];
    for case in &cases {
        let desk = Desk::new();
        let path = sample(case.file);
        // EnergyTag's bundles include nuclear and storage (decision 9).
        let reports = match case.file.starts_with("energytag/") {
            true => desk.import_json(&[&path, "--allow-extended-technologies"]),
            false => desk.import_json(&[&path]),
        };
        let f = &reports[0];
        let r = &f["registry"];
        let what = case.file;
        assert_eq!(f["outcome"], "imported", "{what}");
        assert_eq!(r["format"], case.format, "{what}");
        assert_eq!(r["format_name"], case.format_name, "{what}");
        assert_eq!(f["added"], case.added, "{what}");
        assert_eq!(f["replaced"], 0, "{what}");
        assert_eq!(r["unchanged"], 0, "{what}");
        assert_eq!(r["seen_before"], Value::Null, "{what}");
        assert_eq!(
            r["skipped_rows"].as_array().unwrap().len(),
            case.skipped_rows,
            "{what}"
        );
        assert!(r["skipped_rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| !s["place"].as_str().unwrap().is_empty()
                && !s["reason"].as_str().unwrap().is_empty()));
        assert_eq!(r["overlaps"].as_array().unwrap().len(), 0, "{what}");
        assert_eq!(r["incomplete_eacs"], case.added, "{what}");
        let mut expected: Vec<(String, u64)> = NEVER_GIVEN
            .iter()
            .map(|n| (n.to_string(), case.added))
            .collect();
        expected.extend(case.also_missing.iter().map(|(n, c)| (n.to_string(), *c)));
        let mut got = missing_counts(r);
        expected.sort();
        got.sort();
        assert_eq!(got, expected, "{what}");

        assert_eq!(desk.count(), case.added, "{what}");
        assert_eq!(desk.filtered_count(&["--incomplete"]), case.added, "{what}");
        assert_eq!(desk.filtered_count(&["--complete"]), 0, "{what}");
        let (id, retired, total, unit) = case.eac;
        let row = desk.row(id);
        assert_eq!(row["retired_state"], retired, "{what}");
        assert_eq!(row["quantities"][0]["total"], total, "{what}");
        assert_eq!(row["quantities"][0]["unit"], unit, "{what}");
        for field in NEVER_GIVEN {
            assert!(
                names(&row["missing"]).contains(&field.to_string()),
                "{what}"
            );
        }
        let sources = desk.json(&["show", id])["sources"].clone();
        assert_eq!(sources.as_array().unwrap().len(), 1, "{what}");
        assert_eq!(sources[0]["format"], case.format, "{what}");
        assert_eq!(sources[0]["sha256"], f["sha256"], "{what}");
        assert_eq!(
            sources[0]["size"].as_u64().unwrap(),
            std::fs::metadata(sample(case.file)).unwrap().len(),
            "{what}"
        );
    }
}

#[test]
fn a_stations_report_fills_the_commissioning_dates_of_stored_eacs() {
    let desk = Desk::new();
    desk.import_json(&[&sample("ofgem/certificates-sample.csv")]);
    assert_eq!(
        desk.json(&["show", WALNEY])["asset_commissioned"],
        Value::Null
    );
    let reports = desk.import_json(&[&sample("ofgem/accredited-stations-sample.csv")]);
    let r = &reports[0]["registry"];
    assert_eq!(r["format"], "ofgem-stations");
    assert_eq!(reports[0]["added"], 0);
    assert_eq!(r["stations"], 5);
    // Walney Extension (2 ranges) and Triton Knoll (3); Drax is not in it.
    assert_eq!(r["commissioned_filled"], 5);
    assert_eq!(
        desk.json(&["show", WALNEY])["asset_commissioned"],
        "2017-09-02"
    );
}

#[test]
fn reimporting_a_document_adds_nothing_and_says_when_it_was_imported() {
    let desk = Desk::new();
    let file = sample("irec/redemption-statement-sample.pdf");
    desk.import_json(&[&file]);
    let again = desk.import_json(&[&file]);
    let r = &again[0]["registry"];
    assert_eq!(again[0]["added"], 0);
    assert_eq!(again[0]["replaced"], 0);
    assert_eq!(r["unchanged"], 1);
    assert_eq!(
        r["seen_before"]["file_name"],
        "redemption-statement-sample.pdf"
    );
    desk.eacdesk()
        .args(["import", &file])
        .assert()
        .success()
        .stdout(contains("0 EACs added, 0 replaced, 1 unchanged"))
        .stdout(is_match(
            r"already imported on \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ as redemption-statement-sample\.pdf: nothing added",
        )
        .unwrap());
    assert_eq!(desk.count(), 1);
}

#[test]
fn a_dry_run_reports_what_would_be_added_and_writes_nothing() {
    let desk = Desk::new();
    desk.import_json(&[&sample("ofgem/certificates-sample.csv")]);
    let before = desk.database_files();
    let out = desk
        .eacdesk()
        .args([
            "import",
            "--dry-run",
            "--json",
            &sample("mrets/certificates.csv"),
            &sample("ofgem/certificates-sample.csv"),
        ])
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["dry_run"], true);
    assert_eq!(report["files"][0]["added"], 5);
    assert_eq!(report["files"][0]["registry"]["incomplete_eacs"], 5);
    assert_eq!(report["files"][1]["added"], 0);
    assert_eq!(report["files"][1]["registry"]["unchanged"], 10);
    desk.eacdesk()
        .args(["import", "--dry-run", &sample("mrets/certificates.csv")])
        .assert()
        .success()
        .stdout(contains("Would import "))
        .stdout(contains("5 EACs to add, 0 to replace, 0 unchanged"))
        .stdout(contains("Dry run: nothing was written to the database."));
    assert_eq!(desk.database_files(), before);
    assert_eq!(desk.count(), 10);
}

/// A PDF file of `header` and `objects` (object 1 the catalog), numbered
/// from 1, with its cross-reference table and trailer.
fn pdf_of(header: &[u8], objects: &[Vec<u8>]) -> Vec<u8> {
    let mut pdf = header.to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(o);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        pdf.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// A one-page PDF that is no statement (a newsletter).
fn newsletter_pdf() -> Vec<u8> {
    let content = b"BT /F1 12 Tf 72 720 Td (Quarterly newsletter: no certificates here) Tj ET";
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        [
            format!("<< /Length {} >>\nstream\n", content.len()).as_bytes(),
            content,
            b"\nendstream",
        ]
        .concat(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    pdf_of(b"%PDF-1.4\n", &objects)
}

#[test]
fn a_pdf_that_is_no_statement_is_refused_naming_the_file_and_the_others_import() {
    let desk = Desk::new();
    std::fs::write(desk.path("newsletter.pdf"), newsletter_pdf()).unwrap();
    let out = desk
        .eacdesk()
        .args([
            "import",
            "newsletter.pdf",
            &sample("eecs-go/dk-cancellation-statement-sample.pdf"),
            "--json",
        ])
        .assert()
        .code(1);
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let refused = &report["files"][0];
    assert_eq!(refused["outcome"], "failed");
    assert_eq!(refused["code"], "unreadable");
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.starts_with("newsletter.pdf, document: "),
        "{message}"
    );
    assert!(message.contains("not a statement"), "{message}");
    assert!(
        message.ends_with("nothing from it was imported"),
        "{message}"
    );
    assert_eq!(report["files"][1]["outcome"], "imported");
    assert_eq!(desk.count(), 1);

    // In words: on stderr, naming the file; exit 1.
    let desk = Desk::new();
    std::fs::write(desk.path("newsletter.pdf"), newsletter_pdf()).unwrap();
    desk.eacdesk()
        .args(["import", "newsletter.pdf"])
        .assert()
        .code(1)
        .stderr(contains(
            "newsletter.pdf, document: this PDF is not a statement",
        ));
    assert_eq!(desk.count(), 0);
}

/// Tester's report 41, finding 8: an empty file was read as a P1 listing
/// ("1 rule violation … rule 20: EOF while parsing a value"), whatever its
/// name, and a PDF cut short was parser jargon; each is said for what it
/// is, naming the file, with what to do, and the other files import.
#[test]
fn an_empty_file_or_a_pdf_cut_short_is_said_so_naming_the_file() {
    let desk = Desk::new();
    let mut cut = std::fs::read(sample("irec/redemption-statement-sample.pdf")).unwrap();
    cut.truncate(40_000);
    std::fs::write(desk.path("cut.pdf"), cut).unwrap();
    for (name, bytes) in [
        ("empty.pdf", &b""[..]),
        ("empty.json", b""),
        ("empty.csv", b""),
        ("blank.csv", b"\xEF\xBB\xBF\r\n  \r\n"),
    ] {
        std::fs::write(desk.path(name), bytes).unwrap();
    }
    let empty = |name: &str, what: &str| {
        format!(
            "error: {name}, document: {what}, so there is nothing in it to import; a download or \
             copy may have failed: download or export it again and import that file; nothing \
             from it was imported\n"
        )
    };
    for name in ["empty.pdf", "empty.json", "empty.csv"] {
        desk.eacdesk()
            .args(["import", name])
            .assert()
            .code(1)
            .stderr(empty(name, "the file is empty (0 bytes)"));
    }
    desk.eacdesk()
        .args(["import", "blank.csv"])
        .assert()
        .code(1)
        .stderr(empty(
            "blank.csv",
            "the file is empty: its 9 bytes are only spaces and line ends",
        ));
    desk.eacdesk()
        .args(["import", "cut.pdf"])
        .assert()
        .code(1)
        .stderr(
            "error: cut.pdf, document: the PDF is cut short: it ends after 40000 bytes without \
             the end every PDF file has (its cross-reference table and %%EOF), as a download or \
             copy that stopped early leaves it; download the statement again from the registry \
             and import that file; nothing from it was imported\n",
        );
    // Among others, only they are refused.
    let out = desk
        .eacdesk()
        .args([
            "import",
            "empty.json",
            &sample("eecs-go/dk-cancellation-statement-sample.pdf"),
            "cut.pdf",
            "--json",
        ])
        .assert()
        .code(1);
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let outcomes: Vec<&str> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["failed", "imported", "failed"]);
    assert_eq!(report["files"][0]["code"], "unreadable");
    assert_eq!(desk.count(), 1);
}

/// The security report's PDF: 4.5 KB whose page unpacks to a million
/// lines of `q Q` (two million drawing operators), built as its `mk.py`
/// builds it.
fn bomb_pdf() -> Vec<u8> {
    use std::io::Write;
    let mut content = b"BT /F1 12 Tf 72 712 Td (I-REC Redemption Statement) Tj ET\n".to_vec();
    content.extend_from_slice(&b"q Q\n".repeat(1_000_000));
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&content).unwrap();
    let packed = z.finish().unwrap();
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        [
            format!("<< /Length {} /Filter /FlateDecode >>\nstream\n", packed.len()).as_bytes(),
            &packed,
            b"\nendstream",
        ]
        .concat(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    pdf_of(b"%PDF-1.4\n", &objects)
}

#[test]
fn a_pdf_bomb_is_refused_at_its_limit_naming_the_file_detected_or_named() {
    // Without the limits this 4.5 KB file took 20 s and 1.2 GB (release
    // build), and Ctrl-C could not stop it.
    let desk = Desk::new();
    let bomb = bomb_pdf();
    assert!(bomb.len() < 5_000, "{}", bomb.len());
    std::fs::write(desk.path("bomb.pdf"), &bomb).unwrap();
    let said = "bomb.pdf, page 1: this PDF is not a registry statement EAC Desk reads: \
        the page holds more than 1,000,000 drawing operators and values, far beyond any \
        I-REC, GO or M-RETS statement (EAC Desk stops reading there so that such a file \
        cannot exhaust the computer); export the statement again from the registry and \
        import that file; nothing from it was imported";
    for format in [None, Some("irec-pdf")] {
        let mut args = vec!["import", "bomb.pdf"];
        if let Some(f) = format {
            args.extend(["--format", f]);
        }
        desk.eacdesk()
            .args(&args)
            .assert()
            .code(1)
            .stderr(contains(said));
    }
    // The other files of the same import are read.
    desk.eacdesk()
        .args([
            "import",
            "bomb.pdf",
            &sample("eecs-go/dk-cancellation-statement-sample.pdf"),
        ])
        .assert()
        .code(1)
        .stderr(contains(said));
    assert_eq!(desk.count(), 1);
}

/// A one-page PDF of `objects` after its catalog, pages, page, content
/// (zlib) and font (objects 1 to 5), with a cross-reference table.
fn statement_pdf_with(more: &[Vec<u8>]) -> Vec<u8> {
    statement_pdf_with_font(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        more,
    )
}

/// The same, its font (object 5) `font`.
fn statement_pdf_with_font(font: &[u8], more: &[Vec<u8>]) -> Vec<u8> {
    use std::io::Write;
    let flate = |raw: &[u8]| {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(raw).unwrap();
        z.finish().unwrap()
    };
    let content = flate(b"BT /F1 12 Tf 72 712 Td (I-REC Redemption Statement) Tj ET\n");
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        [
            format!("<< /Length {} /Filter /FlateDecode >>\nstream\n", content.len()).as_bytes(),
            &content,
            b"\nendstream",
        ]
        .concat(),
        font.to_vec(),
    ];
    for o in more {
        if o.starts_with(b"7 0 ") {
            // An object stream holding object 7: its index, then the object.
            let packed = flate(o);
            objects.push(
                [
                    format!(
                        "<< /Type /ObjStm /N 1 /First 4 /Length {} /Filter /FlateDecode >>\nstream\n",
                        packed.len()
                    )
                    .as_bytes(),
                    &packed,
                    b"\nendstream",
                ]
                .concat(),
            );
        } else {
            objects.push(o.clone());
        }
    }
    pdf_of(b"%PDF-1.5\n", &objects)
}

#[test]
fn arrays_nested_200_000_deep_outside_the_pages_are_refused_not_an_abort() {
    // `lopdf` parsed them recursively while opening the file: the stack
    // overflowed and the process was aborted (no message, exit by signal),
    // from a 400 KB file, or a 1 KB one whose object stream unpacks to
    // them.
    let desk = Desk::new();
    let deep = [b"[".repeat(200_000), b"]".repeat(200_000)].concat();
    let top = statement_pdf_with(std::slice::from_ref(&deep));
    assert!(top.len() < 401_000, "{}", top.len());
    let packed = statement_pdf_with(&[[b"7 0 ".as_slice(), &deep].concat()]);
    assert!(packed.len() < 2_000, "{}", packed.len());
    std::fs::write(desk.path("deep.pdf"), &top).unwrap();
    std::fs::write(desk.path("packed.pdf"), &packed).unwrap();
    // The 33rd `[` of object 6.
    let at = top.windows(8).position(|w| w == b"6 0 obj\n").unwrap() + 8 + 32;
    assert!(at < 1000, "{at}");
    let tail = ", far beyond any I-REC, GO or M-RETS statement (EAC Desk stops reading \
        there so that such a file cannot exhaust the computer); export the statement again \
        from the registry and import that file; nothing from it was imported";
    let said_top = format!(
        "deep.pdf, document: this PDF is not a registry statement EAC Desk reads: object 6 \
        nests arrays or dictionaries more than 32 deep, at byte {at} of the file{tail}"
    );
    let said_packed = format!(
        "packed.pdf, document: this PDF is not a registry statement EAC Desk reads: object 7, \
        packed in object stream 6, nests arrays or dictionaries more than 32 deep{tail}"
    );
    for format in [None, Some("irec-pdf")] {
        for (file, said) in [("deep.pdf", &said_top), ("packed.pdf", &said_packed)] {
            let mut args = vec!["import", file];
            if let Some(f) = format {
                args.extend(["--format", f]);
            }
            desk.eacdesk()
                .args(&args)
                .assert()
                .code(1)
                .stderr(contains(said.as_str()));
        }
    }
    // The other files of the same import are read.
    desk.eacdesk()
        .args([
            "import",
            "deep.pdf",
            "packed.pdf",
            &sample("eecs-go/dk-cancellation-statement-sample.pdf"),
        ])
        .assert()
        .code(1)
        .stderr(contains(said_top.as_str()))
        .stderr(contains(said_packed.as_str()));
    assert_eq!(desk.count(), 1);
}

#[test]
fn a_font_map_or_program_nested_200_000_deep_is_refused_not_an_abort() {
    // `pdf-extract` parses a font's ToUnicode map and an embedded Type 1
    // program recursively, without a limit: a 1 KB file overflowed the
    // stack and the process was aborted (no message, exit by signal).
    use std::io::Write;
    let flate = |raw: &[u8]| {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(raw).unwrap();
        z.finish().unwrap()
    };
    let stream = |raw: &[u8]| {
        let packed = flate(raw);
        [
            format!(
                "<< /Length {} /Filter /FlateDecode >>\nstream\n",
                packed.len()
            )
            .as_bytes(),
            &packed,
            b"\nendstream",
        ]
        .concat()
    };
    let head = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n";
    let cmap = [
        head.as_slice(),
        &b"[".repeat(200_000),
        &b"]".repeat(200_000),
        b" endcmap end end\n",
    ]
    .concat();
    let mapped = statement_pdf_with_font(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        &[stream(&cmap)],
    );
    let font_head = b"%!PS-AdobeFont-1.0: Helvetica 001.000\n/Deep ";
    let program = [
        font_head.as_slice(),
        &b"{".repeat(200_000),
        &b"}".repeat(200_000),
        b" def\ncurrentfile eexec\r",
    ]
    .concat();
    let embedded = statement_pdf_with_font(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FontDescriptor 6 0 R >>",
        &[
            b"<< /Type /FontDescriptor /FontName /Helvetica /FontFile 7 0 R >>".to_vec(),
            stream(&program),
        ],
    );
    assert!(mapped.len() < 2_000 && embedded.len() < 2_000);
    let desk = Desk::new();
    std::fs::write(desk.path("mapped.pdf"), &mapped).unwrap();
    std::fs::write(desk.path("embedded.pdf"), &embedded).unwrap();
    // The byte of the 33rd bracket, counted in the unpacked stream.
    let said_mapped = format!(
        "mapped.pdf, page 1: this PDF is not a registry statement EAC Desk reads: the ToUnicode \
        character map (object 6) of the page's font /F1 nests arrays, dictionaries, procedures \
        or strings more than 32 deep, at byte {} of the map once unpacked, far beyond any I-REC, \
        GO or M-RETS statement (EAC Desk stops reading there so that such a file cannot exhaust \
        the computer); export the statement again from the registry and import that file; \
        nothing from it was imported",
        head.len() + 32
    );
    let said_embedded = format!(
        "embedded.pdf, page 1: this PDF is not a registry statement EAC Desk reads: the \
        embedded Type 1 font program (object 7) of the page's font /F1 nests arrays, \
        dictionaries, procedures or strings more than 32 deep, at byte {} of the program once \
        unpacked, far beyond any I-REC",
        font_head.len() + 32
    );
    for format in [None, Some("irec-pdf")] {
        for (file, said) in [
            ("mapped.pdf", said_mapped.as_str()),
            ("embedded.pdf", said_embedded.as_str()),
        ] {
            let mut args = vec!["import", file];
            if let Some(f) = format {
                args.extend(["--format", f]);
            }
            desk.eacdesk()
                .args(&args)
                .assert()
                .code(1)
                .stderr(contains(said));
        }
    }
    // The other files of the same import are read.
    desk.eacdesk()
        .args([
            "import",
            "mapped.pdf",
            "embedded.pdf",
            &sample("eecs-go/dk-cancellation-statement-sample.pdf"),
        ])
        .assert()
        .code(1)
        .stderr(contains(said_mapped.as_str()))
        .stderr(contains(said_embedded.as_str()));
    assert_eq!(desk.count(), 1);
}

#[test]
fn a_forced_format_reads_the_file_as_that_format_or_refuses_it() {
    let desk = Desk::new();
    // A file of another format, forced: refused, naming file and format.
    desk.eacdesk()
        .args([
            "import",
            "--format",
            "irec-pdf",
            &sample("mrets/retirement-confirmation-sample.pdf"),
        ])
        .assert()
        .code(1)
        .stderr(contains("retirement-confirmation-sample.pdf, document: "))
        .stderr(contains("this is not an I-REC Redemption Statement"));
    assert_eq!(desk.count(), 0);
    // The right format, forced, reads it.
    let reports = desk.import_json(&[
        "--format",
        "mrets-pdf",
        &sample("mrets/retirement-confirmation-sample.pdf"),
    ]);
    assert_eq!(reports[0]["registry"]["format"], "mrets-pdf");
    assert_eq!(reports[0]["added"], 1);
    // A CDS listing forced as P1 imports as before.
    let reports = desk.import_json(&["--format", "cds-p1", &example("good-p1-mixed-order.json")]);
    assert_eq!(reports[0]["added"], 7);
    assert_eq!(reports[0]["registry"], Value::Null);
    // A name no reader has: usage, listing the formats.
    desk.eacdesk()
        .args(["import", "--format", "pdf", "x.pdf"])
        .assert()
        .code(2)
        .stderr(contains("`pdf` is not a format EAC Desk reads"))
        .stderr(contains("cds-p1, cds-p2, ofgem-csv"));
}

#[test]
fn formats_lists_every_format_with_what_it_reads() {
    let desk = Desk::new();
    let list = desk.json(&["formats"]);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "cds-p1",
            "cds-p2",
            "ofgem-csv",
            "ofgem-xml",
            "ofgem-stations",
            "irec-pdf",
            "go-pdf",
            "mrets-pdf",
            "mrets-csv",
            "energytag",
            "csv"
        ]
    );
    for f in list.as_array().unwrap() {
        assert!(!f["name"].as_str().unwrap().is_empty());
        assert!(!f["reads"].as_str().unwrap().is_empty());
        // Only the mapped CSV needs to be told.
        assert_eq!(f["detected"], f["id"] != "csv");
    }
    assert!(
        !desk.path("desk.sqlite").exists(),
        "formats opens no database"
    );
}

#[test]
fn incomplete_eacs_block_the_export_until_set_completes_them_then_it_validates() {
    let desk = Desk::new();
    desk.import_json(&[
        &sample("irec/redemption-statement-sample.pdf"),
        &sample("mrets/certificates.csv"),
    ]);
    assert_eq!(desk.filtered_count(&["--incomplete"]), 6);
    assert_eq!(desk.filtered_count(&["--complete"]), 0);
    // The shared filters take it too: the export of the complete ones is empty.
    let out = desk.path("eacs.json");
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out"])
        .arg(&out)
        .assert()
        .code(1)
        .stderr(contains(format!(
            "stored EAC `{IREC}` (would be at /eacs/0/destination_id): error (rule 2): \
             `destination_id` is missing"
        )))
        .stderr(contains(format!(
            "stored EAC `{IREC}` (would be at /eacs/0/emissions_factor_lca)"
        )));
    assert!(!out.exists());

    // One EAC: every field the statement lacks.
    let report = desk.json(&[
        "set",
        IREC,
        "destination_id=ORG-1",
        "destination_name=Acme Ltd",
        "asset_origination=grid",
        "asset_destination=grid",
        "emissions_factor_direct=0",
        "emissions_factor_lca=0.024",
        "issued=2020-11-15",
        "retired=2021-03-31",
        "--reason",
        "statement of 2021-04-02",
    ]);
    assert_eq!(report["matching"], 1);
    assert_eq!(report["changed"], 1);
    // The beneficiaries are still missing.
    assert_eq!(report["now_complete"], 0);
    assert_eq!(names(&desk.row(IREC)["missing"]), ["beneficiary_type"]);
    let detail = desk.json(&["show", IREC]);
    assert_eq!(detail["values"][0]["issued"], "2020-11-15");
    assert_eq!(detail["values"][0]["retired"], "2021-03-31");
    assert_eq!(detail["emissions_factor_lca"], "0.024");

    desk.eacdesk()
        .args([
            "beneficiaries",
            "set",
            "--all-matching",
            "--incomplete",
            "--type",
            "account",
            "--id",
            "ACC-1",
            "--reason",
            "claimed for Acme",
            "--yes",
        ])
        .assert()
        .success();
    assert_eq!(desk.filtered_count(&["--complete"]), 1);
    // The complete one exports on its own while the others are unfinished.
    let part = desk.path("complete.json");
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--complete", "--out"])
        .arg(&part)
        .assert()
        .success()
        .stdout(contains("Exported 1 EAC (1 value)"));
    desk.eacdesk()
        .args(["export", "--profile", "p1", "--incomplete", "--out"])
        .arg(&part)
        .assert()
        .code(1)
        .stderr(contains("stored EAC `mrets:"));

    // Many EACs: a dry run says what would change and changes nothing…
    let m_rets = [
        "set",
        "--all-matching",
        "--incomplete",
        "--source",
        "mrets",
        "destination_id=ORG-1",
        "destination_name=Acme Ltd",
        "asset_origination=region",
        "asset_destination=region",
        "emissions_factor_direct=0",
        "emissions_factor_lca=0.02",
        "issued=2021-12-01",
        "--reason",
        "from the M-RETS dashboard",
    ];
    let before = desk.database_files();
    let plan = desk.json(&[&m_rets[..], &["--dry-run"]].concat());
    assert_eq!(plan["matching"], 5);
    assert_eq!(plan["changed"], 5);
    // Two still lack their technology.
    assert_eq!(plan["now_complete"], 3);
    assert_eq!(plan["dry_run"], true);
    assert_eq!(desk.database_files(), before);
    // …without --yes nothing is changed (exit 2)…
    desk.eacdesk()
        .args(m_rets)
        .assert()
        .code(2)
        .stdout(contains(
            "5 EACs match; 5 would change, 3 of them then complete.",
        ))
        .stderr(contains(
            "This would set fields of 5 EACs; nothing was changed. Run it again with --yes",
        ));
    assert_eq!(desk.database_files(), before);
    // …and with it every one changes, audited with the reason.
    desk.eacdesk()
        .args(m_rets)
        .arg("--yes")
        .assert()
        .success()
        .stdout(contains(
            "5 EACs match; changed 5 (0 already held these values), 3 of them now complete; recorded in the audit log.",
        ))
        .stdout(contains("2 EACs still lack fields"));
    let incomplete = desk.ids(&["--incomplete"]);
    assert_eq!(incomplete.len(), 2);
    for id in &incomplete {
        assert_eq!(names(&desk.row(id)["missing"]), ["technology_type"]);
        desk.eacdesk()
            .args([
                "set",
                id,
                "technology_type=biomass",
                "--reason",
                "landfill gas",
            ])
            .assert()
            .success()
            .stdout(contains(
                "1 EAC matches; changed 1 (0 already held these values), 1 of them now complete",
            ));
    }
    assert_eq!(desk.filtered_count(&["--incomplete"]), 0);
    assert_eq!(desk.filtered_count(&["--complete"]), 6);

    let audit = desk.json(&["audit", IREC]);
    let set = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["action"] == "set_fields")
        .expect("a set_fields record");
    assert_eq!(set["reason"], "statement of 2021-04-02");
    let changed: Vec<&str> = set["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert!(changed.contains(&"destination_id"), "{changed:?}");
    let m_audit = desk.json(&["audit", &incomplete[0]]);
    assert!(m_audit
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["action"] == "set_fields" && r["reason"] == "from the M-RETS dashboard"));
    desk.eacdesk()
        .args(["audit", IREC])
        .assert()
        .success()
        .stdout(contains(
            "set asset_destination (none) → grid; asset_origination (none) → grid; \
             destination_id (none) → ORG-1",
        ));

    desk.eacdesk()
        .args(["export", "--profile", "p1", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("Exported 6 EACs"));
    desk.eacdesk()
        .args(["validate", "--profile", "p1"])
        .arg(&out)
        .assert()
        .success()
        .stdout(contains("valid for profile P1"));
}

#[test]
fn set_refuses_unknown_fields_and_bad_values_listing_the_fields_and_writes_nothing() {
    let desk = Desk::new();
    desk.import_json(&[&sample("irec/redemption-statement-sample.pdf")]);
    let before = desk.database_files();
    for (args, says) in [
        (
            vec!["colour=blue"],
            "`colour` is not a field `set` writes; the fields are destination_id, destination_name, asset_origination, asset_destination, asset_commissioned, technology_type, emissions_factor_direct, emissions_factor_lca, issued, retired",
        ),
        (
            vec!["beneficiary_type=account"],
            "`beneficiary_type` is set with `eacdesk beneficiaries set`",
        ),
        (vec!["grid"], "`grid` is not FIELD=VALUE"),
        (
            vec!["issued=31/03/2021"],
            "`issued` cannot be `31/03/2021`: it must be a date YYYY-MM-DD",
        ),
        (
            vec!["asset_origination=planet"],
            "`asset_origination` cannot be `planet`: it must be grid or region",
        ),
        (vec![], "name at least one field to set, as FIELD=VALUE"),
    ] {
        desk.eacdesk()
            .args(["set", IREC])
            .args(&args)
            .args(["--reason", "test"])
            .assert()
            .code(2)
            .stderr(contains(says));
    }
    // A factor that is no amount breaks a rule of the data: exit 1, as
    // `set-emissions` says the same number (decision 70).
    desk.eacdesk()
        .args(["set", IREC, "emissions_factor_lca=-1", "--reason", "test"])
        .assert()
        .code(1)
        .stderr(contains("emissions_factor_lca `-1` is negative"));
    desk.eacdesk()
        .args(["set", "irec:nope", "issued=2021-01-01", "--reason", "x"])
        .assert()
        .code(2)
        .stderr(contains("There is no EAC with id `irec:nope`"));
    desk.eacdesk()
        .args(["set", IREC, "issued=2021-01-01"])
        .assert()
        .code(2)
        .stderr(contains("--reason"));
    assert_eq!(desk.database_files(), before);
    desk.eacdesk()
        .args(["set", "--help"])
        .assert()
        .success()
        .stdout(contains("emissions_factor_direct"))
        .stdout(contains("a number, 0 or more"))
        .stdout(contains("a date YYYY-MM-DD"));
}

#[test]
fn set_emissions_still_sets_both_factors() {
    let desk = Desk::new();
    desk.import_json(&[&sample("eecs-go/dk-cancellation-statement-sample.pdf")]);
    let id = "eecs:643002406555900210000164308649..643002406555900210000164308651";
    desk.eacdesk()
        .args([
            "set-emissions",
            id,
            "--direct",
            "0",
            "--lca",
            "11.5",
            "--reason",
            "statement",
        ])
        .assert()
        .success();
    let missing = names(&desk.row(id)["missing"]);
    assert!(!missing.contains(&"emissions_factor_lca".to_owned()));
    assert!(!missing.contains(&"emissions_factor_direct".to_owned()));
}

#[test]
fn check_finds_overlapping_and_double_claimed_ranges_but_not_adjacent_ones() {
    let desk = Desk::new();
    desk.import_json(&[&sample("ofgem/certificates-sample.csv")]);
    desk.eacdesk()
        .arg("check")
        .assert()
        .success()
        .stdout("No double counting found among 10 ranges.\n");

    // One range overlapping Walney's retired one partly, one adjacent to it.
    let reports = desk.import_json(&[&own("ofgem-overlap.csv")]);
    let overlaps = reports[0]["registry"]["overlaps"].as_array().unwrap();
    assert_eq!(overlaps.len(), 1, "the adjacent range overlaps nothing");
    assert_eq!(overlaps[0]["a"]["cds_eac_id"], WALNEY_OVERLAP);
    assert_eq!(overlaps[0]["b"]["cds_eac_id"], WALNEY);
    assert_eq!(overlaps[0]["shared"], "285");
    assert_eq!(desk.count(), 12);
    assert!(desk.ids(&[]).contains(&WALNEY_ADJACENT.to_owned()));

    let out = desk.eacdesk().args(["check", "--json"]).assert().code(1);
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(report["ranges"], 12);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f["kind"], "overlap");
    assert_eq!(f["registry"], "ofgem");
    assert_eq!(f["a"]["cds_eac_id"], WALNEY);
    assert_eq!(f["a"]["status"], "retired");
    assert_eq!(f["a"]["retired"], true);
    assert_eq!(f["b"]["cds_eac_id"], WALNEY_OVERLAP);
    assert_eq!(f["b"]["status"], "issued");
    assert_eq!(f["b"]["retired"], false);
    assert_eq!(f["shared"], "285");
    desk.eacdesk()
        .arg("check")
        .assert()
        .code(1)
        .stdout(contains("1. overlap in ofgem: 285 certificates shared"))
        .stdout(contains(format!(
            "(EAC `{WALNEY}`): status retired, retired"
        )))
        .stdout(contains(format!(
            "(EAC `{WALNEY_OVERLAP}`): status issued, not retired"
        )))
        .stdout(contains("1 finding among 12 ranges."));
    // The filters narrow the check to findings with a matching side, and
    // say how many of the ranges compared are the matching EACs'.
    desk.eacdesk()
        .args(["check", "--technology", "biomass"])
        .assert()
        .success()
        .stdout("No double counting found for the matching EACs (5 of the 12 stored ranges are theirs).\n");

    // The same certificates, in two documents, claimed for two beneficiaries.
    let desk = Desk::new();
    desk.eacdesk()
        .args([
            "mapping",
            "save",
            "necs",
            &sample("mapped/go-cancellations.mapping.json"),
        ])
        .assert()
        .success();
    desk.import_json(&["--mapping", "necs", &sample("mapped/go-cancellations.csv")]);
    desk.eacdesk().arg("check").assert().success();
    desk.import_json(&[
        "--mapping",
        "necs",
        &own("go-cancellations-second-claim.csv"),
    ]);
    let out = desk.eacdesk().args(["check", "--json"]).assert().code(1);
    let report: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let f = &report["findings"][0];
    assert_eq!(report["findings"].as_array().unwrap().len(), 1);
    assert_eq!(f["kind"], "claimed_twice");
    assert_eq!(f["registry"], "eecs-no");
    assert_eq!(f["a"]["beneficiary"], "Acme AS; Oslo");
    assert_eq!(f["b"]["beneficiary"], "Gamma GmbH");
    assert_eq!(f["shared"], "500");
    desk.eacdesk()
        .arg("check")
        .assert()
        .code(1)
        .stdout(contains(
            "1. claimed for two beneficiaries in eecs-no: 500 certificates shared",
        ))
        .stdout(contains("status cancelled, retired, for Gamma GmbH"));
}

#[test]
fn mappings_are_saved_listed_previewed_used_and_removed() {
    let desk = Desk::new();
    let mapping = sample("mapped/go-cancellations.mapping.json");
    let csv = sample("mapped/go-cancellations.csv");
    desk.eacdesk()
        .args(["mapping", "ls"])
        .assert()
        .success()
        .stdout(contains("No saved mappings"));
    desk.eacdesk()
        .args(["mapping", "save", "necs", &mapping])
        .assert()
        .success()
        .stdout(contains("Saved the mapping `necs`"));
    let list = desk.json(&["mapping", "ls"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "necs");
    let shown: Value = serde_json::from_slice(
        &desk
            .eacdesk()
            .args(["mapping", "show", "necs"])
            .assert()
            .success()
            .get_output()
            .stdout,
    )
    .unwrap();
    assert_eq!(shown["registry"], "eecs-no");
    assert_eq!(shown["name"], "necs");

    let preview = desk.json(&[
        "mapping",
        "preview",
        &csv,
        "--mapping",
        "necs",
        "--rows",
        "2",
    ]);
    assert_eq!(preview["header"][0], "GSRN");
    assert_eq!(preview["header"][5], "Certificate numbers");
    let rows = preview["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    // (line, cells): the header is line 3, after two preamble lines.
    assert_eq!(rows[0][0], 4);
    assert_eq!(rows[0][1][1], "Øvre Foss kraftverk");
    assert_eq!(rows[0][1][9], "Acme AS; Oslo");
    // A mapping file not saved yet previews too (no header row here).
    let preview = desk.json(&[
        "mapping",
        "preview",
        &sample("mapped/us-retirements-noheader.csv"),
        "--mapping-file",
        &sample("mapped/us-retirements-noheader.mapping.json"),
    ]);
    assert_eq!(preview["header"], Value::Null);
    assert_eq!(preview["rows"][1][1][1], "Windy Ridge, Unit 2");

    let reports = desk.import_json(&["--mapping", "necs", &csv]);
    assert_eq!(reports[0]["registry"]["format"], "csv");
    assert_eq!(reports[0]["added"], 3);
    assert!(desk.ids(&[]).contains(
        &"eecs-no:643002406000000000000000000001..643002406000000000000000001000".to_owned()
    ));

    desk.eacdesk()
        .args(["mapping", "rm", "necs"])
        .assert()
        .success()
        .stdout(contains("Removed the mapping `necs`."));
    desk.eacdesk()
        .args(["mapping", "rm", "necs"])
        .assert()
        .code(2)
        .stderr(contains("there is no saved mapping `necs`"));
    desk.eacdesk()
        .args(["import", "--mapping", "necs", &csv])
        .assert()
        .code(2)
        .stderr(contains("there is no saved mapping `necs`"));
    // A file that is no mapping is refused, naming the file.
    desk.eacdesk()
        .args(["mapping", "save", "bad", &csv])
        .assert()
        .code(2)
        .stderr(contains(
            "go-cancellations.csv: the mapping is not readable JSON",
        ));
    assert_eq!(desk.json(&["mapping", "ls"]), serde_json::json!([]));
}

#[test]
fn show_lists_the_source_documents_and_saves_one_byte_for_byte() {
    let desk = Desk::new();
    let pdf = sample("mrets/retirement-confirmation-sample.pdf");
    let id = "mrets:2194-ND-07-2020-CAC76615-56217..2194-ND-07-2020-CAC76615-58010";
    desk.import_json(&[&pdf]);
    let sources = desk.json(&["show", id])["sources"].clone();
    assert_eq!(
        sources[0]["file_name"],
        "retirement-confirmation-sample.pdf"
    );
    assert_eq!(sources[0]["locator"], "page 1");
    assert_eq!(
        sources[0]["range_text"],
        "2194-ND-07-2020-CAC76615-56217 – 2194-ND-07-2020-CAC76615-58010"
    );
    let copy = desk.path("copy.pdf");
    desk.eacdesk()
        .args(["show", id, "--save-source", "1", "--out"])
        .arg(&copy)
        .assert()
        .success()
        .stdout(contains(format!("Saved source 1 of {id}")))
        .stdout(contains(format!(
            "SHA-256: {}",
            sources[0]["sha256"].as_str().unwrap()
        )));
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&pdf).unwrap());
    // A number that is no source: nothing written.
    let other = desk.path("other.pdf");
    desk.eacdesk()
        .args(["show", id, "--save-source", "2", "--out"])
        .arg(&other)
        .assert()
        .code(2)
        .stderr(contains("has 1 source document; give --save-source 1"));
    assert!(!other.exists());
    // --save-source needs --out.
    desk.eacdesk()
        .args(["show", id, "--save-source", "1"])
        .assert()
        .code(2);
}

/// `2026-12-02T06:22:08.321956227Z`, a time of the test run with its
/// fraction (`cds_created` of an EAC imported from a registry document),
/// becomes `YYYY-MM-DDTHH:MM:SS.fZ`.
fn mask_fractional_now(text: &str) -> String {
    text.lines()
        .map(|line| {
            let Some(at) = line.find(|c: char| c.is_ascii_digit()) else {
                return line.to_owned();
            };
            let (head, rest) = line.split_at(at);
            let end = rest.find(' ').unwrap_or(rest.len());
            let (word, tail) = rest.split_at(end);
            let fractional = word.len() > 20
                && word.as_bytes()[19] == b'.'
                && word.ends_with('Z')
                && &word[..4] > "2025";
            if fractional {
                format!("{head}YYYY-MM-DDTHH:MM:SS.fZ{tail}")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn only_fractional_times_of_the_run_are_masked() {
    assert_eq!(
        mask_fractional_now(
            "cds_created  2026-12-02T06:22:08.321956227Z\nx  2020-01-01T00:00:00.5Z\n"
        ),
        "cds_created  YYYY-MM-DDTHH:MM:SS.fZ\nx  2020-01-01T00:00:00.5Z\n"
    );
}

/// The new human outputs, as a person reads them (fixtures copied into
/// the temporary folder so the paths are short; times of the run masked).
#[test]
fn human_output_of_registry_commands() {
    let desk = Desk::new();
    for (from, to) in [
        (sample("irec/redemption-statement-sample.pdf"), "irec.pdf"),
        (sample("ofgem/certificates-sample.csv"), "ofgem.csv"),
        (own("ofgem-overlap.csv"), "ofgem-overlap.csv"),
        (sample("mapped/go-cancellations.csv"), "go.csv"),
        (
            sample("mapped/go-cancellations.mapping.json"),
            "go.mapping.json",
        ),
    ] {
        std::fs::copy(from, desk.path(to)).unwrap();
    }
    insta::assert_snapshot!("formats", desk.run(&["formats"]));
    insta::assert_snapshot!(
        "import_registry",
        desk.run(&["import", "irec.pdf", "ofgem.csv"])
    );
    insta::assert_snapshot!(
        "import_again_dry_run",
        desk.run(&["import", "--dry-run", "irec.pdf"])
    );
    insta::assert_snapshot!("import_overlap", desk.run(&["import", "ofgem-overlap.csv"]));
    insta::assert_snapshot!(
        "ls_incomplete",
        desk.run(&["ls", "--incomplete", "--limit", "4"])
    );
    insta::assert_snapshot!(
        "show_registry",
        mask_fractional_now(&desk.run(&["show", IREC]))
    );
    insta::assert_snapshot!(
        "set_dry_run",
        desk.run(&[
            "set",
            "--all-matching",
            "--source",
            "ofgem",
            "--technology",
            "wind",
            "asset_origination=grid",
            "--dry-run"
        ])
    );
    insta::assert_snapshot!(
        "set_one",
        desk.run(&[
            "set",
            IREC,
            "issued=2020-11-15",
            "--reason",
            "registry e-mail"
        ])
    );
    let check = desk.eacdesk().arg("check").assert().code(1);
    insta::assert_snapshot!(
        "check_findings",
        mask_now(&String::from_utf8(check.get_output().stdout.clone()).unwrap())
    );
    desk.run(&["mapping", "save", "necs", "go.mapping.json"]);
    insta::assert_snapshot!("mapping_ls", desk.run(&["mapping", "ls"]));
    insta::assert_snapshot!(
        "mapping_preview",
        desk.run(&[
            "mapping",
            "preview",
            "go.csv",
            "--mapping",
            "necs",
            "--rows",
            "3"
        ])
    );
}

/// A registry statement holding nuclear or storage certificates is
/// refused whole without the extended technologies option, as a listing
/// is (decision 9): each is named with its place, the hint names the
/// option, and no database is left behind; with it, it imports.
#[test]
fn a_statement_with_technologies_outside_the_draft_needs_the_option() {
    let desk = Desk::new();
    let bundles = sample("energytag/bundles.json");
    let out = desk.eacdesk().args(["import", &bundles]).assert().code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains("error (rule 3) at JSON pointer /3, field /technology_type")
            && stderr.contains("technology `nuclear`")
            && stderr.contains("technology `storage`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("import it again with --allow-extended-technologies"),
        "{stderr}"
    );
    assert!(
        !desk.path("desk.sqlite").exists(),
        "nothing imported, no database made"
    );
    let reports = desk.import_json(&[&bundles, "--allow-extended-technologies"]);
    assert_eq!(reports[0]["outcome"], "imported");
    assert_eq!(reports[0]["added"], 6);
}

/// A rule finding on a mapped CSV's EAC names the line, then the EAC's
/// field: it read "at line 2/technology_type", the line taken for a JSON
/// pointer. The hint for the extended technologies still comes with it.
#[test]
fn a_rule_finding_of_a_mapped_csv_names_its_line_and_the_field_apart() {
    let desk = Desk::new();
    std::fs::write(
        desk.path("map.json"),
        r#"{"name":"T","registry":"treg","source_id":"TS","source_name":"Test Source","has_header":true,"date_order":"iso","time_zone":"UTC",
            "first":{"column":"first"},"last":{"column":"last"},"per_certificate":{"column":"per"},"unit":{"column":"unit"},
            "status":{"column":"status"},"period_start":{"column":"ps"},"period_end":{"column":"pe"},
            "device_id":{"column":"dev"},"technology":{"column":"tech"},"technology_table":{"reactor":"nuclear"}}"#,
    )
    .unwrap();
    std::fs::write(
        desk.path("n.csv"),
        "first,last,per,unit,status,ps,pe,dev,tech\n1,10,1,MWh,active,2024-01-01,2024-01-31,D1,reactor\n",
    )
    .unwrap();
    desk.eacdesk()
        .args(["mapping", "save", "T", "map.json"])
        .assert()
        .success();
    let out = desk
        .eacdesk()
        .args(["import", "--mapping", "T", "n.csv"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains(
            "n.csv: error (rule 3) at line 2, field /technology_type [EAC treg:1..10]: \
             technology `nuclear` is not in the 2024-08-29 draft list"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("import it again with --allow-extended-technologies"),
        "{stderr}"
    );
}

/// The header of the Ofgem certificates report, as downloaded.
const OFGEM_HEADER: &str = "Accreditation No.,Generating Station / Agent Group,Station TIC,Scheme,Country,Technology Group,Generation Type,Output Period,No. Of Certificates,Start Certificate No.,End Certificate No.,MWh Per Certificate,Issue Date,Certificate Status,Status Date,Current Holder Organisation Name,Company Registration Number";

/// Walney's March 2023 row up to its Issue Date (one certificate range).
const WALNEY_ROW: &str = "G01177FWEN,Walney Extension,659000.0,REGO,England,Off-shore Wind,,01/03/2023 - 31/03/2023,5000,G01177FWEN0000251285010323310323GEN,G01177FWEN0000256284010323310323GEN,1.0,25/04/2023";

/// The stored EACs as (id, retired state, quantities), for comparing two
/// databases.
fn stored(desk: &Desk) -> Vec<(String, String, String)> {
    let listing = desk.json(&["ls", "--limit", "1000"]);
    let mut rows: Vec<(String, String, String)> = listing["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["cds_eac_id"].as_str().unwrap().to_owned(),
                r["retired_state"].as_str().unwrap().to_owned(),
                r["quantities"].to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// An Ofgem report re-saved by Excel where decimal commas are written (`;`
/// between cells, `1,0`) was refused: "no line has the report's header".
/// It is recognised, read exactly as the download is (the download then
/// finds every EAC unchanged), and the report says how it was read.
#[test]
fn an_ofgem_report_resaved_with_semicolons_imports_as_the_download() {
    let desk = Desk::new();
    std::fs::copy(sample("ofgem/semicolons.csv"), desk.path("semicolons.csv")).unwrap();
    desk.eacdesk()
        .args(["import", "semicolons.csv"])
        .assert()
        .success()
        .stdout(contains(
            "Imported semicolons.csv (Ofgem certificates report (CSV)): 10 EACs added",
        ))
        .stdout(contains(
            "note (document): the file separates its cells with `;` (a spreadsheet re-save, not \
             the report as Ofgem downloads it): it was read so, with `,` as the decimal mark of \
             its numbers, each exactly as written (1,0 is 1.0)",
        ));
    let download = Desk::new();
    download
        .eacdesk()
        .args(["import", &sample("ofgem/certificates-sample.csv")])
        .assert()
        .success();
    assert_eq!(stored(&desk), stored(&download));
    desk.eacdesk()
        .args(["import", &sample("ofgem/certificates-sample.csv")])
        .assert()
        .success()
        .stdout(contains("0 EACs added, 0 replaced, 10 unchanged"));

    // A number that could be read two ways is refused, not guessed.
    let text = std::fs::read_to_string(sample("ofgem/semicolons.csv")).unwrap();
    let ambiguous = text.replacen(";1,0;15/05/2023;Issued", ";1.000;15/05/2023;Issued", 1);
    std::fs::write(desk.path("ambiguous.csv"), ambiguous).unwrap();
    let out = desk
        .eacdesk()
        .args(["import", "ambiguous.csv"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains(
            "ambiguous.csv, line 2: MWh Per Certificate \"1.000\" cannot be read exactly: the file \
             separates its cells with `;`"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains(".;"), "{stderr}");
}

/// M-RETS: a row whose dates or Vintage are not its serial number's month
/// was stored as printed (a day-first re-save became January to December);
/// refused, on stderr, naming both. A state spanning several zones gets
/// the note the confirmation PDF gives, on stdout.
#[test]
fn mrets_rows_unlike_their_serial_month_are_refused_and_the_zone_taken_is_said() {
    let desk = Desk::new();
    let header = "Account,Account ID,M-RETS ID,Organization,Generator,Fuel Type,Vintage,Generation Start,Generation End Date,Location,Type,Eligibility,Quantity,Serial Numbers";
    let day_first = "South Pole,086E2257-6853,2194,South Pole USA Inc.,Emmons-Logan Wind,Wind,07/2020,01/07/2020,12/07/2020,ND,REC,,1794,2194-ND-07-2020-CAC76615-56217-58010";
    let other_month = "South Pole,086E2257-6853,2195,South Pole USA Inc.,Other Wind,Wind,01/2019,01/01/2019,01/31/2019,TX,REC,,100,2195-TX-07-2020-ABCDEF01-1-100";
    std::fs::write(
        desk.path("day-first.csv"),
        format!("{header}\n{day_first}\n"),
    )
    .unwrap();
    std::fs::write(
        desk.path("other-month.csv"),
        format!("{header}\n{other_month}\n"),
    )
    .unwrap();
    let out = desk
        .eacdesk()
        .args(["import", "day-first.csv", "other-month.csv"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains(
            "day-first.csv, line 2: the generation dates `01/07/2020` to `12/07/2020` (read \
             month-first, as M-RETS writes them: 2020-01-07 to 2020-12-07) do not lie in \
             07/2020, the month the serial number `2194-ND-07-2020-CAC76615-56217-58010` is \
             numbered for"
        ) && stderr.contains("Read day-first they would be 2020-07-01 to 2020-07-12"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "other-month.csv, line 2: column `Vintage` says 01/2019 but the serial number \
             `2195-TX-07-2020-ABCDEF01-1-100` is numbered for 07/2020"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains(".;"), "{stderr}");
    assert_eq!(desk.count(), 0);

    let month_first = day_first.replace("01/07/2020,12/07/2020", "07/01/2020,07/31/2020");
    std::fs::write(
        desk.path("holdings.csv"),
        format!("{header}\n{month_first}\n"),
    )
    .unwrap();
    desk.eacdesk()
        .args(["import", "holdings.csv"])
        .assert()
        .success()
        .stdout(contains(
            "note (line 2): ND spans several time zones; its generation dates are read in \
             America/Chicago, its main one",
        ));
    assert_eq!(desk.count(), 1);
}

/// Ofgem rows and files the tester found told wrongly or not at all: a
/// status Ofgem does not use is kept, no claim, and said; a refused date
/// says why in words that fit it; a report with no rows says it held none;
/// UTF-16 without its mark is named; no message ends in ".;".
#[test]
fn ofgem_statuses_dates_empty_reports_and_encodings_are_told_as_they_are() {
    let desk = Desk::new();
    let write = |name: &str, rows: &[String]| {
        let mut text = format!("{OFGEM_HEADER}\n");
        for r in rows {
            text.push_str(r);
            text.push('\n');
        }
        std::fs::write(desk.path(name), text).unwrap();
    };
    write(
        "cancelled.csv",
        &[format!("{WALNEY_ROW},Cancelled,06/06/2023,ACT,27336523")],
    );
    desk.eacdesk()
        .args(["import", "cancelled.csv"])
        .assert()
        .success()
        .stdout(contains("1 EAC added"))
        .stdout(contains(
            "note (line 2): Certificate Status \"Cancelled\" is not one Ofgem is known to use \
             (Issued, Redeemed, Retired, Expired, Revoked); it is kept as printed and not counted \
             as a claim",
        ));
    assert_eq!(desk.row(WALNEY)["retired_state"], "no");

    write("empty.csv", &[]);
    desk.eacdesk()
        .args(["import", "empty.csv"])
        .assert()
        .success()
        .stdout(contains(
            "Imported empty.csv (Ofgem certificates report (CSV)): 0 EACs added, 0 replaced, 0 \
             unchanged\n  note (document): the file holds no certificates (it has no rows, only \
             what comes before them): nothing was imported from it",
        ));

    let en_dash = WALNEY_ROW.replace("01/03/2023 - 31/03/2023", "01/03/2023 – 31/03/2023");
    write(
        "en-dash.csv",
        &[format!("{en_dash},Retired,06/06/2023,ACT,27336523")],
    );
    let midnight = WALNEY_ROW.replace(",25/04/2023", ",25/04/2023 00:00");
    write(
        "midnight.csv",
        &[format!("{midnight},Retired,06/06/2023,ACT,27336523")],
    );
    let sample = std::fs::read_to_string(sample("ofgem/certificates-sample.csv")).unwrap();
    let utf16: Vec<u8> = sample.encode_utf16().flat_map(u16::to_le_bytes).collect();
    std::fs::write(desk.path("utf16.csv"), utf16).unwrap();
    for (file, said) in [
        (
            "en-dash.csv",
            "en-dash.csv, line 2: Output Period \"01/03/2023 – 31/03/2023\" is not a period; \
             expected a month like Mar-2023 or days like 01/03/2023 - 31/03/2023 (its two days \
             are joined by \"–\"; the report joins them with a hyphen",
        ),
        (
            "midnight.csv",
            "midnight.csv, line 2: Issue Date \"25/04/2023 00:00\" is not a date; expected \
             day/month/year like 15/05/2023 (it holds the time 00:00 after the day: a date field \
             holds whole days, and midnight is read as its day only in the ISO form",
        ),
        (
            "utf16.csv",
            "utf16.csv, document: the file is UTF-16LE text without a byte order mark",
        ),
    ] {
        let out = desk.eacdesk().args(["import", file]).assert().code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(stderr.contains(said), "{file}: {stderr}");
        assert!(
            stderr.contains("; nothing from it was imported"),
            "{stderr}"
        );
        assert!(!stderr.contains(".;"), "{file}: {stderr}");
        assert!(
            !stderr.contains("time of day or an offset"),
            "{file}: {stderr}"
        );
    }
    assert_eq!(desk.count(), 1);
}

/// Tester 39: an Ofgem XML report with a hand-edited `&` was refused with
/// quick-xml's "Error while escaping character at range 6..19", a wrong
/// closing tag "near byte 4255", and a day the calendar lacks as a time
/// to remove "by formatting the spreadsheet column". Each refusal names
/// the file, the defect's line and column (or the row's element) and the
/// rule in plain words; nothing is imported.
#[test]
fn an_ofgem_xml_refusal_names_its_line_and_column_and_the_rule() {
    let desk = Desk::new();
    let xml = std::fs::read_to_string(sample("ofgem/certificates-report-sample.xml")).unwrap();
    for (file, from, to, said) in [
        (
            "amp.xml",
            "Upwey Hydro Power",
            "Upwey & Hydro Power",
            "amp.xml, line 11, column 34: the value of `textbox13` (Generating Station / Agent \
             Group) holds an `&` that begins no entity: write `&` as `&amp;`",
        ),
        (
            "tag.xml",
            "</Detail_Collection>",
            "</Detail_Colection>",
            "tag.xml, line 94, column 5: the closing tag </Detail_Colection> does not close the \
             open element <Detail_Collection>: expected </Detail_Collection> here",
        ),
        (
            "day.xml",
            "textbox30=\"2016-01-31T00:00:00\"",
            "textbox30=\"2016-02-30T00:00:00\"",
            "day.xml, element /Report/table1/Detail_Collection/Detail[1]: Issue Date \
             \"2016-02-30T00:00:00\" is not a day of the calendar: February 2016 has 29 days. \
             Correct this row",
        ),
    ] {
        assert!(xml.contains(from), "{from}");
        std::fs::write(desk.path(file), xml.replacen(from, to, 1)).unwrap();
        let out = desk.eacdesk().args(["import", file]).assert().code(1);
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(stderr.contains(said), "{file}: {stderr}");
        assert!(
            stderr.contains("; nothing from it was imported"),
            "{stderr}"
        );
        for wrong in ["range", "position", "byte", "spreadsheet", "day/month/year"] {
            assert!(!stderr.contains(wrong), "{file}: {stderr}");
        }
    }
    assert_eq!(desk.count(), 0);
}

/// A stored document another program changed in the database is never
/// handed out as the original (a tester's finding): `--save-source`
/// refuses, naming the document, both SHA-256s and what to do, exit 1,
/// writing nothing; `show --verify` marks it, `check` lists it, and
/// importing the original file again puts its stored copy back.
#[test]
fn a_stored_document_changed_by_another_program_is_refused_and_named() {
    let desk = Desk::new();
    let pdf = sample("mrets/retirement-confirmation-sample.pdf");
    let id = "mrets:2194-ND-07-2020-CAC76615-56217..2194-ND-07-2020-CAC76615-58010";
    desk.import_json(&[&pdf]);
    let stored = desk.json(&["show", id])["sources"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    let conn = rusqlite::Connection::open(desk.path("desk.sqlite")).unwrap();
    conn.execute(
        "UPDATE documents SET content = CAST('not the statement' AS BLOB)",
        [],
    )
    .unwrap();
    drop(conn);
    use sha2::Digest;
    let found = hex::encode(sha2::Sha256::digest(b"not the statement"));

    let copy = desk.path("copy.pdf");
    desk.eacdesk()
        .args(["show", id, "--save-source", "1", "--out"])
        .arg(&copy)
        .assert()
        .code(1)
        .stderr(contains(format!(
            "The stored document retirement-confirmation-sample.pdf is no longer the one that \
             was imported: it was stored with the SHA-256 {stored}, and its bytes in the \
             database now have the SHA-256 {found}"
        )))
        .stderr(contains("nothing was written"))
        .stderr(contains(
            "Restore the database from a backup, or import the original file",
        ));
    assert!(!copy.exists(), "nothing is written");

    desk.eacdesk()
        .args(["show", id, "--verify"])
        .assert()
        .success()
        .stdout(contains(format!(
            "CHANGED: its bytes in the database now have the SHA-256 {found}"
        )))
        .stdout(contains("--save-source N").not());
    assert_eq!(
        desk.json(&["show", id, "--verify"])["sources"][0]["altered_sha256"],
        found.as_str()
    );

    desk.eacdesk()
        .args(["check"])
        .assert()
        .code(1)
        .stdout(contains(
            "1 stored document no longer has the SHA-256 it was stored with",
        ))
        .stdout(contains(format!(
            "retirement-confirmation-sample.pdf (source of 1 EAC): stored as SHA-256 {stored}, its bytes now have {found}"
        )));
    let out = desk
        .eacdesk()
        .args(["check", "--json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["documents"][0]["sha256"], stored.as_str());
    assert_eq!(report["documents"][0]["found"], found.as_str());

    // Importing the original again puts the stored copy back, and says so.
    desk.eacdesk()
        .args(["import"])
        .arg(&pdf)
        .assert()
        .success()
        .stdout(contains(
            "had been changed in the database by another program",
        ));
    desk.eacdesk()
        .args(["show", id, "--save-source", "1", "--out"])
        .arg(&copy)
        .assert()
        .success();
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&pdf).unwrap());
    desk.eacdesk().args(["check"]).assert().success();
}

/// EnergyTag interval times written without an offset, as the reference
/// registry writes them (`2024-03-31T00:00:00`), are the UTC instants the
/// specification defines them as ("the datetime in UTC format"), and the
/// import says once that it read them so; a time with a space for the
/// `T` (Python's str() of a datetime) is refused saying exactly that,
/// never that an offset is missing (tester 38, finding 2; decision 79 as
/// amended).
#[test]
fn energytag_times_without_an_offset_are_utc_and_a_space_for_the_t_is_named() {
    let desk = Desk::new();
    let out = desk
        .eacdesk()
        .args(["import", &sample("energytag/no-offset.json")])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        stdout.contains(
            "note (JSON pointer /0/production_starting_interval): 2 interval times are \
             written without a UTC offset (the first: `2024-03-31T00:00:00`): read as UTC, as \
             the EnergyTag specification defines production_starting_interval and \
             production_ending_interval (\"the datetime in UTC format\")"
        ),
        "{stdout}"
    );
    let row = desk.row("energytag:Ofgem-GC:7:1..5");
    assert_eq!(
        (row["period_start"].as_str(), row["period_end"].as_str()),
        (Some("2024-03-31T00:00:00Z"), Some("2024-03-31T01:00:00Z")),
        "{row}"
    );

    let out = desk
        .eacdesk()
        .args(["import", &sample("energytag/space-separated.json")])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        stderr.contains(
            "JSON pointer /0/production_starting_interval: `2024-03-31 00:00:00+00:00` \
             separates the date and the time with a space, where the specification's \
             date-time has a `T`"
        ) && stderr.contains("put a `T` in place of the space in every interval"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("not a date-time with an offset"),
        "{stderr}"
    );
    assert_eq!(desk.count(), 1, "nothing of the refused file was imported");
}
