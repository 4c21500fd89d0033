//! The framed reader (issue 16) against the streaming reader it speeds up:
//! on every fixture, every truncation of a small listing and many byte
//! changes, both hand over the same elements and end with the same
//! summary or the same located error (message, pointer, line, column).

use std::path::{Path, PathBuf};

use eac_model::frame::BorrowedElement;
use eac_model::read::{read_array_borrowed, read_array_streaming};
use eac_model::Flow;

/// What a reading showed: each element (index and members as text) and
/// how it ended.
fn transcript(bytes: &[u8], framed: bool, stop_after: Option<usize>) -> Vec<String> {
    let mut out = Vec::new();
    let on = |index: usize, element: BorrowedElement<'_>| {
        out.push(format!("{index}: {element:?}"));
        if stop_after == Some(index) {
            Flow::Stop
        } else {
            Flow::Continue
        }
    };
    let end = if framed {
        read_array_borrowed(bytes, "eacs", on)
    } else {
        read_array_streaming(bytes, "eacs", on)
    };
    out.push(format!("end: {end:?}"));
    out
}

fn same(bytes: &[u8], what: &str) {
    for stop in [None, Some(0), Some(1)] {
        let fast = transcript(bytes, true, stop);
        let slow = transcript(bytes, false, stop);
        assert_eq!(fast, slow, "{what} (stop after {stop:?})");
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

#[test]
fn every_fixture_and_corpus_file_reads_the_same_framed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut paths = Vec::new();
    files(&root.join("tests/fixtures"), &mut paths);
    files(&root.join("tests/fuzz/corpus"), &mut paths);
    assert!(paths.len() > 100, "{}", paths.len());
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        same(&bytes, &path.display().to_string());
    }
}

const SMALL: &str = r#"{
  "eacs": [
    {"cds_eac_id": "a", "values": [{"v": 1.50}], "x\u00e9": "\"}]"},
    [1, {"k": []}],
    {"cds_eac_id": "b"}
  ],
  "next": null,
  "previous": "https://example.org/p"
}
"#;

#[test]
fn every_truncation_reads_the_same_framed() {
    let bytes = SMALL.as_bytes();
    for end in 0..=bytes.len() {
        same(&bytes[..end], &format!("cut at {end}"));
    }
}

#[test]
fn byte_changes_read_the_same_framed() {
    let bytes = SMALL.as_bytes();
    let changes: &[&[u8]] = &[
        b"",
        b",",
        b"]",
        b"}",
        b"{",
        b"[",
        b"\"",
        b"\\",
        b" ",
        b"\n",
        b"0",
        b"x",
        b"\xff",
        b"\x01",
        b"\"eacs\": [], ",
        b"\"a\": 1, ",
    ];
    for at in 0..=bytes.len() {
        for change in changes {
            // Inserted, and in place of the byte there.
            let mut inserted = bytes[..at].to_vec();
            inserted.extend_from_slice(change);
            inserted.extend_from_slice(&bytes[at..]);
            same(&inserted, &format!("{change:?} inserted at {at}"));
            if at < bytes.len() {
                let mut replaced = bytes[..at].to_vec();
                replaced.extend_from_slice(change);
                replaced.extend_from_slice(&bytes[at + 1..]);
                same(&replaced, &format!("{change:?} replacing byte {at}"));
            }
        }
    }
}

