//! How deep a font's character map or Type 1 program nests, found before
//! `pdf-extract` parses it.
//!
//! To turn a page's character codes into text, `pdf-extract` parses each
//! font's `ToUnicode` character map (and a Type 0 font's `Encoding` map)
//! with `adobe-cmap-parser`, and an embedded Type 1 font program
//! (`FontFile`) with `type1-encoding-parser`. Both read PostScript-like
//! syntax and call themselves for each array (`[ ]`), dictionary
//! (`<< >>`), procedure (`{ }`, Type 1 only) and parenthesis nested in a
//! literal string, without a limit: a 1 KB file whose map unpacks to
//! arrays nested 200,000 deep overflows the stack, which aborts the whole
//! process (no error, nothing can catch it). In a debug build a few
//! thousand levels do, on an 8 MB stack; about 930 on a 2 MB one.
//!
//! [`in_program`] reads the syntax as both parsers do and returns how deep
//! it nests, or the byte where it passes the limit. It is a superset of
//! what they accept: it goes on wherever either parser could (comments
//! and `{` anywhere, any hexadecimal string up to its `>`, a name up to a
//! delimiter), so it never stops before them; and it stops where neither
//! could go on: at a byte that starts no value (a Type 1 font's encrypted
//! binary part after `eexec`, typically), or at a closing bracket with
//! nothing open, as their parse then fails and reads no further. One pass,
//! in time proportional to the bytes read.

/// Spaces between values: lopdf's, a superset of what either parser skips.
use crate::pdf_nesting::is_white;

/// What ends a name (`/Name`) for both parsers, `#` aside (a name goes on
/// over `#` and two hexadecimal digits; any other `#` fails the parse).
fn ends_name(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c') || b"()<>[]{}/%".contains(&b)
}

/// Bytes of numbers (`-1.5`) and words (`begincmap`, `def`, `RD`'s `*`…):
/// the other values either parser reads. No value starts with any other
/// byte.
fn in_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"+-.*'\"".contains(&b)
}

/// How deep `program` nests arrays, dictionaries, procedures and literal
/// strings (a string counts one level, and one more for each parenthesis
/// nested in it), as far as a parser of its syntax reads it. `Err`: the
/// byte of the bracket or parenthesis that opens a level past `limit`.
pub fn in_program(program: &[u8], limit: u32) -> Result<u32, usize> {
    let p = program;
    let mut depth: u32 = 0;
    let mut deepest: u32 = 0;
    let mut open = |depth: &mut u32, at: usize| {
        *depth += 1;
        deepest = deepest.max(*depth);
        if *depth > limit {
            Err(at)
        } else {
            Ok(())
        }
    };
    let mut i = 0;
    while let Some(&c) = p.get(i) {
        match c {
            _ if is_white(c) => i += 1,
            b'%' => {
                while i < p.len() && !matches!(p[i], b'\r' | b'\n') {
                    i += 1;
                }
            }
            b'(' => {
                // A literal string: `\` escapes the byte after it, other
                // parentheses nest (each one more level for the parsers).
                let outside = depth;
                open(&mut depth, i)?;
                i += 1;
                while depth > outside {
                    match p.get(i) {
                        None => break,
                        Some(b'\\') => i += 1,
                        Some(b'(') => open(&mut depth, i)?,
                        Some(b')') => depth -= 1,
                        Some(_) => {}
                    }
                    i += 1;
                }
            }
            b'<' if p.get(i + 1) == Some(&b'<') => {
                open(&mut depth, i)?;
                i += 2;
            }
            b'<' => {
                // A hexadecimal string.
                match p[i..].iter().position(|&b| b == b'>') {
                    Some(k) => i += k + 1,
                    None => break,
                }
            }
            b'[' | b'{' => {
                open(&mut depth, i)?;
                i += 1;
            }
            b']' | b'}' | b'>' => {
                let two = c == b'>';
                if depth == 0 || (two && p.get(i + 1) != Some(&b'>')) {
                    // Closes nothing, or a lone `>`: the parse fails here.
                    break;
                }
                depth -= 1;
                i += if two { 2 } else { 1 };
            }
            b'/' => {
                i += 1;
                while i < p.len() && !ends_name(p[i]) {
                    i += 1;
                }
            }
            _ if in_word(c) => {
                while i < p.len() && in_word(p[i]) {
                    i += 1;
                }
            }
            // No value starts with this byte (`)`, binary data…): both
            // parsers stop here.
            _ => break,
        }
    }
    Ok(deepest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_map_nests_as_its_arrays_dictionaries_and_strings_do() {
        let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
            1 begincodespacerange <00> <FF> endcodespacerange\n\
            1 beginbfrange <20> <21> [<0020> <0021>] endbfrange\n\
            endcmap CMapName currentdict /CMap defineresource pop end end\n";
        assert_eq!(in_program(cmap, 32), Ok(2));
        // Parentheses inside a string nest; escaped ones, brackets and
        // comment characters there do not.
        assert_eq!(in_program(b"(a (b (c)) \\( [[[ % ) x", 32), Ok(3));
        // Brackets in comments and hexadecimal strings do not nest.
        assert_eq!(in_program(b"% [[[[\n<5B5B> [ ]", 32), Ok(1));
        // A procedure of a Type 1 font.
        assert_eq!(
            in_program(
                b"/Encoding 256 array 0 1 255 {1 index exch /.notdef put} for",
                32
            ),
            Ok(1)
        );
    }

    #[test]
    fn nesting_past_the_limit_is_found_at_its_bracket() {
        let deep = [b"x [".as_slice(), &b"[".repeat(200_000)].concat();
        assert_eq!(in_program(&deep, 32), Err(2 + 32));
        let strings = [b"(".repeat(40), b")".repeat(40)].concat();
        assert_eq!(in_program(&strings, 32), Err(32));
        let mixed = b"<< /a [ { ( ( ) ) } ] >>";
        assert_eq!(in_program(mixed, 5), Ok(5));
        assert_eq!(in_program(mixed, 4), Err(12));
        let procedures = b"{".repeat(33);
        assert_eq!(in_program(&procedures, 32), Err(32));
    }

    #[test]
    fn the_scan_stops_where_the_parsers_stop() {
        // A Type 1 font's encrypted part: binary after `eexec`.
        let font = [
            b"/FontName /F def currentfile eexec\r".as_slice(),
            &[0xd9, 0xd6, 0x5b],
            &b"[".repeat(100),
        ]
        .concat();
        assert_eq!(in_program(&font, 32), Ok(0));
        // A closing bracket with nothing open, a lone `>`.
        assert_eq!(in_program(b"[ ] ] [[[[", 2), Ok(1));
        assert_eq!(in_program(b"[ > [[[[", 2), Ok(1));
        // But not at what either parser reads on: a name holding bytes no
        // value starts with, a NUL, `#`.
        let name = [b"/a\0\x80#20".as_slice(), &b"[".repeat(3)].concat();
        assert_eq!(in_program(&name, 2), Err(9));
    }
}
