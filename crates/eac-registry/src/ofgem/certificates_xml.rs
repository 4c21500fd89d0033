//! The certificates report as rendered to XML by SQL Server Reporting
//! Services: one `Detail` element per row, its cells as `textbox…`
//! attributes (the table is in the module documentation).

use bigdecimal::BigDecimal;
use quick_xml::events::{BytesStart, Event};
use quick_xml::XmlVersion;

use super::{encoding_warning, read_row, Column, Numbers, Row, COLUMNS};
use crate::record::{Locator, ReadError, Statement, Warning};
use crate::text::{self, NumberStyle};

/// The SSRS report's name, in its namespace and `Name` attribute.
const REPORT_NAME: &str = "CertificatesExternalPublicDataWarehouse";

fn attributes(element: &BytesStart<'_>, at: &Locator) -> Result<Vec<(String, String)>, ReadError> {
    element
        .attributes()
        .map(|attribute| {
            let attribute = attribute.map_err(|e| malformed(at, e))?;
            let key = attribute.key.local_name().as_ref().to_string();
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| malformed(at, e))?;
            Ok((key, value.into_owned()))
        })
        .collect()
}

fn malformed(at: &Locator, e: impl std::fmt::Display) -> ReadError {
    ReadError::new(
        at.clone(),
        format!("the XML is malformed ({e}); download the report again from the Ofgem register"),
    )
}

/// Reads an Ofgem certificates report rendered as XML: one
/// [`crate::RangeRecord`] per REGO `Detail`, RO rows skipped. Locators are
/// element paths (`/Report/table1/Detail_Collection/Detail[3]`, counting
/// `Detail` elements from 1 through the document).
pub fn read_certificates_xml(bytes: &[u8]) -> Result<Statement, ReadError> {
    let (text, guessed) = text::decode_document(bytes)?;
    let mut out = Statement::default();
    encoding_warning(guessed, &mut out);
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut path: Vec<String> = Vec::new();
    let mut details = 0usize;
    let mut stated_total: Option<(String, Locator)> = None;
    // Sum of every row's No. Of Certificates (REGO and RO); None once a row
    // does not print a number (then the total is not checked).
    let mut sum = Some(BigDecimal::from(0));
    let mut root_seen = false;
    loop {
        let at_path = || Locator::Element(format!("/{}", path.join("/")));
        let event = reader.read_event().map_err(|e| {
            ReadError::new(
                at_path(),
                format!(
                    "the XML is malformed near byte {} ({e}); download the report again from the Ofgem register",
                    reader.error_position()
                ),
            )
        })?;
        let (element, empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                path.pop();
                continue;
            }
            Event::Eof if !path.is_empty() => {
                // The parser takes an end of file inside open elements
                // for an end: a download cut after a whole `Detail` would
                // import the rows before the cut as the whole report.
                let (line, column) = text::LineIndex::new(&text).line_column(text.len());
                return Err(ReadError::new(
                    Locator::Line(line),
                    format!(
                        "column {column}: the file ends while <{}> {} still open: the XML is \
                         malformed (every element must be closed) and looks cut short: \
                         download the report again from the Ofgem register",
                        path.join("> <"),
                        if path.len() == 1 { "is" } else { "are" }
                    ),
                ));
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = element.local_name().as_ref().to_string();
        if !root_seen {
            root_seen = true;
            if name != "Report" {
                return Err(not_a_report(&name));
            }
            let at = Locator::Element("/Report".to_string());
            if let Some((_, total)) = attributes(&element, &at)?
                .into_iter()
                .find(|(k, _)| k == "textbox47")
            {
                stated_total = Some((total, at));
            }
        } else if name == "Detail" {
            details += 1;
            let at = Locator::Element(format!("/{}/Detail[{details}]", path.join("/")));
            let attributes = attributes(&element, &at)?;
            let cells: [String; COLUMNS] = std::array::from_fn(|c| {
                let wanted = Column::ALL[c].xml_attribute();
                attributes
                    .iter()
                    .find(|(k, _)| k == wanted)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            });
            let count = &cells[Column::Count as usize];
            sum = sum.and_then(|s| {
                text::parse_number(count, NumberStyle::DecimalPoint).map(|n| s + n.to_big())
            });
            read_row(
                Row {
                    at,
                    cells,
                    numbers: Numbers::DecimalPoint,
                },
                &mut out,
            )?;
        }
        if !empty {
            path.push(name);
        }
    }
    if !root_seen {
        return Err(not_a_report("(none)"));
    }
    if let (Some((total, at)), Some(sum)) = (stated_total, sum) {
        let stated = text::parse_number(&total, NumberStyle::DecimalPoint);
        if stated.as_ref().map(|t| t.to_big()) != Some(sum.clone()) {
            out.warnings.push(Warning {
                at,
                message: format!(
                    "the report states {total} certificates in total but its {details} rows hold {sum}: the file may be cut short or filtered. Check it is the whole report"
                ),
            });
        }
    }
    Ok(out)
}

fn not_a_report(root: &str) -> ReadError {
    ReadError::new(
        Locator::Document,
        format!(
            "this is not an Ofgem certificates report: its root element is {root}, expected Report. Choose the XML rendering of the Ofgem Renewables and CHP Register's Certificates report"
        ),
    )
}

/// True when the bytes look like the Ofgem certificates report as XML.
pub fn sniff_certificates_xml(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    let (text, _) = text::decode_text(head);
    text.trim_start().starts_with('<')
        && text.contains("<Report")
        && (text.contains(REPORT_NAME)
            || (text.contains("textbox24=") && text.contains("textbox27=")))
}
