//! Tester 39, finding 1: a quoted cell never closed took every later row
//! into that one cell, and the file imported with the rows gone ("1 EAC
//! added", exit 0), or was refused at a later line for the wrong cause; a
//! cell whose quoted part ends before it does lost its quotes. Every CSV
//! reader now refuses both at the quote, line and column, and still reads
//! what RFC 4180 allows (doubled quotes, line breaks in quoted cells, the
//! stations report's bare CRs, BOM, CRLF).

use eac_registry::mapped::{self, Mapping};
use eac_registry::{mrets_csv, ofgem, Locator, ReadError};

use crate::fixture;

/// The 1-based column (in characters) of the first `needle` in `line`.
fn column_of(line: &str, needle: &str) -> usize {
    line[..line.find(needle).unwrap()].chars().count() + 1
}

fn assert_not_closed(err: ReadError, line: u64, column: usize) {
    assert_eq!(err.at, Locator::Line(line), "{}", err.message);
    assert!(
        err.message
            .starts_with(&format!("column {column}: a quoted field is not closed")),
        "{}",
        err.message
    );
}

const OFGEM_HEADER: &str = "Accreditation No.,Generating Station / Agent Group,Station TIC,Scheme,\
Country,Technology Group,Generation Type,Output Period,No. Of Certificates,Start Certificate No.,\
End Certificate No.,MWh Per Certificate,Issue Date,Certificate Status,Status Date,Current Holder \
Organisation Name,Company Registration Number";
const DRAX: &str = "G01821BWEN,Drax Power Station (REGO),4065000.0,REGO,England,Biomass,,Mar-2023,\
5000,G01821BWEN0000000000010323310323GEN,G01821BWEN0000004999010323310323GEN,1.0,15/05/2023,Issued,\
10/11/2023,Drax Pumped Storage Limited,06657336";
const WALNEY: &str = "G01177FWEN,Walney Extension,659000.0,REGO,England,Off-shore Wind,,\
01/03/2023 - 31/03/2023,5000,G01177FWEN0000251285010323310323GEN,\
G01177FWEN0000256284010323310323GEN,1.0,25/04/2023,Retired,06/06/2023,ACT,27336523";

#[test]
fn ofgem_certificates_refuse_an_open_quote_where_it_opens() {
    let good = format!("{OFGEM_HEADER}\r\n{DRAX}\r\n{WALNEY}\r\n");
    assert_eq!(
        ofgem::read_certificates_csv(good.as_bytes())
            .unwrap()
            .ranges
            .len(),
        2
    );
    // The tester's file: "1 EAC added", the Walney row inside the Drax
    // row's registration number.
    let open = DRAX.replace(",06657336", ",\"06657336");
    let text = format!("{OFGEM_HEADER}\r\n{open}\r\n{WALNEY}\r\n");
    let err = ofgem::read_certificates_csv(text.as_bytes()).unwrap_err();
    assert_not_closed(err, 2, column_of(&open, "\"0665"));
    // Quoted the Ofgem way, doubled quotes inside, the holder is read.
    let quoted = DRAX.replace(
        "Drax Pumped Storage Limited",
        "\"\"\"Drax\"\" Pumped Storage Limited\"",
    );
    let text = format!("{OFGEM_HEADER}\r\n{quoted}\r\n");
    let st = ofgem::read_certificates_csv(text.as_bytes()).unwrap();
    assert_eq!(
        st.ranges[0].holder.as_deref(),
        Some("\"Drax\" Pumped Storage Limited")
    );
    // A quoted part ending before its cell lost its quotes in silence.
    let early = DRAX.replace(
        "Drax Pumped Storage Limited",
        "\"Drax\" Pumped Storage Limited",
    );
    let text = format!("\u{feff}{OFGEM_HEADER}\r\n{early}\r\n");
    let err = ofgem::read_certificates_csv(text.as_bytes()).unwrap_err();
    assert_eq!(err.at, Locator::Line(2));
    let column = column_of(&early, "\" Pumped");
    assert!(
        err.message.starts_with(&format!(
            "column {column}: the quoted part of the cell `\"Drax\" Pumped Storage Limited` ends"
        )) && err
            .message
            .contains("(`\"\"\"Drax\"\" Pumped Storage Limited\"`)"),
        "{}",
        err.message
    );
}

#[test]
fn ofgem_certificates_name_both_ends_of_a_quote_closed_rows_later() {
    // The next row's quoted cell closes the open quote: refused where it
    // opened, naming where it closed.
    let open = DRAX.replace(",06657336", ",\"06657336");
    let later = WALNEY.replace(",ACT,", ",\"ACT Ltd\",");
    let text = format!("{OFGEM_HEADER}\n{open}\n{later}\n");
    let err = ofgem::read_certificates_csv(text.as_bytes()).unwrap_err();
    assert_eq!(err.at, Locator::Line(2));
    assert!(
        err.message.starts_with(&format!(
            "column {}: a quoted field is not closed where its cell ends",
            column_of(&open, "\"0665")
        )) && err.message.contains(&format!(
            "up to line 3, column {}, where a `\"` is followed by `ACT Ltd\"` instead of `,`",
            column_of(&later, "\"ACT")
        )),
        "{}",
        err.message
    );
}