#[test]
fn other_layouts_read_the_same_framed() {
    for text in [
        "",
        "   ",
        "[]",
        "{}",
        r#"{"eacs": []}"#,
        r#"{"eacs": [] , "eacs": []}"#,
        r#"{"next": null, "eacs": [{"a": 1}]}"#,
        r#"{"e\u0061cs": [{"a": 1}]}"#,
        r#"{"eacs": [1, "x", null, true, {"a": 1}]}"#,
        r#"{"eacs": [{"a": 1}, 2]}"#,
        r#"{"eacs": [{"a": 1} {"b": 2}]}"#,
        r#"{"eacs": [{"a": 1},]}"#,
        r#"{"eacs": [{"a": 1, "a": 2}]}"#,
        r#"{"eacs": [{"a": "\ud800"}]}"#,
        r#"{"eacs": [{"\ud800": 1}]}"#,
        r#"{"eacs": [{"a": 1}]} trailing"#,
        r#"{"eacs": {"a": 1}}"#,
        "\u{feff}{\"eacs\": [{\"a\": 1}]}",
    ] {
        same(text.as_bytes(), text);
    }
    // Nested past the fast path's depth and past serde_json's.
    for depth in [99, 100, 101, 126, 127, 128, 200] {
        let text = format!(
            r#"{{"eacs": [{{"a": {}1{}}}, {}{}]}}"#,
            "[".repeat(depth),
            "]".repeat(depth),
            "[".repeat(depth),
            "]".repeat(depth)
        );
        same(text.as_bytes(), &format!("depth {depth}"));
    }
    // Elements across many chunks of the reader.
    let one = r#"{"cds_eac_id": "x", "pad": "PAD"}"#.replace("PAD", &"p".repeat(3000));
    let big = format!("{{\"eacs\": [{}]}}", vec![one.as_str(); 2000].join(",\n"));
    same(big.as_bytes(), "2000 elements");
    let broken = format!("{}\n\"x\"]}}", &big[..big.len() - 2]);
    same(
        broken.as_bytes(),
        "2000 elements, then a string after the last",
    );
}

/// Counts the bytes a reading took from its input.
struct Counted<'a> {
    bytes: &'a [u8],
    read: &'a std::cell::Cell<usize>,
}

impl std::io::Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = std::io::Read::read(&mut self.bytes, buf)?;
        self.read.set(self.read.get() + n);
        Ok(n)
    }
}

#[test]
fn a_brace_left_out_early_in_a_large_listing_is_reported_without_reading_the_rest() {
    // The first element's `}` is missing: its brackets stay open to the
    // array's end, so only a parser finds the fault (at line 5), not a
    // count of brackets. Until session 26 the framed reader took in the
    // whole file (a 3.4 GB listing: 6.7 GB of memory) before reporting it.
    let element = "  {\"cds_eac_id\": \"E\", \"values\": [{\"value\": 1.0}]}";
    let mut document =
        String::from("{\n \"eacs\": [\n  {\"cds_eac_id\": \"A\", \"values\": []\n  ,\n");
    while document.len() < 8 << 20 {
        document.push_str(element);
        document.push_str(",\n");
    }
    document.push_str(element);
    document.push_str("\n ]\n}\n");
    let read = std::cell::Cell::new(0);
    let counted = Counted {
        bytes: document.as_bytes(),
        read: &read,
    };
    let mut elements = 0;
    let end = read_array_borrowed(counted, "eacs", |_, _| {
        elements += 1;
        Flow::Continue
    });
    let expected = read_array_streaming(document.as_bytes(), "eacs", |_, _| Flow::Continue);
    assert_eq!(format!("{end:?}"), format!("{expected:?}"));
    assert!(format!("{end:?}").contains("line: Some(5)"), "{end:?}");
    assert_eq!(elements, 0);
    assert!(
        read.get() <= 2 << 20,
        "{} of {} bytes read before the fault was reported",
        read.get(),
        document.len()
    );
}

/// serde_json notices `1.` followed by a line break only at the break, and
/// calls that place column 0 of the next line: both readers name the line
/// of the number, at its end (no column 0, which is no column at all); an
/// empty file says it ends too early.
#[test]
fn a_json_error_found_at_a_line_break_is_placed_at_the_end_of_its_line() {
    use eac_model::read::ListingError;
    let bytes: &[u8] = b"{\"eacs\": [\n  {\"value\": 1.\n  }\n]}";
    for framed in [false, true] {
        let on = |_: usize, _: BorrowedElement<'_>| Flow::Continue;
        let end = if framed {
            read_array_borrowed(bytes, "eacs", on)
        } else {
            read_array_streaming(bytes, "eacs", on)
        };
        let Err(ListingError::Malformed(v)) = end else {
            panic!("{end:?}");
        };
        assert_eq!((v.line, v.column), (Some(2), None), "{v}");
        assert!(v.message.ends_with("(at the end of the line)"), "{v}");
        assert!(v.to_string().starts_with("2: error (rule 20)"), "{v}");
    }
    let on = |_: usize, _: BorrowedElement<'_>| Flow::Continue;
    let Err(ListingError::Malformed(v)) = read_array_streaming(&b""[..], "eacs", on) else {
        panic!("an empty file is refused");
    };
    assert_eq!((v.line, v.column), (Some(1), None), "{v}");
    assert!(v.message.contains("the file ends too early"), "{v}");
}
