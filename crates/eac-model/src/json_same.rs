//! Whether two JSON texts state the same JSON value, as an extension
//! member's data is compared (decision 360): the spaces and line ends
//! between tokens do not count, nor the order of an object's members, nor
//! how a string is escaped (`"\u00e9"` is `"é"`); a number is its literal
//! text (`1.0` is not `1`, `1e3` is not `1000`: EAC Desk keeps a number as
//! written, decision 3). The texts were read as strict JSON already (no
//! duplicate key, no lone surrogate, decision 20), so a text that does not
//! parse here is compared as it is written.

use std::borrow::Cow;

/// A JSON value over its text: numbers as written, strings unescaped,
/// object members sorted by name.
#[derive(Debug, PartialEq)]
enum Value<'a> {
    Literal(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    Object(Vec<(Cow<'a, str>, Value<'a>)>),
}

/// Whether JSON texts `a` and `b` state the same value (see the module).
/// Equal texts are the same without being parsed.
pub fn same_json(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn parse(text: &str) -> Option<Value<'_>> {
    let mut p = Parser { text, at: 0 };
    let v = p.value()?;
    p.space();
    (p.at == text.len()).then_some(v)
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn space(&mut self) {
        let b = self.text.as_bytes();
        while self.at < b.len() && matches!(b[self.at], b' ' | b'\t' | b'\n' | b'\r') {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn value(&mut self) -> Option<Value<'a>> {
        self.space();
        match self.peek()? {
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                self.space();
                if self.peek()? == b'}' {
                    self.at += 1;
                    return Some(Value::Object(members));
                }
                loop {
                    self.space();
                    let name = self.string()?;
                    self.space();
                    (self.peek()? == b':').then_some(())?;
                    self.at += 1;
                    members.push((name, self.value()?));
                    self.space();
                    match self.peek()? {
                        b',' => self.at += 1,
                        b'}' => {
                            self.at += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                members.sort_by(|x, y| x.0.cmp(&y.0));
                Some(Value::Object(members))
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.peek()? == b']' {
                    self.at += 1;
                    return Some(Value::Array(items));
                }
                loop {
                    items.push(self.value()?);
                    self.space();
                    match self.peek()? {
                        b',' => self.at += 1,
                        b']' => {
                            self.at += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                Some(Value::Array(items))
            }
            b'"' => self.string().map(Value::String),
            _ => {
                // A number, `true`, `false` or `null`: its text up to the
                // next delimiter.
                let b = self.text.as_bytes();
                let start = self.at;
                while self.at < b.len()
                    && !matches!(
                        b[self.at],
                        b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'
                    )
                {
                    self.at += 1;
                }
                (self.at > start).then(|| Value::Literal(&self.text[start..self.at]))
            }
        }
    }

    /// A string at `self.at` (its opening quote), unescaped.
    fn string(&mut self) -> Option<Cow<'a, str>> {
        let b = self.text.as_bytes();
        (b.get(self.at) == Some(&b'"')).then_some(())?;
        let start = self.at;
        let mut i = start + 1;
        let mut escaped = false;
        loop {
            match *b.get(i)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    i += 2;
                }
                _ => i += 1,
            }
        }
        self.at = i + 1;
        let quoted = &self.text[start..=i];
        match escaped {
            false => Some(Cow::Borrowed(&quoted[1..quoted.len() - 1])),
            true => serde_json::from_str::<String>(quoted).ok().map(Cow::Owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::same_json;

    /// The same data laid out otherwise (spaces, CRLF, minified, members
    /// in another order, escapes) is the same; other numbers' texts,
    /// other strings, other array orders are not.
    #[test]
    fn values_are_compared_with_numbers_as_written() {
        let pretty = "{\n  \"plant\": \"A\",\n  \"n\": [1, 2.50, {\"x\": null}]\n}";
        for same in [
            "{\"plant\":\"A\",\"n\":[1,2.50,{\"x\":null}]}",
            "{\r\n  \"plant\": \"A\",\r\n  \"n\": [1, 2.50, {\"x\": null}]\r\n}",
            "{\"n\": [1, 2.50, {\"x\": null}], \"plant\": \"A\"}",
            "{\"pl\\u0061nt\": \"\\u0041\", \"n\": [1, 2.50, {\"x\": null}]}",
        ] {
            assert!(same_json(pretty, same), "{same}");
        }
        for other in [
            "{\"plant\":\"A\",\"n\":[1,2.5,{\"x\":null}]}",
            "{\"plant\":\"B\",\"n\":[1,2.50,{\"x\":null}]}",
            "{\"plant\":\"A\",\"n\":[2.50,1,{\"x\":null}]}",
            "{\"plant\":\"A\",\"n\":[1,2.50,{\"x\":null}],\"m\":1}",
            "{\"plant\":\"A\",\"n\":[1,2.50,{\"x\":false}]}",
        ] {
            assert!(!same_json(pretty, other), "{other}");
        }
        assert!(same_json("1e400", "1e400"));
        assert!(!same_json("1e3", "1000"));
        assert!(!same_json("-0", "0"));
        assert!(same_json(" \"caf\\u00e9\" ", "\"café\""));
        assert!(!same_json("\"a\\\"\"", "\"a\""));
    }
}