#[test]
fn stations_refuse_an_open_quote_and_a_file_cut_inside_a_quoted_cell() {
    let sample = fixture("ofgem/accredited-stations-sample.csv");
    assert!(ofgem::read_stations_csv(&sample).is_ok());
    let text = String::from_utf8(sample).unwrap();
    // Row 2's last cell (an address with bare CRs) never closed: refused
    // where it opens, not as a short row five lines on.
    let row2_end = text.find("England\"\r\n").unwrap();
    let open = format!("{}England\r\n{}", &text[..row2_end], &text[row2_end + 10..]);
    let err = ofgem::read_stations_csv(open.as_bytes()).unwrap_err();
    let (line, column) = place_of(&open, open[..row2_end].rfind(",\"").unwrap() + 1);
    // Row 2 starts on line 2; its first address's bare CRs end lines too.
    assert_eq!(line, 5);
    assert_not_closed(err, line, column);
    // Cut short inside the last row's quoted address: it was imported as
    // if whole.
    let cut = text.trim_end();
    let cut = &cut[..cut.len() - 10];
    let err = ofgem::read_stations_csv(cut.as_bytes()).unwrap_err();
    let (line, column) = place_of(cut, cut.rfind(",\"").unwrap() + 1);
    assert_not_closed(err, line, column);
}

/// The line and column of byte `at` of `text` as an editor shows them
/// (lines end at CRLF, LF or a lone CR; columns count characters).
fn place_of(text: &str, at: usize) -> (u64, usize) {
    let before = text[..at].replace("\r\n", "\n").replace('\r', "\n");
    let line = before.matches('\n').count() as u64 + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

#[test]
fn mrets_refuses_an_open_quote_before_a_serial_number() {
    let text = String::from_utf8(fixture("mrets/certificates.csv")).unwrap();
    let line2 = text.split("\r\n").nth(1).unwrap();
    let open = line2.replace(",2194-ND", ",\"2194-ND");
    let err = mrets_csv::read(text.replacen(line2, &open, 1).as_bytes()).unwrap_err();
    // It was "`South` is not an M-RETS serial number", from the next row.
    assert_not_closed(err, 2, column_of(&open, "\"2194"));
}

fn wregis() -> Mapping {
    Mapping::from_json(
        r#"{"name":"w","registry":"wregis","source_id":"WREGIS","source_name":"WREGIS",
            "time_zone":"America/Los_Angeles","first":{"column":"First"},"last":{"column":"Last"},
            "per_certificate":{"value":"1"},"unit":{"value":"MWh"},"status":{"value":"retired"},
            "period_start":{"column":"From"},"period_end":{"column":"To"},
            "device_id":{"column":"Unit"}}"#,
    )
    .unwrap()
}

#[test]
fn a_mapped_csv_refuses_an_open_quote_in_import_and_preview() {
    let m = wregis();
    let good = "First,Last,From,To,Unit,Comment\n\
                1,100,2024-01-01,2024-01-31,W1,\"see\nnote, \"\"a\"\"\"\n\
                101,300,2024-01-01,2024-01-31,W1,\n";
    assert_eq!(mapped::read(good.as_bytes(), &m).unwrap().ranges.len(), 2);
    assert!(mapped::check(good.as_bytes(), &m).problems.is_empty());
    // The tester's file: "1 EAC (100 MWh) added", 300 MWh gone, and the
    // preview called it clean.
    let text = "First,Last,From,To,Unit,Comment\n\
                1,100,2024-01-01,2024-01-31,W1,\"see note\n\
                101,300,2024-01-01,2024-01-31,W1,\n\
                301,400,2024-01-01,2024-01-31,W1,ok\n";
    let err = mapped::read(text.as_bytes(), &m).unwrap_err();
    assert_not_closed(err, 2, 32);
    let problems = mapped::check(text.as_bytes(), &m).problems;
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("line 2: column 32: a quoted field is not closed"),
        "{problems:?}"
    );
    assert!(mapped::preview(text.as_bytes(), &m, 5).is_err());
}

/// Finding 7: the short-row hint said `,,` in a `;` file.
#[test]
fn a_short_row_is_told_with_the_files_own_delimiter() {
    let m: Mapping =
        serde_json::from_slice(&fixture("mapped/go-cancellations.mapping.json")).unwrap();
    let text = String::from_utf8(fixture("mapped/go-cancellations.csv")).unwrap();
    let short = text.replace(
        ";\"Acme AS; Oslo\";Kraft Trading AS ;NO",
        ";\"Acme AS; Oslo\"",
    );
    let err = mapped::read(short.as_bytes(), &m).unwrap_err();
    assert_eq!(err.at, Locator::Line(4));
    assert!(
        err.message.contains("(empty cells too, written as `;;`)"),
        "{}",
        err.message
    );
}
