//! The list of registry formats: their ids (for `--format` and the
//! provenance record), names, what each reads, content detection and one
//! entry point that reads a document in a given or detected format.

use crate::mapped::Mapping;
use crate::record::{Locator, ReadError, Statement, Warning};
use crate::{eecs, energytag, irec, mapped, mrets_csv, mrets_pdf, ofgem, pdf};

/// A registry document format EAC Desk reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    OfgemCertificatesCsv,
    OfgemCertificatesXml,
    OfgemStationsCsv,
    IrecPdf,
    EecsPdf,
    MretsPdf,
    MretsCsv,
    EnergyTagJson,
    /// Any CSV, read through a saved column mapping.
    MappedCsv,
}

impl Format {
    pub const ALL: &'static [Format] = &[
        Format::OfgemCertificatesCsv,
        Format::OfgemCertificatesXml,
        Format::OfgemStationsCsv,
        Format::IrecPdf,
        Format::EecsPdf,
        Format::MretsPdf,
        Format::MretsCsv,
        Format::EnergyTagJson,
        Format::MappedCsv,
    ];

    /// Whether the format's register splits a row into parts as they
    /// change status or holder, a later download listing only the parts
    /// (the Ofgem certificates report: one station, period code and issue
    /// date, a row per part): the store replaces a stored range that the
    /// document's ranges hold exactly by them, as a `Bundle Split` the
    /// document says (`eac_store::RegistryDocument::split_rows`).
    pub fn splits_rows(self) -> bool {
        matches!(
            self,
            Format::OfgemCertificatesCsv | Format::OfgemCertificatesXml
        )
    }

    /// The id `--format` takes and the provenance record keeps.
    pub fn id(self) -> &'static str {
        match self {
            Format::OfgemCertificatesCsv => "ofgem-csv",
            Format::OfgemCertificatesXml => "ofgem-xml",
            Format::OfgemStationsCsv => "ofgem-stations",
            Format::IrecPdf => "irec-pdf",
            Format::EecsPdf => "go-pdf",
            Format::MretsPdf => "mrets-pdf",
            Format::MretsCsv => "mrets-csv",
            Format::EnergyTagJson => "energytag",
            Format::MappedCsv => "csv",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::OfgemCertificatesCsv => "Ofgem certificates report (CSV)",
            Format::OfgemCertificatesXml => "Ofgem certificates report (XML)",
            Format::OfgemStationsCsv => "Ofgem accredited stations report (CSV)",
            Format::IrecPdf => "I-REC redemption statement (PDF)",
            Format::EecsPdf => "Guarantee of Origin cancellation statement (PDF)",
            Format::MretsPdf => "M-RETS retirement confirmation (PDF)",
            Format::MretsCsv => "M-RETS certificates download (CSV)",
            Format::EnergyTagJson => "EnergyTag granular certificate bundles (JSON)",
            Format::MappedCsv => "Any registry's CSV, with a saved column mapping",
        }
    }

    /// What the format reads, in plain words.
    pub fn reads(self) -> &'static str {
        match self {
            Format::OfgemCertificatesCsv | Format::OfgemCertificatesXml => {
                "REGO certificate ranges from the Renewables & CHP Register's Certificates report; RO rows are skipped (subsidy certificates)"
            }
            Format::OfgemStationsCsv => {
                "stations' commissioning dates, names and capacities; fills asset_commissioned of EACs from those stations"
            }
            Format::IrecPdf => "redeemed I-REC ranges, devices and the beneficiary of an Evident redemption statement",
            Format::EecsPdf => "cancelled GO ranges of a Norwegian (NECS) or Danish cancellation statement",
            Format::MretsPdf => "retired REC ranges of an M-RETS Transaction Confirmation",
            Format::MretsCsv => "REC ranges of the M-RETS certificates download",
            Format::EnergyTagJson => "granular certificate bundles (EnergyTag API v2)",
            Format::MappedCsv => "certificate ranges from any CSV whose columns a saved mapping names (--mapping NAME)",
        }
    }

    pub fn parse(id: &str) -> Option<Format> {
        Format::ALL.iter().copied().find(|f| f.id() == id)
    }
}

