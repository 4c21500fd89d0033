//! What reading a PDF may cost, bounded whatever the file's size.
//!
//! A PDF's streams are compressed, and a few kilobytes of Flate or LZW
//! data can unpack to gigabytes of drawing operators; `lopdf` and
//! `pdf-extract` unpack and parse whatever they are given, and Ctrl-C
//! cannot stop them midway. So before any of that runs, this module
//! measures and unpacks the document itself, with limits far above any
//! real registry statement (I-REC, GO and M-RETS statements are a few
//! pages: the largest real page holds about 200,000 drawing operators and
//! values in 713 KB of instructions), and refuses a document beyond them:
//! - [`scan_packed`] refuses a file over 5 MB (parsing its objects takes
//!   up to about 120 times its size in memory), then one whose objects
//!   nest arrays and dictionaries deeper than `lopdf`'s parser, which
//!   calls itself for each level, may go without overflowing the stack
//!   (`pdf_nesting`), checks the cross-reference streams `lopdf` reads as
//!   it opens the file (how many objects they list, how wide their
//!   fields are: `lopdf` makes an entry for each and allocates each width,
//!   from a file of a few hundred bytes), then measures, on the raw bytes,
//!   what every compressed stream unpacks to, before `lopdf` opens the
//!   file (it unpacks cross-reference streams as it opens it);
//! - [`load`] opens the file without letting `lopdf` unpack its object
//!   streams;
//! - [`bound`] unpacks every stream once, within the limits (object
//!   streams first, their objects checked for nesting as the file's were
//!   before `lopdf` parses them), empties the images and ICC colour
//!   profiles (text never needs them; `pdf-extract` would parse an image
//!   drawn with `Do` as drawing instructions, and copy a colour profile at
//!   every colour change), then counts what each page makes `pdf-extract` read — its
//!   instructions, the forms it draws (again at every `Do`) and the fonts
//!   they use — and stops counting at the first limit passed; the fonts'
//!   character maps and embedded Type 1 programs, which `pdf-extract`
//!   parses recursively too, are checked for nesting as they are reached
//!   (`pdf_font_nesting`).
//!
//! `pdf-extract` then reads only streams that are already unpacked, so its
//! work and memory are bounded by the limits below.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Read, Write};

use pdf_extract::{
    dictionary, Dictionary, Document, Object, ObjectId, ObjectStream, Reader, Stream,
};

use crate::pdf_font_nesting;
use crate::pdf_nesting;
use crate::record::Locator;

/// The file's size (the real statements: 32 KB to 160 KB; `lopdf` takes
/// up to about 120 times a file's size in memory to parse its objects).
pub const MAX_FILE_BYTES: u64 = 5_000_000;
/// What all compressed data in the file may unpack to, measured on the raw
/// bytes (the real statements: at most 2.6 MB, most of it images).
pub const MAX_PACKED_BYTES: u64 = 32_000_000;
/// What one stream may unpack to (the real statements: at most 713 KB,
/// images aside).
pub const MAX_STREAM_BYTES: u64 = 8_000_000;
/// What all streams may unpack to (the real statements: at most 800 KB,
/// images aside).
pub const MAX_UNPACKED_BYTES: u64 = 32_000_000;
/// What the object streams may unpack to: each object parsed from them
/// takes many times its size in memory (a real statement's objects are a
/// few tens of KB).
pub const MAX_OBJECT_STREAM_BYTES: u64 = 2_000_000;
/// Objects the cross-reference streams may list, all together (the real
/// statements: at most 67 objects; `lopdf` makes an entry for each one
/// listed, even when the stream holds no bytes for it).
pub const MAX_XREF_ENTRIES: u64 = 100_000;
/// Bytes one field of a cross-reference stream entry may take (`lopdf`
/// allocates what `/W` says; a real one takes at most 4).
pub const MAX_XREF_FIELD: i64 = 8;
/// Pages (the real statements: 1 to 3).
pub const MAX_PAGES: usize = 200;
/// Drawing operators and their values (operands, array and dictionary
/// items) one page may hold, forms it draws included, each time drawn (the
/// real statements: at most 202,517, of them 78,076 operators). While its
/// page is read an operator takes about 570 bytes of memory, a value about
/// 150, so a page at the limit takes at most about 570 MB.
pub const MAX_PAGE_INSTRUCTIONS: u64 = 1_000_000;
/// The same, all pages together (the real statements: at most 216,032).
pub const MAX_INSTRUCTIONS: u64 = 3_000_000;
/// Bytes of instructions and fonts one page makes the text extractor
/// read, a form again each time it is drawn (the real statements: at most
/// 1 MB).
pub const MAX_PAGE_BYTES: u64 = 16_000_000;
/// The same, all pages together.
pub const MAX_READ_BYTES: u64 = 64_000_000;
/// Forms drawn within forms (the real statements: 1 level).
pub const MAX_NESTING: u32 = 12;
/// Arrays and dictionaries within one another, in the file's objects (the
/// real statements: 3) and in drawing instructions (the real
/// statements: 1). `lopdf` parses them recursively: a few hundred thousand
/// levels, in a 1 KB page or object stream or a 400 KB file, overflow the
/// stack, which aborts the whole process. Also arrays, dictionaries,
/// procedures and literal strings within one another in a font's character
/// maps (the real statements: 2) and embedded Type 1 programs (none in the
/// real statements; 38 real Type 1 fonts: at most 3), which
/// `pdf-extract`'s parsers read recursively (in a debug build about 930
/// levels overflow a 2 MB stack).
pub const MAX_VALUE_NESTING: u32 = 32;
/// Levels of the page tree above a page (a loop would never end).
pub const MAX_TREE_DEPTH: u32 = 64;

