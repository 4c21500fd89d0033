//! Every reader meets damaged documents without panicking: each real or
//! fixture document, mutated many times (bytes flipped, dropped, repeated,
//! cut short, lines swapped), read in its own format and with detection,
//! gives a statement or a located error, never a crash. The mutations come
//! from a seed alone, so a failure names its input exactly.

use eac_registry::{Format, Mapping};

use super::fixture;

/// xorshift64*: a few lines, no dependency, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for _ in 0..1 + rng.below(4) {
        if out.is_empty() {
            break;
        }
        let at = rng.below(out.len());
        match rng.below(6) {
            0 => out[at] = rng.next() as u8,
            1 => {
                out.remove(at);
            }
            2 => {
                let end = (at + 1 + rng.below(64)).min(out.len());
                let piece = out[at..end].to_vec();
                out.splice(at..at, piece);
            }
            3 => out.truncate(at),
            4 => {
                // A digit, separator or quote where the readers look hardest.
                const CHARS: &[u8] = b"0123456789 ,.;:-/\"\n\xA0";
                let c = CHARS[rng.below(CHARS.len())];
                out.insert(at, c);
            }
            _ => {
                // Swap two lines.
                let text: Vec<&[u8]> = out.split(|b| *b == b'\n').collect();
                if text.len() > 2 {
                    let (i, j) = (rng.below(text.len()), rng.below(text.len()));
                    let mut lines: Vec<Vec<u8>> = text.iter().map(|l| l.to_vec()).collect();
                    lines.swap(i, j);
                    out = lines.join(&b'\n');
                }
            }
        }
    }
    out
}

#[test]
fn no_reader_panics_on_damaged_documents() {
    let mapping: Mapping =
        serde_json::from_slice(&fixture("mapped/go-cancellations.mapping.json")).unwrap();
    let cases: &[(&str, Format, usize)] = &[
        (
            "ofgem/certificates-sample.csv",
            Format::OfgemCertificatesCsv,
            300,
        ),
        (
            "ofgem/index-no-header.csv",
            Format::OfgemCertificatesCsv,
            150,
        ),
        (
            "ofgem/certificates-report-sample.xml",
            Format::OfgemCertificatesXml,
            300,
        ),
        (
            "ofgem/accredited-stations-sample.csv",
            Format::OfgemStationsCsv,
            200,
        ),
        ("mrets/certificates.csv", Format::MretsCsv, 300),
        ("energytag/bundles.json", Format::EnergyTagJson, 300),
        ("energytag/query-response.json", Format::EnergyTagJson, 150),
        ("mapped/go-cancellations.csv", Format::MappedCsv, 300),
        // PDFs are slow to parse: fewer, and their text layer is what the
        // statement readers' own text fixtures cover.
        ("irec/redemption-statement-sample.pdf", Format::IrecPdf, 12),
        (
            "eecs-go/dk-cancellation-statement-sample.pdf",
            Format::EecsPdf,
            12,
        ),
        (
            "mrets/retirement-confirmation-sample.pdf",
            Format::MretsPdf,
            12,
        ),
    ];
    for (seed, (file, format, rounds)) in cases.iter().enumerate() {
        let bytes = fixture(file);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (seed as u64 + 1));
        for round in 0..*rounds {
            let damaged = mutate(&bytes, &mut rng);
            let map = (*format == Format::MappedCsv).then_some(&mapping);
            let forced =
                std::panic::catch_unwind(|| eac_registry::read(&damaged, Some(*format), map));
            assert!(
                forced.is_ok(),
                "{file}: round {round} panicked (forced format)"
            );
            let detected = std::panic::catch_unwind(|| eac_registry::read(&damaged, None, None));
            assert!(
                detected.is_ok(),
                "{file}: round {round} panicked (detection)"
            );
            if let Ok(Err(e)) = forced {
                assert!(
                    !e.message.is_empty(),
                    "{file}: round {round}: an error without words"
                );
            }
        }
    }
}
