//! Mutations of valid files: structural (on the [`Json`] tree: numbers,
//! timestamps, strings, keys, array items, types, nesting, grafts from other
//! seeds) and byte-level (BOM, UTF-16, truncation, flipped or inserted
//! bytes), all driven by one seeded [`Rng`] so an input is reproducible from
//! its seed and iteration.

use crate::tree::{Json, NodePath};

/// SplitMix64: tiny, fast and the same on every platform and Rust version,
/// so a printed seed reproduces its input forever.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The generator of one iteration: inputs depend only on (seed, iteration).
    pub fn for_iteration(seed: u64, iteration: u64) -> Rng {
        let mut r = Rng(seed ^ iteration.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True `num` times in `den`.
    pub fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Number literals readers get wrong: beyond a double, below its smallest
/// value, negative zero, exponents of every size, many digits, and tokens
/// that are not JSON numbers at all.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "0.0",
    "-0.0",
    "1",
    "-1",
    "1e400",
    "-1e400",
    "1e309",
    "1e308",
    "1.7976931348623157e308",
    "4.9e-324",
    "1e-400",
    "1E+2",
    "1e+0",
    "0e0",
    "0E-0",
    "1.50E-2",
    "1e9999999999",
    "1e-9999999999",
    "1e2147483647",
    "1e-2147483648",
    "1e2147483648",
    "123456789012345678901234567890.123456789012345678901234567890",
    "0.000000000000000000000000000000000001",
    "1.0000000000000000000000000000",
    "18446744073709551616",
    "-9223372036854775809",
    "00",
    "01",
    "1.",
    ".5",
    "+1",
    "1e",
    "--1",
    "NaN",
    "Infinity",
    "0x10",
];

const INTERESTING_EXPONENTS: &[&str] = &[
    "-400", "-325", "-20", "-1", "0", "20", "308", "309", "400", "100000",
];

/// Strings readers get wrong (raw JSON text between the quotes).
const STRINGS: &[&str] = &[
    "",
    " ",
    "TODO",
    "\\ud800",
    "\\udc00",
    "a\\ud800b",
    "\\ud83d\\ude00",
    "\u{1F600}",
    "é",
    "e\u{301}",
    "\\u0000",
    "\\u001b[31mred",
    "line\\nbreak",
    "tab\\t",
    "raw\ttab",
    "raw\ncontrol",
    "/",
    "a/b",
    "..",
    "../../etc/passwd",
    "file:///etc/passwd",
    "https://example.org/x",
    "\\\\",
    "\\\"",
    "\u{202e}",
    "\u{feff}",
    "\\uFEFF",
    "customer",
    "general",
    "rateplan",
    "program",
    "account",
    "servicecontract",
    "Customer",
    "grid",
    "onsite",
    "wind",
    "solar",
    "hydro",
    "nuclear",
    "marine",
    "storage",
    "other",
    "Wh",
    "kWh",
    "MWh",
    "GWh",
    "kwh",
    "eacdesk_eac_json_v1",
    "certiq",
];

/// Member names the readers know, plus one they do not.
const KEYS: &[&str] = &[
    "cds_eac_id",
    "cds_created",
    "cds_modified",
    "cds_synced",
    "eac_number",
    "eac_numbers",
    "eac_format",
    "eac_data_url",
    "source_id",
    "source_name",
    "destination_id",
    "destination_name",
    "beneficiary_type",
    "beneficiaries",
    "asset_id",
    "asset_commissioned",
    "asset_origination",
    "asset_destination",
    "technology_type",
    "emissions_factor_direct",
    "emissions_factor_lca",
    "period_start",
    "period_end",
    "values",
    "issued",
    "retired",
    "start",
    "end",
    "unit",
    "value",
    "eacs",
    "next",
    "previous",
    "accounts",
    "service_contracts",
    "programs",
    "program_number",
    "cds_eac_formats",
    "x_extension",
    "",
];

const YEARS: &[&str] = &[
    "0000", "0001", "1969", "1970", "2000", "2024", "9999", "10000",
];
const MONTH_DAYS: &[&str] = &[
    "01-01", "02-29", "02-30", "06-30", "12-31", "13-01", "00-10", "04-31", "1-1",
];
const CLOCKS: &[&str] = &[
    "00:00:00", "23:59:59", "23:59:60", "00:00:60", "24:00:00", "12:60:00", "12:00",
];
const FRACTIONS: &[&str] = &[
    "",
    "",
    ".0",
    ".5",
    ".123456789",
    ".1234567891",
    ".0000000001",
    ".000000000000001",
    ".99999999999999999999",
    ".",
];
const OFFSETS: &[&str] = &[
    "Z", "Z", "z", "+00:00", "-00:00", "+14:00", "-12:00", "+23:59", "+24:00", "+01", "0100", "",
];

/// A datetime or date at an edge: leap seconds, many fraction digits,
/// offsets that move it across a day or a year, impossible dates.
fn timestamp(rng: &mut Rng) -> String {
    let date = format!("{}-{}", rng.pick(YEARS), rng.pick(MONTH_DAYS));
    if rng.chance(1, 5) {
        return date;
    }
    let sep = *rng.pick(&["T", "T", "T", "t", " "]);
    format!(
        "{date}{sep}{}{}{}",
        rng.pick(CLOCKS),
        rng.pick(FRACTIONS),
        rng.pick(OFFSETS)
    )
}

fn number(rng: &mut Rng, current: &str) -> String {
    match rng.below(6) {
        0 | 1 => (*rng.pick(NUMBERS)).to_owned(),
        2 => format!("{current}{}", "0".repeat(1 + rng.below(40))),
        3 => format!("{current}e{}", rng.pick(INTERESTING_EXPONENTS)),
        4 => {
            let digits = *rng.pick(&[17, 30, 100, 400, 5000, 100_000]);
            let mut s = "9".repeat(digits);
            if rng.chance(1, 2) {
                s.insert(1, '.');
            }
            s
        }
        _ => match current.strip_prefix('-') {
            Some(rest) => rest.to_owned(),
            None => format!("-{current}"),
        },
    }
}

fn string(rng: &mut Rng, current: &str) -> String {
    match rng.below(8) {
        0..=3 => (*rng.pick(STRINGS)).to_owned(),
        4 => format!("{current}{}", rng.pick(STRINGS)),
        5 => "x".repeat(*rng.pick(&[1000, 70_000])),
        6 => {
            // One character changed, kept ASCII so the text stays UTF-8.
            let mut bytes = current.as_bytes().to_vec();
            if !bytes.is_empty() {
                let i = rng.below(bytes.len());
                if bytes[i].is_ascii() {
                    bytes[i] = *rng.pick(b"0129aZ-_:.T ");
                }
            }
            String::from_utf8(bytes).unwrap_or_else(|_| current.to_owned())
        }
        _ => current.to_uppercase(),
    }
}

/// A simple value of any type.
fn simple(rng: &mut Rng) -> Json {
    match rng.below(8) {
        0 => Json::Null,
        1 => Json::Bool(rng.chance(1, 2)),
        2 => Json::Num((*rng.pick(NUMBERS)).to_owned()),
        3 => Json::Str((*rng.pick(STRINGS)).to_owned()),
        4 => Json::Arr(Vec::new()),
        5 => Json::Obj(Vec::new()),
        6 => Json::Str(timestamp(rng)),
        _ => Json::Arr(vec![Json::Str((*rng.pick(STRINGS)).to_owned())]),
    }
}

fn looks_like_time(raw: &str) -> bool {
    let b = raw.as_bytes();
    b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-'
}

/// Paths of nodes that satisfy `keep`.
fn select(tree: &Json, keep: impl Fn(&Json) -> bool) -> Vec<NodePath> {
    tree.paths()
        .into_iter()
        .filter(|p| keep(tree.at(p)))
        .collect()
}

/// Applies one structural mutation; `donors` are other seeds of the same kind.
pub fn mutate_tree(rng: &mut Rng, tree: &mut Json, donors: &[Json]) {
    let op = rng.below(16);
    let pick_path = |rng: &mut Rng, paths: Vec<NodePath>| -> Option<NodePath> {
        (!paths.is_empty()).then(|| paths[rng.below(paths.len())].clone())
    };
    match op {
        // Numbers (the most common source of disagreement).
        0..=2 => {
            if let Some(p) = pick_path(rng, select(tree, |n| matches!(n, Json::Num(_)))) {
                let node = tree.at_mut(&p);
                if let Json::Num(n) = node {
                    *node = Json::Num(number(rng, n));
                }
            }
        }
        // Timestamps and dates.
        3..=4 => {
            let paths = select(tree, |n| matches!(n, Json::Str(s) if looks_like_time(s)));
            if let Some(p) = pick_path(rng, paths) {
                *tree.at_mut(&p) = Json::Str(timestamp(rng));
            }
        }
        // Strings.
        5..=6 => {
            if let Some(p) = pick_path(rng, select(tree, |n| matches!(n, Json::Str(_)))) {
                let node = tree.at_mut(&p);
                if let Json::Str(s) = node {
                    *node = Json::Str(string(rng, s));
                }
            }
        }
        // Object members: drop, duplicate, reorder, rename, add.
        7..=9 => {
            if let Some(p) = pick_path(
                rng,
                select(tree, |n| matches!(n, Json::Obj(m) if !m.is_empty())),
            ) {
                let donor_value = graft_value(rng, donors);
                if let Json::Obj(members) = tree.at_mut(&p) {
                    let i = rng.below(members.len());
                    match rng.below(5) {
                        0 => {
                            members.remove(i);
                        }
                        1 => {
                            let copy = members[i].clone();
                            let at = rng.below(members.len() + 1);
                            members.insert(at, copy);
                        }
                        2 => {
                            let j = rng.below(members.len());
                            members.swap(i, j);
                        }
                        3 => members[i].0 = (*rng.pick(KEYS)).to_owned(),
                        _ => {
                            let key = (*rng.pick(KEYS)).to_owned();
                            let value = donor_value.unwrap_or_else(|| simple(rng));
                            let at = rng.below(members.len() + 1);
                            members.insert(at, (key, value));
                        }
                    }
                }
            }
        }
        // Array items: drop, duplicate, swap, clear.
        10..=11 => {
            if let Some(p) = pick_path(
                rng,
                select(tree, |n| matches!(n, Json::Arr(a) if !a.is_empty())),
            ) {
                if let Json::Arr(items) = tree.at_mut(&p) {
                    let i = rng.below(items.len());
                    match rng.below(5) {
                        0 => {
                            items.remove(i);
                        }
                        1 | 2 => {
                            let copy = items[i].clone();
                            let at = rng.below(items.len() + 1);
                            items.insert(at, copy);
                        }
                        3 => {
                            let j = rng.below(items.len());
                            items.swap(i, j);
                        }
                        _ => items.clear(),
                    }
                }
            }
        }
        // A different type.
        12 => {
            if let Some(p) = pick_path(rng, tree.paths()) {
                *tree.at_mut(&p) = simple(rng);
            }
        }
        // Deep nesting, written as raw text (no recursion in the writer).
        13 => {
            if let Some(p) = pick_path(rng, tree.paths()) {
                let depth = *rng.pick(&[2, 10, 127, 128, 129, 200, 1000, 100_000]);
                let (open, close) = if rng.chance(1, 2) {
                    ("[", "]")
                } else {
                    ("{\"a\":", "}")
                };
                let inner = tree.at(&p).to_text(None);
                *tree.at_mut(&p) = Json::Raw(format!(
                    "{}{inner}{}",
                    open.repeat(depth),
                    close.repeat(depth)
                ));
            }
        }
        // A subtree of another seed.
        _ => {
            if let (Some(p), Some(v)) = (pick_path(rng, tree.paths()), graft_value(rng, donors)) {
                if !p.is_empty() {
                    *tree.at_mut(&p) = v;
                }
            }
        }
    }
}

fn graft_value(rng: &mut Rng, donors: &[Json]) -> Option<Json> {
    if donors.is_empty() {
        return None;
    }
    let donor = rng.pick(donors);
    let paths = donor.paths();
    let p = rng.pick(&paths);
    Some(donor.at(p).clone())
}

/// Applies one byte-level mutation.
pub fn mutate_bytes(rng: &mut Rng, bytes: &mut Vec<u8>) {
    let len = bytes.len();
    match rng.below(11) {
        0 => bytes.splice(0..0, [0xEF, 0xBB, 0xBF]).for_each(drop),
        1 => {
            // UTF-16 with a byte-order mark (either endianness).
            let text = String::from_utf8_lossy(bytes).into_owned();
            let big = rng.chance(1, 2);
            let mut out = if big {
                vec![0xFE, 0xFF]
            } else {
                vec![0xFF, 0xFE]
            };
            for unit in text.encode_utf16() {
                let b = if big {
                    unit.to_be_bytes()
                } else {
                    unit.to_le_bytes()
                };
                out.extend_from_slice(&b);
            }
            *bytes = out;
        }
        2 => bytes.truncate(rng.below(len + 1)),
        3 if len > 0 => {
            let i = rng.below(len);
            bytes[i] = *rng.pick(&[0x00, 0xFF, b'"', b'\\', b'{', b']', b',', 0x80, 0xC0, b'\n']);
        }
        4 if len > 0 => {
            let i = rng.below(len);
            bytes[i] ^= 1 << rng.below(8);
        }
        5 => {
            let at = rng.below(len + 1);
            let inserts: [&[u8]; 8] = [
                b"\xC3\x28",
                b"\xED\xA0\x80",
                b"\xF4\x90\x80\x80",
                b"\x00",
                b",",
                b"//c\n",
                b"\r\n",
                b"\"",
            ];
            let insert = *rng.pick(&inserts);
            bytes.splice(at..at, insert.iter().copied()).for_each(drop);
        }
        6 if len > 0 => {
            let a = rng.below(len);
            let b = (a + 1 + rng.below(64)).min(len);
            bytes.drain(a..b);
        }
        7 if len > 0 => {
            let a = rng.below(len);
            let b = (a + 1 + rng.below(256)).min(len);
            let copy = bytes[a..b].to_vec();
            let at = rng.below(len + 1);
            bytes.splice(at..at, copy).for_each(drop);
        }
        8 => {
            let tails: [&[u8]; 6] = [b"x", b",", b"}", b" \n\t", b"\x00", b"{}"];
            let tail = *rng.pick(&tails);
            bytes.extend_from_slice(tail);
        }
        9 => {
            // CRLF line ends everywhere.
            let mut out = Vec::with_capacity(len + len / 16);
            for &b in bytes.iter() {
                if b == b'\n' {
                    out.push(b'\r');
                }
                out.push(b);
            }
            *bytes = out;
        }
        _ => {
            // A byte inside a string made invalid UTF-8.
            let quotes: Vec<usize> = (0..len).filter(|&i| bytes[i] == b'"').collect();
            if !quotes.is_empty() {
                let at = quotes[rng.below(quotes.len())] + 1;
                let bads: [&[u8]; 3] = [b"\xFF", b"\xC0\xAF", b"\xED\xB0\x80"];
                let bad = *rng.pick(&bads);
                bytes.splice(at..at, bad.iter().copied()).for_each(drop);
            }
        }
    }
}

/// A mutated document from `seed` (its text) and `donors`: a few structural
/// mutations when it parses, and sometimes byte-level ones after.
pub fn mutate_document(rng: &mut Rng, seed: &[u8], donors: &[Json]) -> Vec<u8> {
    let text = String::from_utf8_lossy(seed);
    let mut bytes = match Json::parse(&text) {
        Some(mut tree) if !rng.chance(1, 10) => {
            for _ in 0..*rng.pick(&[1, 1, 1, 2, 3]) {
                mutate_tree(rng, &mut tree, donors);
            }
            let indent = *rng.pick(&[None, Some(2), Some(4)]);
            tree.to_text(indent).into_bytes()
        }
        _ => seed.to_vec(),
    };
    let byte_level = if Json::parse(&text).is_some() { 4 } else { 1 };
    if rng.chance(1, byte_level) {
        for _ in 0..1 + rng.below(2) {
            mutate_bytes(rng, &mut bytes);
        }
    }
    bytes
}

/// Line-level mutations of a CSV document (programs lists), then maybe bytes.
pub fn mutate_csv(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(seed);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for _ in 0..1 + rng.below(3) {
        let n = lines.len();
        let i = rng.below(n.max(1));
        match rng.below(7) {
            0 if n > 0 => {
                lines.remove(i);
            }
            1 if n > 0 => {
                let copy = lines[i].clone();
                lines.insert(i, copy);
            }
            2 => lines.insert(i.min(n), String::new()),
            3 if n > 0 => {
                let field = (*rng.pick(&[
                    "\"",
                    ",",
                    "\"a,b\"",
                    "\"\"\"\"",
                    "\u{1F600}",
                    "PRG-X",
                    " ",
                    "\\ud800",
                    "\u{0}",
                ]))
                .to_owned();
                let at = rng.below(lines[i].len() + 1);
                if lines[i].is_char_boundary(at) {
                    lines[i].insert_str(at, &field);
                }
            }
            4 if n > 0 => lines[i] = lines[i].to_uppercase(),
            5 => lines.insert(i.min(n), "x".repeat(70_000)),
            _ => lines.push(format!("PRG-{},{}", rng.below(100), rng.pick(STRINGS))),
        }
    }
    let sep = if rng.chance(1, 4) { "\r\n" } else { "\n" };
    let mut bytes = lines.join(sep).into_bytes();
    if rng.chance(1, 2) {
        bytes.extend_from_slice(sep.as_bytes());
    }
    if rng.chance(1, 4) {
        mutate_bytes(rng, &mut bytes);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_and_iteration_give_the_same_input() {
        let seed = br#"{"eacs":[{"a":1.5,"t":"2024-01-01T00:00:00Z","s":"x"}],"next":null}"#;
        let donors = vec![Json::parse(std::str::from_utf8(seed).unwrap()).unwrap()];
        for i in 0..200 {
            let a = mutate_document(&mut Rng::for_iteration(7, i), seed, &donors);
            let b = mutate_document(&mut Rng::for_iteration(7, i), seed, &donors);
            assert_eq!(a, b, "iteration {i}");
        }
        let all: std::collections::HashSet<Vec<u8>> = (0..200)
            .map(|i| mutate_document(&mut Rng::for_iteration(7, i), seed, &donors))
            .collect();
        assert!(all.len() > 150, "mutations repeat too often: {}", all.len());
    }
}