/// A document read: its format and what it says.
#[derive(Debug)]
pub struct Read {
    pub format: Format,
    pub statement: Statement,
}

/// Whether the bytes look like a document of a registry format (cheap for
/// text formats; PDFs are recognised by their header only).
pub fn looks_like_registry_document(bytes: &[u8]) -> bool {
    pdf::is_pdf(bytes) || detect_text(bytes).is_some()
}

/// What a file no reader takes is, where its first bytes tell: an Excel
/// workbook (whose data a registry export holds as CSV), or no text at
/// all (CDS listings and registry reports are text, statements PDF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotADocument {
    ExcelWorkbook,
    /// Not text: `byte`, the first that text does not hold (a NUL, another
    /// control byte), is at `line` and `column` (as an editor counts,
    /// [`eac_model::place`]).
    NotText {
        byte: u8,
        line: u64,
        column: u64,
    },
}

/// Whether `head` (a file's first bytes, `name` its file name) is a file
/// no registry or CDS reader can take, and which kind: an Excel workbook
/// (by its content — a ZIP holding `xl/`, or the old binary format — or
/// by a `.xlsx`/`.xls` name on bytes that are not text), or bytes that
/// are not text. A PDF is a document; text is UTF-8, a single-byte code
/// page, or UTF-16/32 with a byte order mark or mostly ASCII in
/// alternate bytes.
pub fn not_a_document(head: &[u8], name: &str) -> Option<NotADocument> {
    if pdf::is_pdf(head) {
        return None;
    }
    let zip_workbook =
        head.starts_with(b"PK\x03\x04") && head.windows(3).take(64 * 1024).any(|w| w == b"xl/");
    let old_workbook = head.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    let text = is_text(head);
    let excel_name = name.rsplit_once('.').is_some_and(|(_, ext)| {
        ["xlsx", "xlsm", "xls"]
            .iter()
            .any(|e| ext.eq_ignore_ascii_case(e))
    });
    if zip_workbook || old_workbook || (excel_name && !text) {
        Some(NotADocument::ExcelWorkbook)
    } else if !text {
        let at = head.iter().position(|&b| is_control(b)).unwrap_or(0);
        let place = eac_model::place::Place::after(&head[..at]);
        Some(NotADocument::NotText {
            byte: head.get(at).copied().unwrap_or(0),
            line: place.line,
            column: place.column(),
        })
    } else {
        None
    }
}

/// Whether `head` reads as text (see [`not_a_document`]); empty is text.
pub fn is_text(head: &[u8]) -> bool {
    const BOMS: [&[u8]; 5] = [
        b"\xEF\xBB\xBF",
        b"\x00\x00\xFE\xFF",
        b"\xFF\xFE\x00\x00",
        b"\xFE\xFF",
        b"\xFF\xFE",
    ];
    if BOMS.iter().any(|b| head.starts_with(b)) {
        return true;
    }
    // Judged on whole characters: a cut at the end proves nothing.
    let head = &head[..head.len().min(8192)];
    if head.is_empty() {
        return true;
    }
    // Control characters other than tab, line ends and form feed are not
    // in text (a code page's letters are 0x80 and above).
    let controls = head.iter().filter(|&&b| b != 0 && is_control(b)).count();
    if !head.contains(&0) {
        return controls * 100 <= head.len();
    }
    // UTF-16 or UTF-32 without a byte order mark: mostly ASCII, so the
    // high bytes are zero in a fixed place of each unit.
    let mostly_zero = |unit: usize, at: &[usize]| {
        let units = head.len() / unit;
        if units < 2 {
            return false;
        }
        let zeros = (0..units)
            .filter(|u| {
                at.iter().all(|&i| head[u * unit + i] == 0)
                    && head[u * unit..(u + 1) * unit].iter().any(|&b| b != 0)
            })
            .count();
        zeros * 10 >= units * 9
    };
    if mostly_zero(4, &[0, 1, 2])
        || mostly_zero(4, &[1, 2, 3])
        || mostly_zero(2, &[0])
        || mostly_zero(2, &[1])
    {
        return true;
    }
    // Text holding NUL bytes: the padding a crash or a full disk leaves at
    // the end of a file, or a NUL inside a string. It starts as text, and
    // with each run of NULs counted as one control byte it is text: the
    // readers refuse the NUL where it stands, as `validate` does (rule 20
    // at its line and column). A file starting with a NUL, or whose NULs
    // are many scattered runs among control bytes, is binary.
    if head[0] == 0 {
        return false;
    }
    let runs = head.windows(2).filter(|w| w[0] != 0 && w[1] == 0).count();
    let others = head.iter().filter(|&&b| b != 0).count();
    (controls + runs) * 100 <= others.max(100)
}

