//! PDFs built to make reading them cost without end — a few kilobytes of
//! compressed data unpacking to millions of drawing operators, a form
//! drawn again and again or drawing itself, a page tree that loops — are
//! refused as documents EAC Desk does not read, naming the limit passed,
//! both when the format is given and when it is detected (both read
//! through the same bounded path). Each would, without the limits, take
//! minutes and gigabytes, or crash on a stack overflow. The tests assert
//! the refusal and its words, not the time.

use std::io::Write;

use eac_registry::{Format, Locator, ReadError};

/// Zlib data of `raw`.
fn flate(raw: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(raw).unwrap();
    e.finish().unwrap()
}

/// A stream object: `dict` entries, then the data.
fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut o = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    o.extend_from_slice(data);
    o.extend_from_slice(b"\nendstream");
    o
}

/// A PDF of `objects` (object 1 first; object 1 is the catalog), with a
/// classic cross-reference table, as the tester's `mk.py` writes it.
fn pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

const TITLE: &[u8] = b"BT /F1 12 Tf 72 712 Td (I-REC Redemption Statement) Tj ET\n";

/// A one-page PDF: catalog, pages, the page (`page` extra entries), its
/// content stream (object 4, zlib-compressed), a font (object 5), then
/// `more` objects (6, 7, …).
fn one_page(content: &[u8], page: &str, more: &[Vec<u8>]) -> Vec<u8> {
    let helvetica = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
    one_page_with_font(content, page, helvetica, more)
}

/// The same, its font (object 5) `font`.
fn one_page_with_font(content: &[u8], page: &str, font: &[u8], more: &[Vec<u8>]) -> Vec<u8> {
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
             /Resources << /Font << /F1 5 0 R >> {page} >> >>"
        )
        .into_bytes(),
        stream("/Filter /FlateDecode", &flate(content)),
        font.to_vec(),
    ];
    objects.extend_from_slice(more);
    pdf(&objects)
}

/// The refusal of `bytes`, read as an I-REC statement and with its format
/// detected: the same both ways.
fn refusal(bytes: &[u8]) -> ReadError {
    let given = eac_registry::read(bytes, Some(Format::IrecPdf), None).unwrap_err();
    let detected = eac_registry::read(bytes, None, None).unwrap_err();
    assert_eq!(given, detected);
    assert!(
        given
            .message
            .starts_with("this PDF is not a registry statement EAC Desk reads: "),
        "{given}"
    );
    assert!(
        given
            .message
            .ends_with("export the statement again from the registry and import that file"),
        "{given}"
    );
    given
}

#[test]
fn a_page_of_two_million_operators_in_4_kb_is_refused_before_it_is_parsed() {
    // The security report's file: 4 MB of `q Q` compressed to 4.5 KB.
    let mut content = TITLE.to_vec();
    content.extend_from_slice(&b"q Q\n".repeat(1_000_000));
    let bytes = one_page(&content, "", &[]);
    assert!(bytes.len() < 5_000, "{}", bytes.len());
    let e = refusal(&bytes);
    assert_eq!(e.at, Locator::Page(1));
    assert!(
        e.message
            .contains("the page holds more than 1,000,000 drawing operators and values"),
        "{e}"
    );
}

#[test]
fn a_stream_unpacking_to_more_than_8_mb_is_refused() {
    let mut content = TITLE.to_vec();
    content.extend_from_slice(&b" ".repeat(9_000_000));
    let e = refusal(&one_page(&content, "", &[]));
    assert_eq!(e.at, Locator::Document);
    assert!(
        e.message
            .contains("one of its streams unpacks to more than 8 MB"),
        "{e}"
    );
}

#[test]
fn an_lzw_stream_unpacking_to_more_than_8_mb_is_refused() {
    let mut content = TITLE.to_vec();
    content.extend_from_slice(&b" ".repeat(9_000_000));
    let lzw = weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
        .encode(&content)
        .unwrap();
    let bytes = pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
        stream("/Filter /LZWDecode", &lzw),
    ]);
    let e = refusal(&bytes);
    assert_eq!(e.at, Locator::Document);
    assert!(
        e.message
            .contains("one of its streams unpacks to more than 8 MB"),
        "{e}"
    );
}