/// A limit the document passes: where, and what, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exceeded {
    pub at: Locator,
    pub what: String,
}

impl Exceeded {
    fn new(at: Locator, what: impl Into<String>) -> Self {
        Exceeded {
            at,
            what: what.into(),
        }
    }
}

/// `n` with thousands separators (`8,000,000`).
fn grouped(n: u64) -> String {
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

/// `n` bytes as whole megabytes (`8 MB`).
fn megabytes(n: u64) -> String {
    format!("{} MB", n / 1_000_000)
}

/// Refuses a file larger than [`MAX_FILE_BYTES`], then measures, on the
/// raw bytes, what the data after each `stream` keyword (where `lopdf`
/// starts a stream's data) unpacks to as Flate and as LZW (both LZW
/// code-size variants), and refuses a file whose total passes
/// [`MAX_PACKED_BYTES`]. It reads no PDF structure, so nothing can hide a
/// stream from it except encryption (and `lopdf` unpacks no encrypted
/// stream while opening a file: its object streams are held back by
/// [`load`]). The decoders are reused, so a file of many small streams
/// costs no more than its size.
pub fn scan_packed(bytes: &[u8]) -> Result<(), Exceeded> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Exceeded::new(
            Locator::Document,
            format!(
                "the file is {} bytes, more than the {} EAC Desk reads as a statement",
                grouped(bytes.len() as u64),
                megabytes(MAX_FILE_BYTES)
            ),
        ));
    }
    check_nesting(bytes)?;
    check_xref_streams(bytes)?;
    let mut zlib = flate2::read::ZlibDecoder::new(&bytes[..0]);
    let mut lzw = [lzw_decoder(true), lzw_decoder(false)];
    let mut buffer = vec![0u8; 16 * 1024];
    let mut total: u64 = 0;
    let mut from = 0;
    while let Some(p) = find(&bytes[from..], b"stream") {
        from += p + b"stream".len();
        let Some(start) = stream_data_start(bytes, from) else {
            continue;
        };
        let data = &bytes[start..];
        let room = MAX_PACKED_BYTES - total + 1;
        let mut n = 0;
        // A zlib header: compression method 8, check bits (RFC 1950).
        if data.len() >= 2
            && data[0] & 0x0f == 8
            && (u16::from(data[0]) << 8 | u16::from(data[1])) % 31 == 0
        {
            zlib.reset(data);
            let mut sink = Capped::counting(room);
            let _ = io::copy(&mut (&mut zlib).take(room), &mut sink);
            n = sink.len;
        }
        for decoder in &mut lzw {
            decoder.reset();
            let mut sink = Capped::counting(room);
            let mut stream = decoder.into_stream(&mut sink);
            stream.set_buffer(&mut buffer);
            let _ = stream.decode_all(data);
            n = n.max(sink.len);
        }
        total += n;
        if total > MAX_PACKED_BYTES {
            return Err(Exceeded::new(
                Locator::Document,
                format!(
                    "its compressed data unpacks to more than {}",
                    megabytes(MAX_PACKED_BYTES)
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses a file whose objects or trailers nest arrays and dictionaries
/// more than [`MAX_VALUE_NESTING`] deep, wherever `lopdf` could find them
/// (`pdf_nesting`).
fn check_nesting(bytes: &[u8]) -> Result<(), Exceeded> {
    let Err(e) = pdf_nesting::in_file(bytes, MAX_VALUE_NESTING) else {
        return Ok(());
    };
    let what = match pdf_nesting::object_before(bytes, e.from) {
        Some(n) => format!("object {n} nests"),
        None if bytes[..e.from].ends_with(b"trailer") => "its trailer nests".to_string(),
        None => "it nests".to_string(),
    };
    Err(Exceeded::new(
        Locator::Document,
        format!(
            "{what} arrays or dictionaries more than {MAX_VALUE_NESTING} deep, at byte {} of the file",
            grouped(e.at as u64)
        ),
    ))
}

/// Refuses `text`, read as drawing instructions by [`last_dictionary`],
/// when it nests arrays and dictionaries more than [`MAX_VALUE_NESTING`]
/// deep: `lopdf` would parse them recursively. `at`: where it starts in the
/// file.
fn check_instructions_nesting(text: &[u8], at: usize) -> Result<(), Exceeded> {
    let mut ops = Ops::new(text);
    ops.by_ref().for_each(drop);
    if ops.deepest > MAX_VALUE_NESTING {
        return Err(Exceeded::new(
            Locator::Document,
            format!(
                "its cross-reference section at byte {} nests arrays or dictionaries more than {MAX_VALUE_NESTING} deep",
                grouped(at as u64)
            ),
        ));
    }
    Ok(())
}

/// Checks the cross-reference streams `lopdf` reads while opening the
/// file (the one `startxref` names, then each `/Prev` and `/XRefStm`, as
/// it follows them) before it reads them: it makes an entry for each
/// object their `/Index` lists, even with no bytes for it (`/W [0 0 0]`),
/// and allocates each field's width (`/W`) as given, so a 300-byte file
/// could take gigabytes. A cross-reference table in plain text holds a
/// line per entry, so it costs no more than its size.
fn check_xref_streams(bytes: &[u8]) -> Result<(), Exceeded> {
    let refuse = |what: String| Err(Exceeded::new(Locator::Document, what));
    // `lopdf` reads offsets from the `%PDF-` header.
    let header = find(bytes, b"%PDF-").unwrap_or(0);
    let buf = &bytes[header..];
    let Some(first) = xref_start(buf) else {
        return Ok(());
    };
    let mut queue = vec![first];
    let mut seen = HashSet::new();
    let mut entries: u64 = 0;
    while let Some(at) = queue.pop() {
        if !seen.insert(at) {
            continue;
        }
        if seen.len() > 64 {
            return refuse("its cross-reference sections chain more than 64 deep".into());
        }
        let Some(here) = buf.get(at..) else {
            continue;
        };
        let table = here.starts_with(b"xref");
        let dict = if table {
            // The trailer after the table.
            let Some(t) = find(here, b"trailer") else {
                continue;
            };
            let after = &here[t + b"trailer".len()..];
            let end = find(after, b"startxref").unwrap_or(after.len());
            check_instructions_nesting(&after[..end], header + at)?;
            last_dictionary(&[&after[..end], b"\nEacDeskEnd"].concat())
        } else {
            // `N G obj << … >> stream`: the dictionary before `stream`.
            let Some(k) = find(here, b"stream") else {
                continue;
            };
            check_instructions_nesting(&here[..k], header + at)?;
            match last_dictionary(&here[..k + b"stream".len()]) {
                Some(d) => Some(d),
                None => {
                    return refuse(
                        "its cross-reference stream cannot be checked before it is read".into(),
                    )
                }
            }
        };
        let Some(dict) = dict else {
            continue;
        };
        if !table {
            let ints = |key: &[u8]| -> Option<Vec<i64>> {
                let a = dict.get(key).ok()?.as_array().ok()?;
                a.iter().map(|o| o.as_i64().ok()).collect()
            };
            if let Some(w) = ints(b"W") {
                if w.iter().any(|&f| !(0..=MAX_XREF_FIELD).contains(&f)) {
                    return refuse(format!(
                        "its cross-reference stream gives a field of {} bytes, more than {MAX_XREF_FIELD}",
                        w.iter().max().copied().unwrap_or(0)
                    ));
                }
            }
            let size = dict.get(b"Size").and_then(Object::as_i64).unwrap_or(0);
            let index = ints(b"Index").unwrap_or_else(|| vec![0, size]);
            for pair in index.chunks(2) {
                let count = pair.get(1).copied().unwrap_or(0);
                entries = entries.saturating_add(u64::try_from(count).unwrap_or(u64::MAX));
                if entries > MAX_XREF_ENTRIES {
                    return refuse(format!(
                        "its cross-reference streams list more than {} objects",
                        grouped(MAX_XREF_ENTRIES)
                    ));
                }
            }
        }
        for key in [b"Prev".as_slice(), b"XRefStm"] {
            if let Some(p) = dict
                .get(key)
                .and_then(Object::as_i64)
                .ok()
                .and_then(|p| usize::try_from(p).ok())
            {
                queue.push(p);
            }
        }
    }
    Ok(())
}

/// Where `startxref` says the last cross-reference section is, found as
/// `lopdf` finds it (`None`: `lopdf` cannot open the file either).
fn xref_start(buf: &[u8]) -> Option<usize> {
    // The last `%%EOF` in the last 512 bytes, the last `startxref` from
    // 25 bytes before it.
    let tail = buf.len().saturating_sub(512);
    let eof = tail + rfind(&buf[tail..], b"%%EOF")?;
    let from = eof.checked_sub(25).filter(|&f| f > 0)?;
    let k = from + rfind(&buf[from..], b"startxref")?;
    let digits: String = buf[k + b"startxref".len()..]
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| char::from(b))
        .collect();
    digits.parse().ok()
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The last dictionary operand in `text` read as drawing instructions
/// (`lopdf`'s own object parser: `5 0 obj << … >> stream` reads as the
/// operators `obj` and `stream`, the dictionary the operand of `stream`).
fn last_dictionary(text: &[u8]) -> Option<Dictionary> {
    let content = pdf_extract::content::Content::decode(text).ok()?;
    let op = content.operations.into_iter().last()?;
    match op.operands.into_iter().last()? {
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

/// Where a stream's data starts when `stream` ends at `i`: after spaces
/// or tabs and one end of line, as `lopdf` reads it (`None`: not there).
fn stream_data_start(bytes: &[u8], mut i: usize) -> Option<usize> {
    while matches!(bytes.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    match (bytes.get(i), bytes.get(i + 1)) {
        (Some(b'\r'), Some(b'\n')) => Some(i + 2),
        (Some(b'\r' | b'\n'), _) => Some(i + 1),
        _ => None,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

/// The LZW decoder `lopdf` uses for a stream (`EarlyChange` 1 by default).
fn lzw_decoder(early_change: bool) -> weezl::decode::Decoder {
    use weezl::{decode::Decoder, BitOrder};
    if early_change {
        Decoder::with_tiff_size_switch(BitOrder::Msb, 8)
    } else {
        Decoder::new(BitOrder::Msb, 8)
    }
}

/// A writer that keeps (or only counts) at most `limit` bytes and fails
/// beyond them, its length then `limit`.
struct Capped {
    kept: Option<Vec<u8>>,
    len: u64,
    limit: u64,
}

impl Capped {
    fn counting(limit: u64) -> Self {
        Capped {
            kept: None,
            len: 0,
            limit,
        }
    }

    fn keeping(limit: u64) -> Self {
        Capped {
            kept: Some(Vec::new()),
            len: 0,
            limit,
        }
    }
}

impl Write for Capped {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = usize::try_from(self.limit - self.len).unwrap_or(usize::MAX);
        let n = buf.len().min(room);
        if let Some(kept) = self.kept.as_mut() {
            kept.extend_from_slice(&buf[..n]);
        }
        self.len += n as u64;
        if n < buf.len() {
            return Err(io::Error::other("limit reached"));
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Opens the document as `lopdf` does, except that object streams are
/// held back (renamed, so neither loading nor decryption unpacks them):
/// [`bound`] unpacks them within the limits.
pub fn load(bytes: &[u8]) -> Result<Document, pdf_extract::Error> {
    Reader {
        buffer: bytes,
        document: Document::new(),
    }
    .read(Some(hold_object_streams))
}

/// The type object streams are renamed to while held back.
const HELD: &[u8] = b"EacDeskHeldObjStm";

fn hold_object_streams(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(s) = object {
        if s.dict.has_type(b"ObjStm") {
            s.dict.set("Type", Object::Name(HELD.to_vec()));
        }
    }
    // `lopdf` keeps the object as changed here; the returned one only
    // matters for objects read from object streams, which it no longer
    // reads.
    Some((id, Object::Null))
}

/// What a stream holds once its filters are applied.
enum Unpacked {
    /// No filter: the content as it is.
    Plain,
    /// Unpacked content, to keep in place of the packed one.
    Bytes(Vec<u8>),
    /// Left packed (a filter `lopdf` does not unpack, so the extractor
    /// reads the raw content, or a predictor `lopdf` applies itself): it
    /// reads at most this many bytes.
    Left(u64),
}

/// Unpacks `s` as `lopdf` would, with at most `limit` bytes out of any
/// filter. `Err`: more than `limit`.
fn unpack(s: &Stream, limit: u64) -> Result<Unpacked, ()> {
    let Ok(filters) = s.filters() else {
        return Ok(Unpacked::Plain);
    };
    let params = s.dict.get(b"DecodeParms").and_then(Object::as_dict).ok();
    let predictor = params
        .and_then(|p| p.get(b"Predictor").and_then(Object::as_i64).ok())
        .is_some_and(|p| (10..=15).contains(&p));
    let early_change = params
        .and_then(|p| p.get(b"EarlyChange").and_then(Object::as_i64).ok())
        .is_none_or(|v| v != 0);
    // `lopdf` returns nothing for an empty filter list.
    let mut data: Cow<[u8]> = if filters.is_empty() {
        Cow::Owned(Vec::new())
    } else {
        Cow::Borrowed(&s.content)
    };
    for filter in filters {
        let mut out = Capped::keeping(limit + 1);
        match filter {
            b"FlateDecode" => {
                // A damaged stream keeps what inflated before the damage,
                // as `lopdf` keeps it.
                let mut reader = flate2::read::ZlibDecoder::new(&data[..]).take(limit + 1);
                let _ = io::copy(&mut reader, &mut out);
            }
            b"LZWDecode" => {
                let _ = lzw_decoder(early_change)
                    .into_stream(&mut out)
                    .decode_all(&data[..]);
            }
            b"ASCII85Decode" => {
                // At most 4 bytes out per byte in: `lopdf` decodes it.
                let one = Stream::new(dictionary! { "Filter" => "ASCII85Decode" }, data.to_vec());
                match one.decompressed_content() {
                    Ok(v) => {
                        let _ = out.write_all(&v);
                    }
                    Err(_) => return Ok(Unpacked::Left(s.content.len() as u64)),
                }
            }
            _ => return Ok(Unpacked::Left(s.content.len() as u64)),
        }
        if out.len > limit {
            return Err(());
        }
        data = Cow::Owned(out.kept.unwrap_or_default());
    }
    if predictor {
        Ok(Unpacked::Left(data.len() as u64))
    } else {
        Ok(Unpacked::Bytes(data.into_owned()))
    }
}

/// Unpacks the document's streams and counts what its pages make the
/// text extractor read, refusing it at the first limit passed (module
/// documentation).
pub fn bound(doc: &mut Document) -> Result<(), Exceeded> {
    unpack_object_streams(doc)?;
    empty_images_and_profiles(doc);
    unpack_streams(doc)?;
    let pages = doc.get_pages();
    if pages.len() > MAX_PAGES {
        return Err(Exceeded::new(
            Locator::Document,
            format!(
                "it has {} pages, more than the {MAX_PAGES} EAC Desk reads",
                grouped(pages.len() as u64)
            ),
        ));
    }
    let mut cost = Cost::new(doc);
    for (n, id) in pages {
        cost.page(n, id)?;
    }
    Ok(())
}

fn unpack_object_streams(doc: &mut Document) -> Result<(), Exceeded> {
    let exceeded = || {
        Exceeded::new(
            Locator::Document,
            format!(
                "its object streams unpack to more than {}",
                megabytes(MAX_OBJECT_STREAM_BYTES)
            ),
        )
    };
    let held: Vec<ObjectId> = doc
        .objects
        .iter()
        .filter(|(_, o)| matches!(o, Object::Stream(s) if s.dict.has_type(HELD)))
        .map(|(id, _)| *id)
        .collect();
    let mut total: u64 = 0;
    let mut found = BTreeMap::new();
    for id in held {
        let Some(Object::Stream(s)) = doc.objects.get_mut(&id) else {
            continue;
        };
        s.dict.set("Type", Object::Name(b"ObjStm".to_vec()));
        let room = MAX_OBJECT_STREAM_BYTES - total;
        match unpack(s, room).map_err(|()| exceeded())? {
            Unpacked::Bytes(v) => {
                total += v.len() as u64;
                s.set_plain_content(v);
            }
            Unpacked::Left(n) => total += n,
            Unpacked::Plain => total += s.content.len() as u64,
        }
        if total > MAX_OBJECT_STREAM_BYTES {
            return Err(exceeded());
        }
        // The content `lopdf` parses its objects from: what `unpack` kept,
        // or (a predictor, a filter it does not unpack) what `lopdf`
        // unpacks itself, no more than `unpack` measured.
        let _ = s.decompress();
        check_object_stream_nesting(id, s)?;
        // As `lopdf` does: a later object stream's object replaces an
        // earlier one's, an object stored directly is never replaced.
        if let Ok(objects) = ObjectStream::new(s) {
            found.extend(objects.objects);
        }
    }
    for (id, object) in found {
        doc.objects.entry(id).or_insert(object);
    }
    Ok(())
}

/// Refuses an object stream whose objects nest arrays and dictionaries
/// more than [`MAX_VALUE_NESTING`] deep, before `lopdf` parses them.
fn check_object_stream_nesting(id: ObjectId, s: &Stream) -> Result<(), Exceeded> {
    // `lopdf` reads no object from a stream without a whole `/First`.
    let Some(first) = s
        .dict
        .get(b"First")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|f| usize::try_from(f).ok())
    else {
        return Ok(());
    };
    let index = pdf_nesting::object_stream_index(&s.content, first);
    let Err(e) = pdf_nesting::in_object_stream(&s.content, &index, MAX_VALUE_NESTING) else {
        return Ok(());
    };
    let object = index
        .iter()
        .find(|&&(_, at)| at == e.from)
        .map_or_else(|| "an object".to_string(), |(n, _)| format!("object {n}"));
    Err(Exceeded::new(
        Locator::Document,
        format!(
            "{object}, packed in object stream {}, nests arrays or dictionaries more than {MAX_VALUE_NESTING} deep",
            id.0
        ),
    ))
}

/// Empties image streams and ICC profiles: never text, and the extractor
/// would read an image drawn with `Do` as drawing instructions and copy a
/// profile at each colour change.
fn empty_images_and_profiles(doc: &mut Document) {
    let mut ids: HashSet<ObjectId> = HashSet::new();
    for (id, object) in &doc.objects {
        if let Object::Stream(s) = object {
            if s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image") {
                ids.insert(*id);
            }
        }
        // `[/ICCBased 7 0 R]` anywhere in the object.
        let mut stack: Vec<&Object> = vec![object];
        while let Some(o) = stack.pop() {
            match o {
                Object::Array(a) => {
                    if let (Some(Object::Name(n)), Some(Object::Reference(r))) =
                        (a.first(), a.get(1))
                    {
                        if n == b"ICCBased" {
                            ids.insert(*r);
                        }
                    }
                    stack.extend(a.iter());
                }
                Object::Dictionary(d) => stack.extend(d.iter().map(|(_, v)| v)),
                Object::Stream(s) => stack.extend(s.dict.iter().map(|(_, v)| v)),
                _ => {}
            }
        }
    }
    for id in ids {
        if let Some(Object::Stream(s)) = doc.objects.get_mut(&id) {
            s.set_plain_content(Vec::new());
        }
    }
}

fn unpack_streams(doc: &mut Document) -> Result<(), Exceeded> {
    let mut total: u64 = 0;
    for object in doc.objects.values_mut() {
        let Object::Stream(s) = object else {
            continue;
        };
        let n = match unpack(s, MAX_STREAM_BYTES).map_err(|()| {
            Exceeded::new(
                Locator::Document,
                format!(
                    "one of its streams unpacks to more than {}",
                    megabytes(MAX_STREAM_BYTES)
                ),
            )
        })? {
            Unpacked::Plain => 0,
            Unpacked::Left(n) => n,
            Unpacked::Bytes(v) => {
                let n = v.len() as u64;
                s.set_plain_content(v);
                n
            }
        };
        total += n;
        if total > MAX_UNPACKED_BYTES {
            return Err(Exceeded::new(
                Locator::Document,
                format!(
                    "its streams unpack to more than {} in all",
                    megabytes(MAX_UNPACKED_BYTES)
                ),
            ));
        }
    }
    Ok(())
}

/// What the pages make the text extractor read, following it: a page's
/// content streams, then each form it draws with `Do` (again each time),
/// and for the page and each form drawn the font streams its resources
/// reach.
struct Cost<'d> {
    doc: &'d Document,
    page: u32,
    page_instructions: u64,
    page_bytes: u64,
    instructions: u64,
    bytes: u64,
    /// Font stream bytes reachable from a `/Font` resource, by its address.
    fonts: HashMap<usize, u64>,
    /// Character maps and font programs checked for nesting.
    programs: HashSet<ObjectId>,
}

impl<'d> Cost<'d> {
    fn new(doc: &'d Document) -> Self {
        Cost {
            doc,
            page: 0,
            page_instructions: 0,
            page_bytes: 0,
            instructions: 0,
            bytes: 0,
            fonts: HashMap::new(),
            programs: HashSet::new(),
        }
    }

    fn page(&mut self, n: u32, id: ObjectId) -> Result<(), Exceeded> {
        let doc = self.doc;
        self.page = n;
        self.page_instructions = 0;
        self.page_bytes = 0;
        let Ok(dict) = doc.get_dictionary(id) else {
            return Ok(());
        };
        // The extractor looks up the page's resources and media box up the
        // tree without end.
        let mut node = dict;
        let mut depth = 0;
        while let Ok(parent) = node
            .get(b"Parent")
            .and_then(Object::as_reference)
            .and_then(|p| doc.get_dictionary(p))
        {
            depth += 1;
            if depth > MAX_TREE_DEPTH {
                return Err(Exceeded::new(
                    Locator::Page(n),
                    format!("the page tree above the page loops or is more than {MAX_TREE_DEPTH} levels deep"),
                ));
            }
            node = parent;
        }
        let resources = inherited_resources(doc, dict);
        self.fonts(resources)?;
        for content in doc.get_page_contents(id) {
            if let Ok(s) = doc.get_object(content).and_then(Object::as_stream) {
                self.draw(&s.content, resources, 0)?;
            }
        }
        Ok(())
    }

    fn draw(
        &mut self,
        content: &'d [u8],
        resources: Option<&'d Dictionary>,
        depth: u32,
    ) -> Result<(), Exceeded> {
        self.read(content.len() as u64)?;
        let mut ops = Ops::new(content);
        for (op, name, values) in ops.by_ref() {
            self.run(1 + values)?;
            if op != b"Do" {
                continue;
            }
            let Some(form) = name.and_then(|n| xobject(self.doc, resources, &unescape(n))) else {
                continue;
            };
            if depth >= MAX_NESTING {
                return Err(Exceeded::new(
                    Locator::Page(self.page),
                    format!("the page draws forms within forms more than {MAX_NESTING} deep"),
                ));
            }
            let inner = form
                .dict
                .get(b"Resources")
                .ok()
                .map(|o| deref(self.doc, o))
                .and_then(|o| o.as_dict().ok())
                .or(resources);
            self.fonts(inner)?;
            self.draw(&form.content, inner, depth + 1)?;
        }
        if ops.deepest > MAX_VALUE_NESTING {
            return Err(Exceeded::new(
                Locator::Page(self.page),
                format!(
                    "the page nests arrays or dictionaries more than {MAX_VALUE_NESTING} deep in its drawing instructions"
                ),
            ));
        }
        Ok(())
    }

    fn fonts(&mut self, resources: Option<&'d Dictionary>) -> Result<(), Exceeded> {
        let Some(fonts) = resources.and_then(|r| r.get(b"Font").ok()) else {
            return Ok(());
        };
        let key = std::ptr::from_ref(fonts) as usize;
        let doc = self.doc;
        if !self.fonts.contains_key(&key) {
            self.font_programs(fonts)?;
        }
        let n = *self
            .fonts
            .entry(key)
            .or_insert_with(|| reachable_stream_bytes(doc, fonts));
        self.read(n)
    }

    /// Refuses a font of the `/Font` resource `fonts` whose character maps
    /// (`ToUnicode`, a Type 0 font's `Encoding`) or embedded Type 1 program
    /// (`FontDescriptor` → `FontFile`), its descendant fonts' included,
    /// nest arrays, dictionaries, procedures or strings more than
    /// [`MAX_VALUE_NESTING`] deep: `pdf-extract` parses them recursively
    /// (`pdf_font_nesting`). Each stream is checked once, as the extractor
    /// reads it.
    fn font_programs(&mut self, fonts: &'d Object) -> Result<(), Exceeded> {
        let doc = self.doc;
        let Ok(fonts) = deref(doc, fonts).as_dict() else {
            return Ok(());
        };
        let entry = |dict: &'d Dictionary, key: &[u8]| dict.get(key).ok();
        for (name, font) in fonts.iter() {
            let Ok(font) = deref(doc, font).as_dict() else {
                continue;
            };
            let mut dicts = vec![font];
            if let Some(Ok(descendants)) =
                entry(font, b"DescendantFonts").map(|d| deref(doc, d).as_array())
            {
                dicts.extend(
                    descendants
                        .iter()
                        .filter_map(|d| deref(doc, d).as_dict().ok()),
                );
            }
            for dict in dicts {
                let file = entry(dict, b"FontDescriptor")
                    .and_then(|d| deref(doc, d).as_dict().ok())
                    .and_then(|d| entry(d, b"FontFile"));
                let programs = [
                    (entry(dict, b"ToUnicode"), "ToUnicode character map", "map"),
                    (entry(dict, b"Encoding"), "encoding character map", "map"),
                    (file, "embedded Type 1 font program", "program"),
                ];
                for (program, what, noun) in programs {
                    if let Some(&Object::Reference(id)) = program {
                        self.font_program(id, (what, noun), name)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks the stream `id`, `what` of the font named `font`.
    fn font_program(
        &mut self,
        id: ObjectId,
        (what, noun): (&str, &str),
        font: &[u8],
    ) -> Result<(), Exceeded> {
        let Ok(s) = self.doc.get_object(id).and_then(Object::as_stream) else {
            return Ok(());
        };
        if !self.programs.insert(id) {
            return Ok(());
        }
        // As `pdf-extract` reads it (its `get_contents`): unpacked by
        // `lopdf` where `unpack` left a filter (a predictor), measured by
        // `unpack_streams` then.
        let bytes: Cow<[u8]> = if s.filters().is_ok() {
            Cow::Owned(
                s.decompressed_content()
                    .unwrap_or_else(|_| s.content.clone()),
            )
        } else {
            Cow::Borrowed(&s.content)
        };
        let Err(at) = pdf_font_nesting::in_program(&bytes, MAX_VALUE_NESTING) else {
            return Ok(());
        };
        let font: String = String::from_utf8_lossy(font).chars().take(40).collect();
        Err(Exceeded::new(
            Locator::Page(self.page),
            format!(
                "the {what} (object {}) of the page's font /{font} nests arrays, dictionaries, procedures or strings more than {MAX_VALUE_NESTING} deep, at byte {} of the {noun} once unpacked",
                id.0,
                grouped(at as u64)
            ),
        ))
    }

    fn run(&mut self, n: u64) -> Result<(), Exceeded> {
        self.page_instructions += n;
        self.instructions += n;
        if self.page_instructions > MAX_PAGE_INSTRUCTIONS {
            return Err(Exceeded::new(
                Locator::Page(self.page),
                format!(
                    "the page holds more than {} drawing operators and values",
                    grouped(MAX_PAGE_INSTRUCTIONS)
                ),
            ));
        }
        if self.instructions > MAX_INSTRUCTIONS {
            return Err(Exceeded::new(
                Locator::Document,
                format!(
                    "its pages hold more than {} drawing operators and values in all",
                    grouped(MAX_INSTRUCTIONS)
                ),
            ));
        }
        Ok(())
    }

    fn read(&mut self, n: u64) -> Result<(), Exceeded> {
        self.page_bytes += n;
        self.bytes += n;
        if self.page_bytes > MAX_PAGE_BYTES {
            return Err(Exceeded::new(
                Locator::Page(self.page),
                format!(
                    "the page's drawing instructions, forms and fonts come to more than {}",
                    megabytes(MAX_PAGE_BYTES)
                ),
            ));
        }
        if self.bytes > MAX_READ_BYTES {
            return Err(Exceeded::new(
                Locator::Document,
                format!(
                    "its pages' drawing instructions, forms and fonts come to more than {} in all",
                    megabytes(MAX_READ_BYTES)
                ),
            ));
        }
        Ok(())
    }
}

fn deref<'d>(doc: &'d Document, o: &'d Object) -> &'d Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        _ => o,
    }
}

/// The page's `/Resources`, or its nearest ancestor's (as the extractor
/// finds them).
fn inherited_resources<'d>(doc: &'d Document, page: &'d Dictionary) -> Option<&'d Dictionary> {
    let mut node = page;
    for _ in 0..=MAX_TREE_DEPTH {
        if let Some(r) = node
            .get(b"Resources")
            .ok()
            .and_then(|o| deref(doc, o).as_dict().ok())
        {
            return Some(r);
        }
        node = node
            .get(b"Parent")
            .and_then(Object::as_reference)
            .and_then(|p| doc.get_dictionary(p))
            .ok()?;
    }
    None
}

/// The stream `/XObject /name` of `resources` names.
fn xobject<'d>(
    doc: &'d Document,
    resources: Option<&'d Dictionary>,
    name: &[u8],
) -> Option<&'d Stream> {
    let xobjects = deref(doc, resources?.get(b"XObject").ok()?)
        .as_dict()
        .ok()?;
    deref(doc, xobjects.get(name).ok()?).as_stream().ok()
}

/// The bytes of every stream reachable from `root` (font programs,
/// `ToUnicode` maps, Type 3 glyph procedures…), each counted once.
fn reachable_stream_bytes(doc: &Document, root: &Object) -> u64 {
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<&Object> = vec![root];
    let mut total: u64 = 0;
    while let Some(o) = stack.pop() {
        match o {
            Object::Reference(id) if seen.insert(*id) => {
                if let Ok(target) = doc.get_object(*id) {
                    stack.push(target);
                }
            }
            Object::Array(a) => stack.extend(a.iter()),
            Object::Dictionary(d) => stack.extend(d.iter().map(|(_, v)| v)),
            Object::Stream(s) => {
                total += s.content.len() as u64;
                stack.extend(s.dict.iter().map(|(_, v)| v));
            }
            _ => {}
        }
    }
    total
}

/// A name as written (`/Im#201`) to its bytes (`Im 1`), as `lopdf` reads
/// it.
fn unescape(name: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len());
    let mut i = 0;
    while i < name.len() {
        if name[i] == b'#' {
            if let Some(b) = name
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(name[i]);
        i += 1;
    }
    out
}

/// The operators of a content stream, in order, each with the name
/// operand written just before it (what `Do` draws). It counts what
/// `lopdf` parses as operations, or a few more (an inline image is one
/// operation, its dictionary's entries values as an operator's operands;
/// text inside strings, comments and names is skipped).
struct Ops<'a> {
    s: &'a [u8],
    i: usize,
    name: Option<&'a [u8]>,
    /// In an inline image's dictionary (after `BI`, before `ID`).
    inline: bool,
    /// Operands (and arrays and dictionaries) since the last operator.
    values: u64,
    /// Arrays and dictionaries open, and the most ever open.
    depth: u32,
    deepest: u32,
}

impl<'a> Ops<'a> {
    fn new(s: &'a [u8]) -> Self {
        Ops {
            s,
            i: 0,
            name: None,
            inline: false,
            values: 0,
            depth: 0,
            deepest: 0,
        }
    }

    fn regular(b: u8) -> bool {
        !is_white(b) && !b"()<>[]{}/%".contains(&b)
    }

    fn token(&mut self) -> &'a [u8] {
        let start = self.i;
        while self.i < self.s.len() && Self::regular(self.s[self.i]) {
            self.i += 1;
        }
        &self.s[start..self.i]
    }

    /// Past an inline image's data: after `ID` and one white byte, up to
    /// `EI` between white bytes (or the end).
    fn skip_image_data(&mut self) {
        self.i += 1;
        while self.i < self.s.len() {
            let end = self.s.get(self.i..self.i + 2) == Some(b"EI");
            let before = self.i == 0 || is_white(self.s[self.i - 1]);
            let after = self.s.get(self.i + 2).is_none_or(|&b| is_white(b));
            if end && before && after {
                self.i += 2;
                return;
            }
            self.i += 1;
        }
    }
}

impl<'a> Iterator for Ops<'a> {
    /// The operator, the name before it, and how many values (operands,
    /// and the items of array and dictionary operands) it takes.
    type Item = (&'a [u8], Option<&'a [u8]>, u64);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let c = *self.s.get(self.i)?;
            match c {
                b'%' => {
                    while self.i < self.s.len() && !matches!(self.s[self.i], b'\r' | b'\n') {
                        self.i += 1;
                    }
                }
                b'(' => {
                    self.values += 1;
                    let mut depth = 0u32;
                    while self.i < self.s.len() {
                        match self.s[self.i] {
                            b'\\' => self.i += 1,
                            b'(' => depth += 1,
                            b')' => {
                                depth -= 1;
                                if depth == 0 {
                                    self.i += 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                        self.i += 1;
                    }
                }
                b'<' if self.s.get(self.i + 1) != Some(&b'<') => {
                    self.values += 1;
                    while self.i < self.s.len() && self.s[self.i] != b'>' {
                        self.i += 1;
                    }
                    self.i += 1;
                }
                b'/' => {
                    self.values += 1;
                    self.i += 1;
                    self.name = Some(self.token());
                }
                _ if Self::regular(c) => {
                    let t = self.token();
                    let operand = matches!(t[0], b'0'..=b'9' | b'+' | b'-' | b'.')
                        || t == b"true"
                        || t == b"false"
                        || t == b"null";
                    if operand {
                        self.values += 1;
                        continue;
                    }
                    if self.inline && t == b"ID" {
                        // The dictionary was read as values, with its arrays
                        // and dictionaries (`lopdf` parses it as it parses
                        // operands); the data is no instruction.
                        self.inline = false;
                        self.name = None;
                        self.skip_image_data();
                        continue;
                    }
                    self.inline = t == b"BI";
                    let values = std::mem::take(&mut self.values);
                    return Some((t, self.name.take(), values));
                }
                b'[' | b'<' => {
                    self.values += 1;
                    self.depth += 1;
                    self.deepest = self.deepest.max(self.depth);
                    self.i += if c == b'<' { 2 } else { 1 };
                }
                b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    self.i += 1;
                }
                b'>' if self.s.get(self.i + 1) == Some(&b'>') => {
                    self.depth = self.depth.saturating_sub(1);
                    self.i += 2;
                }
                b'{' => {
                    self.values += 1;
                    self.i += 1;
                }
                _ => self.i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_are_counted_outside_strings_comments_and_inline_images() {
        let content =
            b"q 1 0 0 1 72 712 cm BT /F1 12 Tf (a Tj b\\) (c) Tj) Tj <54 6a> Tj ET % x Tj\n\
            /Im#201 Do BI /W 4 /H 1 /CS /G /BPC 8 ID aEIb EI Q";
        let ops: Vec<(String, Option<String>)> = Ops::new(content)
            .map(|(op, name, _)| {
                (
                    String::from_utf8_lossy(op).into_owned(),
                    name.map(|n| String::from_utf8_lossy(n).into_owned()),
                )
            })
            .collect();
        let names: Vec<&str> = ops.iter().map(|(op, _)| op.as_str()).collect();
        assert_eq!(
            names,
            ["q", "cm", "BT", "Tf", "Tj", "Tj", "ET", "Do", "BI", "Q"]
        );
        assert_eq!(ops[7].1.as_deref(), Some("Im#201"));
        assert_eq!(unescape(b"Im#201"), b"Im 1");
        // Values: operands, arrays and their items, dictionaries.
        let values: Vec<u64> = Ops::new(b"1 0 0 1 72 712 cm [1 2] 0 d /P <</MCID 0>> BDC")
            .map(|(_, _, v)| v)
            .collect();
        assert_eq!(values, [6, 4, 4]);
        // An inline image's dictionary nests as operands do; its data
        // (here `[[[`) is no instruction.
        let mut ops = Ops::new(b"BI /W 1 /D [[1] <</A [2]>>] ID [[[ EI Q");
        let names: Vec<&[u8]> = ops.by_ref().map(|(op, _, _)| op).collect();
        assert_eq!(names, [b"BI".as_slice(), b"Q"]);
        assert_eq!(ops.deepest, 3);
    }

    #[test]
    fn numbers_are_grouped_in_messages() {
        assert_eq!(grouped(800_000), "800,000");
        assert_eq!(grouped(78), "78");
        assert_eq!(megabytes(32_000_000), "32 MB");
    }
}