/// A byte text does not hold: a control character other than tab, line
/// ends and form feed (NUL included), or DEL.
fn is_control(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) || b == 0x7F
}

fn detect_text(bytes: &[u8]) -> Option<Format> {
    if ofgem::sniff_certificates_xml(bytes) {
        Some(Format::OfgemCertificatesXml)
    } else if ofgem::sniff_stations_csv(bytes) {
        Some(Format::OfgemStationsCsv)
    } else if ofgem::sniff_certificates_csv(bytes) {
        Some(Format::OfgemCertificatesCsv)
    } else if mrets_csv::sniff(bytes) {
        Some(Format::MretsCsv)
    } else if energytag::sniff(bytes) {
        Some(Format::EnergyTagJson)
    } else {
        None
    }
}

/// Reads a document in `format`, or in the format its content shows when
/// `format` is `None`. `mapping` is needed for (and only for) mapped CSV.
/// `Ok(None)`: no format recognises the content.
pub fn read(
    bytes: &[u8],
    format: Option<Format>,
    mapping: Option<&Mapping>,
) -> Result<Option<Read>, ReadError> {
    let format = match format {
        Some(f) => f,
        None if mapping.is_some() => Format::MappedCsv,
        None if pdf::is_pdf(bytes) => {
            let pages = pdf::pages(bytes)?;
            let format = if irec::sniff_text(&pages) {
                Format::IrecPdf
            } else if eecs::sniff_text(&pages) {
                Format::EecsPdf
            } else if mrets_pdf::sniff_text(&pages) {
                Format::MretsPdf
            } else {
                return Err(ReadError::new(
                    Locator::Document,
                    "this PDF is not a statement EAC Desk reads (I-REC redemption statement, Guarantee of Origin cancellation statement, M-RETS retirement confirmation)",
                ));
            };
            let statement = match format {
                Format::IrecPdf => irec::read_text(&pages)?,
                Format::EecsPdf => eecs::read_text(&pages)?,
                _ => mrets_pdf::read_text(&pages)?,
            };
            return Ok(Some(Read {
                format,
                statement: said_if_empty(format, statement),
            }));
        }
        None => match detect_text(bytes) {
            Some(f) => f,
            None => {
                // Text whose encoding is not stated is said as such, not
                // as a document of no known format.
                crate::text::refuse_utf16_without_bom(bytes)?;
                return Ok(None);
            }
        },
    };
    let statement = match format {
        Format::OfgemCertificatesCsv => ofgem::read_certificates_csv(bytes)?,
        Format::OfgemCertificatesXml => ofgem::read_certificates_xml(bytes)?,
        Format::OfgemStationsCsv => ofgem::read_stations_csv(bytes)?,
        Format::IrecPdf => irec::read(bytes)?,
        Format::EecsPdf => eecs::read(bytes)?,
        Format::MretsPdf => mrets_pdf::read(bytes)?,
        Format::MretsCsv => mrets_csv::read(bytes)?,
        Format::EnergyTagJson => energytag::read(bytes)?,
        Format::MappedCsv => {
            let Some(mapping) = mapping else {
                return Err(ReadError::new(
                    Locator::Document,
                    "a mapped CSV import needs a saved column mapping: name one with --mapping NAME (or choose one in the Import dialog)",
                ));
            };
            mapped::read(bytes, mapping)?
        }
    };
    Ok(Some(Read {
        format,
        statement: said_if_empty(format, statement),
    }))
}

