//! `%XX` escapes, decoded byte for byte as a URI's are: a connection
//! address's setting names ([`crate::server`]) and a detail file's name
//! from its `eac_data_url` (decisions 42, 278).

/// The bytes of `text` with every `%XX` (two hex digits) replaced by its
/// byte; a `%` not followed by two hex digits is kept as it is.
pub(crate) fn decoded(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |c: u8| char::from(c).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                // Two hex digits: at most 0xFF.
                out.push(u8::try_from(h * 16 + l).unwrap_or(u8::MAX));
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::decoded;

    #[test]
    fn escapes_are_decoded_and_broken_ones_kept() {
        assert_eq!(decoded("my%20file.json"), b"my file.json");
        assert_eq!(decoded("a%2Fb%2fc"), b"a/b/c");
        assert_eq!(decoded("%C3%A9"), "é".as_bytes());
        assert_eq!(decoded("100%"), b"100%");
        assert_eq!(decoded("%zz%4"), b"%zz%4");
        assert_eq!(decoded("%FF"), [0xFF]);
    }
}