#[test]
fn compressed_data_unpacking_to_more_than_32_mb_is_refused_before_the_pdf_is_opened() {
    let mut content = TITLE.to_vec();
    content.extend_from_slice(&b" ".repeat(40_000_000));
    let e = refusal(&one_page(&content, "", &[]));
    assert_eq!(e.at, Locator::Document);
    assert!(
        e.message
            .contains("its compressed data unpacks to more than 32 MB"),
        "{e}"
    );
}

#[test]
fn a_form_drawn_again_and_again_counts_each_time_it_is_drawn() {
    // 100,000 `Do` of a form of 20 operators: 2.2 million on the page.
    let mut content = TITLE.to_vec();
    content.extend_from_slice(&b"/X Do\n".repeat(100_000));
    let form = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Filter /FlateDecode",
        &flate(&b"q Q\n".repeat(10)),
    );
    let e = refusal(&one_page(&content, "/XObject << /X 6 0 R >>", &[form]));
    assert_eq!(e.at, Locator::Page(1));
    assert!(
        e.message
            .contains("the page holds more than 1,000,000 drawing operators and values"),
        "{e}"
    );
}

#[test]
fn a_form_that_draws_itself_is_refused_not_crashed_on() {
    let form = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /X 6 0 R >> >>",
        b"/X Do",
    );
    let mut content = TITLE.to_vec();
    content.extend_from_slice(b"/X Do\n");
    let e = refusal(&one_page(&content, "/XObject << /X 6 0 R >>", &[form]));
    assert_eq!(e.at, Locator::Page(1));
    assert!(
        e.message
            .contains("the page draws forms within forms more than 12 deep"),
        "{e}"
    );
}

#[test]
fn object_streams_unpacking_to_more_than_2_mb_are_refused() {
    // An object stream holding one small object and 3 MB of padding.
    let head = b"7 0 ";
    let mut data = head.to_vec();
    data.extend_from_slice(b"<< /Producer (x) >>");
    data.extend_from_slice(&b" ".repeat(3_000_000));
    let objstm = stream(
        &format!(
            "/Type /ObjStm /N 1 /First {} /Filter /FlateDecode",
            head.len()
        ),
        &flate(&data),
    );
    let e = refusal(&one_page(TITLE, "", &[objstm]));
    assert_eq!(e.at, Locator::Document);
    assert!(
        e.message
            .contains("its object streams unpack to more than 2 MB"),
        "{e}"
    );
}

#[test]
fn more_than_200_pages_are_refused() {
    // 201 pages sharing one content stream (object 3).
    let kids: Vec<String> = (4..205).map(|n| format!("{n} 0 R")).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!("<< /Type /Pages /Kids [{}] /Count 201 >>", kids.join(" ")).into_bytes(),
        stream("", b"q Q"),
    ];
    for _ in 0..201 {
        objects.push(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>".to_vec(),
        );
    }
    let e = refusal(&pdf(&objects));
    assert_eq!(e.at, Locator::Document);
    assert!(
        e.message
            .contains("it has 201 pages, more than the 200 EAC Desk reads"),
        "{e}"
    );
}

#[test]
fn a_page_whose_parent_is_itself_is_refused_not_crashed_on() {
    let bytes = pdf(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 3 0 R /Contents 4 0 R >>".to_vec(),
        stream("", b"q Q"),
    ]);
    let e = refusal(&bytes);
    assert_eq!(e.at, Locator::Page(1));
    assert!(
        e.message
            .contains("the page tree above the page loops or is more than 64 levels deep"),
        "{e}"
    );
}

#[test]
fn a_file_over_5_mb_is_refused_before_it_is_parsed() {
    // 6 MB of one array: parsing it takes about 120 times its size.
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /X 4 0 R >>".to_vec(),
    ];
    let mut array = b"[".to_vec();
    array.extend_from_slice(&b"0 ".repeat(3_000_000));
    array.push(b']');
    objects.push(array);
    let bytes = pdf(&objects);
    let e = refusal(&bytes);
    assert_eq!(e.at, Locator::Document);
    assert!(
        e.message.contains(&format!(
            "the file is 6,000,{:03} bytes, more than the 5 MB EAC Desk reads as a statement",
            bytes.len() - 6_000_000
        )),
        "{e}"
    );
}