/// A document read whole that holds nothing (a report downloaded with its
/// header but no rows, an empty list) imports nothing: said in a note, so
/// "0 EACs added" is not taken for a file whose certificates were all
/// stored already.
fn said_if_empty(format: Format, mut statement: Statement) -> Statement {
    if statement.ranges.is_empty() && statement.skipped.is_empty() && statement.stations.is_empty()
    {
        let what = match format {
            Format::OfgemStationsCsv => "stations",
            _ => "certificates",
        };
        statement.warnings.push(Warning {
            at: Locator::Document,
            message: format!(
                "the file holds no {what} (it has no rows, only what comes before them): \
                 nothing was imported from it. If it should hold some, download it again with \
                 the rows selected (period, account, status)"
            ),
        });
    }
    statement
}

#[cfg(test)]
mod not_a_document_tests {
    use super::*;

    #[test]
    fn only_real_utf16_is_text_and_workbooks_are_named() {
        let utf16be: Vec<u8> = "{\"eacs\": []}"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect();
        let utf16le: Vec<u8> = "a,b\n1,2\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(not_a_document(&utf16be, "x.json"), None);
        assert_eq!(not_a_document(&utf16le, "x.csv"), None);
        assert_eq!(not_a_document(b"\xFE\xFF\x00{", "x.json"), None);
        assert_eq!(not_a_document("Énergie;1\n".as_bytes(), "x.csv"), None);
        assert_eq!(not_a_document(b"caf\xE9;1\r\n", "x.csv"), None);
        assert_eq!(not_a_document(b"", "x.json"), None);
        assert_eq!(not_a_document(b"%PDF-1.7\n\x00\x01\x02", "s.pdf"), None);
        // Random bytes starting with a zero were once called UTF-16.
        let binary: Vec<u8> = (0u32..4096)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let mut binary = binary;
        binary[0] = 0;
        binary[1] = 0x8F;
        assert_eq!(
            not_a_document(&binary, "binary.json"),
            Some(NotADocument::NotText {
                byte: 0,
                line: 1,
                column: 1
            })
        );
        // Text padded with NULs (a crash, a full disk), or with a NUL in
        // a string, is text: the readers name the NUL's place.
        let listing = "{\"eacs\": [{\"cds_eac_id\": \"Ørsted-1\"}]}\n".repeat(20);
        let mut padded = listing.clone().into_bytes();
        padded.resize(padded.len() + 4096, 0);
        assert_eq!(not_a_document(&padded, "listing.json"), None);
        let inside = listing.replacen("Ørsted-1", "Ørsted\u{0}1", 1);
        assert_eq!(not_a_document(inside.as_bytes(), "listing.json"), None);
        assert_eq!(not_a_document(b"{\"a\": \"\x00\"}", "small.json"), None);
        // A binary file with a text header is still no text, named at its
        // first byte that is not text.
        let mut header = b"\x89PNG\r\n\x1a\n".to_vec();
        header.extend_from_slice(&binary[2..]);
        assert_eq!(
            not_a_document(&header, "picture.json"),
            Some(NotADocument::NotText {
                byte: 0x1A,
                line: 2,
                column: 1
            })
        );
        let mut sqlite = b"SQLite format 3\x00\x10\x00\x01\x01\x00\x40\x20\x20".to_vec();
        sqlite.extend_from_slice(&binary[2..]);
        assert!(matches!(
            not_a_document(&sqlite, "desk.json"),
            Some(NotADocument::NotText {
                byte: 0,
                line: 1,
                column: 16
            })
        ));
        let mut xlsx = b"PK\x03\x04\x14\x00\x06\x00".to_vec();
        xlsx.extend_from_slice(b"\x00\x00[Content_Types].xml\x00\x01xl/workbook.xml");
        assert_eq!(
            not_a_document(&xlsx, "report (1).zip"),
            Some(NotADocument::ExcelWorkbook)
        );
        assert_eq!(
            not_a_document(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00", "old.xls"),
            Some(NotADocument::ExcelWorkbook)
        );
        assert_eq!(
            not_a_document(&binary, "certs.XLSX"),
            Some(NotADocument::ExcelWorkbook)
        );
        // An ".xls" that is text (some registries send HTML or CSV so named) is read as text.
        assert_eq!(not_a_document(b"a,b\n1,2\n", "certs.xls"), None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sample_is_recognised_from_its_content_alone() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        for (file, format) in [
            (
                "ofgem/certificates-sample.csv",
                Format::OfgemCertificatesCsv,
            ),
            ("ofgem/no-header-bom.csv", Format::OfgemCertificatesCsv),
            ("ofgem/index-column.csv", Format::OfgemCertificatesCsv),
            (
                "ofgem/certificates-report-sample.xml",
                Format::OfgemCertificatesXml,
            ),
            (
                "ofgem/accredited-stations-sample.csv",
                Format::OfgemStationsCsv,
            ),
            ("irec/redemption-statement-sample.pdf", Format::IrecPdf),
            (
                "eecs-go/necs-cancellation-statement-sample.pdf",
                Format::EecsPdf,
            ),
            (
                "eecs-go/dk-cancellation-statement-sample.pdf",
                Format::EecsPdf,
            ),
            ("mrets/retirement-confirmation-sample.pdf", Format::MretsPdf),
            ("mrets/certificates.csv", Format::MretsCsv),
            ("energytag/bundles.json", Format::EnergyTagJson),
            ("energytag/query-response.json", Format::EnergyTagJson),
        ] {
            let bytes = std::fs::read(dir.join(file)).unwrap();
            let read = read(&bytes, None, None).unwrap().unwrap();
            assert_eq!(read.format, format, "{file}");
        }
        // A CDS listing is none of them.
        assert!(read(
            br#"{"eacs": [], "next": null, "previous": null}"#,
            None,
            None
        )
        .unwrap()
        .is_none());
        // A mapped CSV needs its mapping.
        let e = read(b"a,b\n1,2\n", Some(Format::MappedCsv), None).unwrap_err();
        assert!(e.message.contains("--mapping"), "{e}");
    }

    /// A report downloaded with its header and no rows imported "0 EACs
    /// added" without a word: a note now says it held none.
    #[test]
    fn a_file_holding_no_certificates_says_so() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        for (file, format, what) in [
            (
                "ofgem/certificates-sample.csv",
                Format::OfgemCertificatesCsv,
                "certificates",
            ),
            (
                "ofgem/semicolons.csv",
                Format::OfgemCertificatesCsv,
                "certificates",
            ),
            ("mrets/certificates.csv", Format::MretsCsv, "certificates"),
            (
                "ofgem/accredited-stations-sample.csv",
                Format::OfgemStationsCsv,
                "stations",
            ),
        ] {
            let bytes = std::fs::read(dir.join(file)).unwrap();
            let header = bytes.split_inclusive(|&b| b == b'\n').next().unwrap();
            let empty = super::read(header, None, None).unwrap().unwrap();
            assert_eq!(empty.format, format, "{file}");
            let last = empty.statement.warnings.last().expect(file);
            assert_eq!(last.at, Locator::Document);
            assert!(
                last.message.starts_with(&format!(
                    "the file holds no {what} (it has no rows, only what comes before them): \
                     nothing was imported from it"
                )),
                "{file}: {}",
                last.message
            );
            // A file with rows has no such note.
            let whole = super::read(&bytes, None, None).unwrap().unwrap();
            assert!(
                !whole
                    .statement
                    .warnings
                    .iter()
                    .any(|w| w.message.contains("holds no")),
                "{file}"
            );
        }
    }

    /// A download saved as UTF-16 without its byte order mark is said to
    /// be that, whether its format shows through the zero bytes (Ofgem) or
    /// not (M-RETS: "not a document EAC Desk recognises").
    #[test]
    fn utf16_without_its_mark_is_named_whatever_the_format() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        for file in ["ofgem/certificates-sample.csv", "mrets/certificates.csv"] {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
            let e = read(&le, None, None).unwrap_err();
            assert_eq!(e.at, Locator::Document, "{file}");
            assert!(
                e.message
                    .starts_with("the file is UTF-16LE text without a byte order mark"),
                "{file}: {}",
                e.message
            );
        }
    }

    #[test]
    fn ids_are_unique_and_parse_back() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.id()), Some(*f));
            assert_eq!(Format::ALL.iter().filter(|g| g.id() == f.id()).count(), 1);
        }
    }
}