/// A PDF whose cross-reference stream (object 4, at `startxref`) has
/// `dict` and no data.
fn with_xref_stream(dict: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.5\n".to_vec();
    for (i, o) in [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    .iter()
    .enumerate()
    {
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let at = out.len();
    out.extend_from_slice(
        format!(
            "4 0 obj\n<< /Type /XRef {dict} /Root 1 0 R /Length 0 >>\nstream\n\nendstream\nendobj\nstartxref\n{at}\n%%EOF\n"
        )
        .as_bytes(),
    );
    out
}

#[test]
fn a_cross_reference_stream_listing_fifty_million_objects_in_300_bytes_is_refused() {
    // `lopdf` made an entry for each (1.9 GB and minutes).
    let bytes = with_xref_stream("/Size 50000000 /W [0 0 0] /Index [0 50000000]");
    assert!(bytes.len() < 400, "{}", bytes.len());
    let e = refusal(&bytes);
    assert_eq!(e.at, Locator::Document);
    assert!(
        e.message
            .contains("its cross-reference streams list more than 100,000 objects"),
        "{e}"
    );
    // A field 100 GB wide would be allocated.
    let e = refusal(&with_xref_stream("/Size 4 /W [1 99999999999 0]"));
    assert!(
        e.message
            .contains("its cross-reference stream gives a field of 99999999999 bytes, more than 8"),
        "{e}"
    );
}

#[test]
fn a_pdf_with_a_cross_reference_stream_is_read_as_before() {
    // Objects 1-5, then the cross-reference stream (object 6, /W [1 4 1],
    // Flate-compressed, with a /Prev-free /Index) that `startxref` names.
    let content = b"BT /F1 12 Tf 72 712 Td (Quarterly newsletter) Tj ET";
    let objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec(),
        stream("", content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
    ];
    let mut out = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let at = out.len();
    offsets.push(at);
    let mut rows = vec![0u8, 0, 0, 0, 0, 255];
    for o in offsets {
        rows.push(1);
        rows.extend_from_slice(&u32::try_from(o).unwrap().to_be_bytes());
        rows.push(0);
    }
    out.extend_from_slice(b"6 0 obj\n");
    out.extend_from_slice(&stream(
        "/Type /XRef /Size 7 /W [1 4 1] /Index [0 7] /Root 1 0 R /Filter /FlateDecode",
        &flate(&rows),
    ));
    out.extend_from_slice(format!("\nendobj\nstartxref\n{at}\n%%EOF\n").as_bytes());
    let pages = eac_registry::pdf::pages(&out).unwrap();
    assert_eq!(pages, ["Quarterly newsletter\n"]);
}

#[test]
fn arrays_nested_200_000_deep_in_1_kb_are_refused_not_crashed_on() {
    // `lopdf` parsed them recursively and overflowed the stack (an abort).
    let mut content = TITLE.to_vec();
    content.extend_from_slice(&b"[".repeat(200_000));
    content.extend_from_slice(&b"]".repeat(200_000));
    content.extend_from_slice(b" n\n");
    let bytes = one_page(&content, "", &[]);
    assert!(bytes.len() < 2_000, "{}", bytes.len());
    let e = refusal(&bytes);
    assert_eq!(e.at, Locator::Page(1));
    assert!(
        e.message.contains(
            "the page nests arrays or dictionaries more than 32 deep in its drawing instructions"
        ),
        "{e}"
    );
}

/// Arrays `depth` deep: `[[[…]]]`.
fn nested(depth: usize) -> Vec<u8> {
    [b"[".repeat(depth), b"]".repeat(depth)].concat()
}

/// `n` with thousands separators, as the messages write it.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The byte of the 33rd bracket of nesting that starts just after the
/// first `before` in `bytes`.
fn byte_33(bytes: &[u8], before: &[u8]) -> String {
    let start = bytes
        .windows(before.len())
        .position(|w| w == before)
        .unwrap();
    grouped(start + before.len() + 32)
}

#[test]
fn an_object_of_arrays_nested_200_000_deep_is_refused_before_lopdf_parses_it() {
    // `lopdf` parsed it recursively as it opened the file and overflowed
    // the stack: the process aborted.
    let bytes = one_page(TITLE, "", &[nested(200_000)]);
    assert!(bytes.len() < 401_000, "{}", bytes.len());
    let e = refusal(&bytes);
    assert_eq!(e.at, Locator::Document);
    let at = byte_33(&bytes, b"6 0 obj\n");
    assert!(
        e.message.contains(&format!(
            "object 6 nests arrays or dictionaries more than 32 deep, at byte {at} of the file"
        )),
        "{e}"
    );
    // Dictionaries as arrays.
    let mut dicts = b"<< /A ".repeat(100_000);
    dicts.extend_from_slice(&b">>".repeat(100_000));
    let e = refusal(&one_page(TITLE, "", &[dicts]));
    assert!(
        e.message
            .contains("object 6 nests arrays or dictionaries more than 32 deep"),
        "{e}"
    );
}

#[test]
fn an_object_the_cross_reference_table_places_inside_a_comment_is_checked_too() {
    // `lopdf` parses object 6 where the table says it starts, in what a
    // reading from the start of the file would take for a comment.
    let mut bytes = one_page(TITLE, "", &[]);
    let xref = bytes.windows(6).rposition(|w| w == b"\nxref\n").unwrap();
    let tail = bytes.split_off(xref + 1);
    bytes.extend_from_slice(b"% ");
    let at = bytes.len();
    bytes.extend_from_slice(b"6 0 obj ");
    bytes.extend_from_slice(&nested(200_000));
    bytes.extend_from_slice(b" endobj\n");
    let xref = bytes.len();
    let tail = String::from_utf8(tail).unwrap();
    let (table, _) = tail.split_once("trailer").unwrap();
    let table = table.replace("0 6\n", "0 7\n");
    bytes.extend_from_slice(
        format!(
            "{table}{at:010} 00000 n \ntrailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    let e = refusal(&bytes);
    assert!(
        e.message
            .contains("object 6 nests arrays or dictionaries more than 32 deep"),
        "{e}"
    );
}

#[test]
fn a_trailer_of_arrays_nested_200_000_deep_is_refused() {
    let mut bytes = one_page(TITLE, "", &[]);
    let end = bytes.windows(3).rposition(|w| w == b" >>").unwrap();
    let tail = bytes.split_off(end);
    bytes.extend_from_slice(b" /X ");
    bytes.extend_from_slice(&nested(200_000));
    bytes.extend_from_slice(&tail);
    let e = refusal(&bytes);
    assert!(
        e.message
            .contains("its trailer nests arrays or dictionaries more than 32 deep"),
        "{e}"
    );
}

#[test]
fn a_cross_reference_section_read_as_instructions_nesting_deep_is_refused() {
    // `startxref` names a place that is no object: EAC Desk reads what is
    // there, up to `stream`, as drawing instructions to find the
    // cross-reference stream's dictionary, and `lopdf` parsed the arrays
    // recursively.
    let mut bytes = one_page(TITLE, "", &[]);
    let end = bytes.windows(7).rposition(|w| w == b"trailer").unwrap();
    bytes.truncate(end);
    let at = bytes.len();
    bytes.extend_from_slice(&nested(200_000));
    bytes.extend_from_slice(format!(" stream\nstartxref\n{at}\n%%EOF\n").as_bytes());
    let e = refusal(&bytes);
    assert!(
        e.message.contains(&format!(
            "its cross-reference section at byte {} nests arrays or dictionaries more than 32 deep",
            grouped(at)
        )),
        "{e}"
    );
}

#[test]
fn an_object_stream_unpacking_to_arrays_nested_200_000_deep_is_refused() {
    // 1 KB: `lopdf` parsed the unpacked object recursively.
    let head = b"7 0 ";
    let data = [head.as_slice(), &nested(200_000)].concat();
    let objstm = stream(
        &format!(
            "/Type /ObjStm /N 1 /First {} /Filter /FlateDecode",
            head.len()
        ),
        &flate(&data),
    );
    let bytes = one_page(TITLE, "", &[objstm]);
    assert!(bytes.len() < 2_000, "{}", bytes.len());
    let e = refusal(&bytes);
    assert_eq!(e.at, Locator::Document);
    assert!(
        e.message.contains(
            "object 7, packed in object stream 6, nests arrays or dictionaries more than 32 deep"
        ),
        "{e}"
    );
}

#[test]
fn objects_packed_in_an_object_stream_are_read_as_before() {
    // The page's font (object 5) is only in the object stream (object 6),
    // next to an object whose string holds brackets that nest nothing.
    let font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> ";
    let head = format!("5 0 7 {} ", font.len()).into_bytes();
    let data = [
        head.as_slice(),
        font,
        b"<< /Title (a [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ \\) ) /K [[1] [2]] >>",
    ]
    .concat();
    let objstm = stream(
        &format!(
            "/Type /ObjStm /N 2 /First {} /Filter /FlateDecode",
            head.len()
        ),
        &flate(&data),
    );
    let mut bytes = one_page(TITLE, "", &[objstm]);
    // Object 5 as written directly would win over the packed one: blanked
    // to a comment of its length.
    let plain = b"5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n";
    let at = bytes.windows(plain.len()).position(|w| w == plain).unwrap();
    bytes[at] = b'%';
    bytes[at + 1..at + plain.len() - 1].fill(b' ');
    let pages = eac_registry::pdf::pages(&bytes).unwrap();
    assert_eq!(pages, ["I-REC Redemption Statement\n"]);
}

#[test]
fn an_inline_image_whose_dictionary_nests_200_000_deep_is_refused_not_crashed_on() {
    // The page's instructions were checked for nesting, but not an inline
    // image's dictionary (`BI … ID`), which `lopdf` parses as it parses
    // operands: the stack overflowed, from a 1 KB file.
    let mut content = TITLE.to_vec();
    content.extend_from_slice(b"BI /W 1 /H 1 /BPC 8 /CS /G /D ");
    content.extend_from_slice(&nested(200_000));
    content.extend_from_slice(b" ID x EI\n");
    let bytes = one_page(&content, "", &[]);
    assert!(bytes.len() < 2_000, "{}", bytes.len());
    let e = refusal(&bytes);
    assert_eq!(e.at, Locator::Page(1));
    assert!(
        e.message.contains(
            "the page nests arrays or dictionaries more than 32 deep in its drawing instructions"
        ),
        "{e}"
    );
}

/// What a character map holds before its mappings.
const CMAP_HEAD: &[u8] = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n";

/// A character map (the usual frame around `body`), as the font's
/// `ToUnicode` or `Encoding` stream.
fn cmap(body: &[u8]) -> Vec<u8> {
    let cmap = [
        CMAP_HEAD,
        body,
        b"\nendcmap CMapName currentdict /CMap defineresource pop end end\n",
    ]
    .concat();
    stream("/Filter /FlateDecode", &flate(&cmap))
}

#[test]
fn a_tounicode_map_nesting_200_000_deep_in_1_kb_is_refused_not_crashed_on() {
    // `pdf-extract` parses the map (adobe-cmap-parser) recursively, without
    // a limit, as soon as the page sets the font: the stack overflowed and
    // the process aborted.
    let font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>";
    let strings = [b"(".repeat(200_000), b")".repeat(200_000)].concat();
    for body in [nested(200_000), strings] {
        let bytes = one_page_with_font(TITLE, "", font, &[cmap(&body)]);
        assert!(bytes.len() < 2_000, "{}", bytes.len());
        let e = refusal(&bytes);
        assert_eq!(e.at, Locator::Page(1));
        // The 33rd bracket, counted in the unpacked map.
        let at = CMAP_HEAD.len() + 32;
        assert!(
            e.message.contains(&format!(
                "the ToUnicode character map (object 6) of the page's font /F1 nests arrays, \
                 dictionaries, procedures or strings more than 32 deep, at byte {at} of the map \
                 once unpacked"
            )),
            "{e}"
        );
    }
}

#[test]
fn a_type_0_fonts_encoding_map_nesting_200_000_deep_is_refused_not_crashed_on() {
    let font =
        b"<< /Type /Font /Subtype /Type0 /BaseFont /A /Encoding 6 0 R /DescendantFonts [7 0 R] >>";
    let cid = b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /A >>".to_vec();
    let mut dicts = b"<</A".repeat(100_000);
    dicts.extend_from_slice(&b">>".repeat(100_000));
    let bytes = one_page_with_font(TITLE, "", font, &[cmap(&dicts), cid]);
    assert!(bytes.len() < 2_000, "{}", bytes.len());
    let e = refusal(&bytes);
    assert!(
        e.message.contains(
            "the encoding character map (object 6) of the page's font /F1 nests arrays, \
             dictionaries, procedures or strings more than 32 deep"
        ),
        "{e}"
    );
}

#[test]
fn a_font_map_of_a_form_the_page_draws_is_checked_too() {
    // The font is set only in the form, with the form's own resources.
    let form = stream(
        "/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /Font << /F2 7 0 R >> >>",
        b"BT /F2 12 Tf (x) Tj ET",
    );
    let font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 8 0 R >>".to_vec();
    let mut content = TITLE.to_vec();
    content.extend_from_slice(b"/X Do\n");
    let bytes = one_page(
        &content,
        "/XObject << /X 6 0 R >>",
        &[form, font, cmap(&nested(200_000))],
    );
    let e = refusal(&bytes);
    assert_eq!(e.at, Locator::Page(1));
    assert!(
        e.message.contains(
            "the ToUnicode character map (object 8) of the page's font /F2 nests arrays, \
             dictionaries, procedures or strings more than 32 deep"
        ),
        "{e}"
    );
}

/// A Type 1 font program: its clear-text part holding `body`, an encoding
/// that prints code 73 (`I`) as `J`, then encrypted binary data.
fn type1_program(body: &[u8]) -> Vec<u8> {
    let program = [
        TYPE1_HEAD,
        body,
        b" def\n/Encoding 256 array\n0 1 255 {1 index exch /.notdef put} for\n\
          dup 73 /J put\nreadonly def\ncurrentdict end\ncurrentfile eexec\r",
        &[0xd9, 0xd6, 0x5b, 0x5b, 0x28, 0x7b, 0x00, 0xff],
    ]
    .concat();
    stream("/Filter /FlateDecode", &flate(&program))
}

/// What the Type 1 programs of these tests hold before `body`.
const TYPE1_HEAD: &[u8] =
    b"%!PS-AdobeFont-1.0: Helvetica 001.000\n12 dict begin\n/FontName /Helvetica def\n/Deep ";

const TYPE1_FONT: &[u8] =
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FontDescriptor 6 0 R >>";

fn type1_descriptor() -> Vec<u8> {
    b"<< /Type /FontDescriptor /FontName /Helvetica /Flags 32 /FontFile 7 0 R >>".to_vec()
}

#[test]
fn a_type_1_font_program_nesting_200_000_deep_is_refused_not_crashed_on() {
    // `pdf-extract` parses an embedded Type 1 program (type1-encoding-parser)
    // recursively, procedures `{ }` too: the stack overflowed.
    let procedures = [b"{".repeat(200_000), b"}".repeat(200_000)].concat();
    let program = type1_program(&procedures);
    let bytes = one_page_with_font(TITLE, "", TYPE1_FONT, &[type1_descriptor(), program]);
    assert!(bytes.len() < 2_000, "{}", bytes.len());
    let e = refusal(&bytes);
    assert_eq!(e.at, Locator::Page(1));
    let at = TYPE1_HEAD.len() + 32;
    assert!(
        e.message.contains(&format!(
            "the embedded Type 1 font program (object 7) of the page's font /F1 nests arrays, \
             dictionaries, procedures or strings more than 32 deep, at byte {at} of the program \
             once unpacked"
        )),
        "{e}"
    );
}

#[test]
fn a_type_1_font_program_nesting_32_deep_is_read_as_before() {
    // At the limit: the program is parsed and its encoding used (code 73
    // reads as `J`); one level more is refused.
    let at_limit = [
        b"[".repeat(16),
        b"{".repeat(16),
        b"}".repeat(16),
        b"]".repeat(16),
    ]
    .concat();
    let program = type1_program(&at_limit);
    let bytes = one_page_with_font(TITLE, "", TYPE1_FONT, &[type1_descriptor(), program]);
    let pages = eac_registry::pdf::pages(&bytes).unwrap();
    assert_eq!(pages, ["J-REC Redemption Statement\n"]);
    let past = [b"(".repeat(33), b")".repeat(33)].concat();
    let program = type1_program(&past);
    let bytes = one_page_with_font(TITLE, "", TYPE1_FONT, &[type1_descriptor(), program]);
    let e = refusal(&bytes);
    assert!(e.message.contains("more than 32 deep"), "{e}");
}
