//! A tiny JSON tree that keeps the exact text of numbers and strings (escapes
//! included), so a mutation can put `1e400`, `-0` or a lone `\ud800` escape
//! exactly where a reader will see it, and everything else comes back as it
//! was written.

/// One JSON value. Strings and keys hold their raw text between the quotes
/// (escapes as written); `Raw` is text written verbatim (deep nesting,
/// tokens that are not JSON at all).
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
    Raw(String),
}

/// Where a node is: child indices from the root (array index or member index).
pub type NodePath = Vec<usize>;

impl Json {
    /// Parses strict-enough JSON (the seed files are valid); `None` otherwise.
    pub fn parse(text: &str) -> Option<Json> {
        let mut p = Parser {
            s: text.as_bytes(),
            at: 0,
        };
        p.ws();
        // A byte-order mark is not part of the tree.
        if p.s[p.at..].starts_with("\u{feff}".as_bytes()) {
            p.at += 3;
            p.ws();
        }
        let v = p.value(0)?;
        p.ws();
        (p.at == p.s.len()).then_some(v)
    }

    /// The text: compact, or indented by `indent` spaces per level.
    pub fn to_text(&self, indent: Option<usize>) -> String {
        let mut out = String::new();
        self.write(&mut out, indent, 0);
        if indent.is_some() {
            out.push('\n');
        }
        out
    }

    fn write(&self, out: &mut String, indent: Option<usize>, level: usize) {
        let newline = |out: &mut String, level: usize| {
            if let Some(n) = indent {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', n * level));
            }
        };
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) | Json::Raw(n) => out.push_str(n),
            Json::Str(s) => {
                out.push('"');
                out.push_str(s);
                out.push('"');
            }
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, level + 1);
                    item.write(out, indent, level + 1);
                }
                if !items.is_empty() {
                    newline(out, level);
                }
                out.push(']');
            }
            Json::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, level + 1);
                    out.push('"');
                    out.push_str(k);
                    out.push_str(if indent.is_some() { "\": " } else { "\":" });
                    v.write(out, indent, level + 1);
                }
                if !members.is_empty() {
                    newline(out, level);
                }
                out.push('}');
            }
        }
    }

    /// Every node's path, root first (pre-order).
    pub fn paths(&self) -> Vec<NodePath> {
        let mut out = Vec::new();
        let mut path = Vec::new();
        self.collect(&mut path, &mut out);
        out
    }

    fn collect(&self, path: &mut NodePath, out: &mut Vec<NodePath>) {
        out.push(path.clone());
        let children: Vec<&Json> = match self {
            Json::Arr(items) => items.iter().collect(),
            Json::Obj(members) => members.iter().map(|(_, v)| v).collect(),
            _ => return,
        };
        for (i, c) in children.into_iter().enumerate() {
            path.push(i);
            c.collect(path, out);
            path.pop();
        }
    }

    pub fn at(&self, path: &[usize]) -> &Json {
        path.iter().fold(self, |node, &i| match node {
            Json::Arr(items) => &items[i],
            Json::Obj(members) => &members[i].1,
            _ => unreachable!("a path leads through containers only"),
        })
    }

    pub fn at_mut(&mut self, path: &[usize]) -> &mut Json {
        path.iter().fold(self, |node, &i| match node {
            Json::Arr(items) => &mut items[i],
            Json::Obj(members) => &mut members[i].1,
            _ => unreachable!("a path leads through containers only"),
        })
    }

    /// The member key leading to the node at `path`, when its parent is an object.
    pub fn key_of(&self, path: &[usize]) -> Option<&str> {
        let (&last, parent) = path.split_last()?;
        match self.at(parent) {
            Json::Obj(members) => Some(members[last].0.as_str()),
            _ => None,
        }
    }

    /// The string members named `key` anywhere, mutably (e.g. every `cds_synced`).
    pub fn for_each_member(&mut self, key: &str, f: &mut dyn FnMut(&mut Json)) {
        match self {
            Json::Arr(items) => items.iter_mut().for_each(|i| i.for_each_member(key, f)),
            Json::Obj(members) => {
                for (k, v) in members.iter_mut() {
                    if k == key {
                        f(v);
                    }
                    v.for_each_member(key, f);
                }
            }
            _ => {}
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.at < self.s.len() && matches!(self.s[self.at], b' ' | b'\t' | b'\n' | b'\r') {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.ws();
        (self.s.get(self.at) == Some(&b)).then(|| self.at += 1)
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > 200 {
            return None;
        }
        self.ws();
        let rest = &self.s[self.at..];
        match *rest.first()? {
            b'n' if rest.starts_with(b"null") => {
                self.at += 4;
                Some(Json::Null)
            }
            b't' if rest.starts_with(b"true") => {
                self.at += 4;
                Some(Json::Bool(true))
            }
            b'f' if rest.starts_with(b"false") => {
                self.at += 5;
                Some(Json::Bool(false))
            }
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.eat(b']').is_some() {
                    return Some(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.eat(b',').is_none() {
                        self.eat(b']')?;
                        return Some(Json::Arr(items));
                    }
                }
            }
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                if self.eat(b'}').is_some() {
                    return Some(Json::Obj(members));
                }
                loop {
                    self.ws();
                    let key = self.string()?;
                    self.eat(b':')?;
                    members.push((key, self.value(depth + 1)?));
                    if self.eat(b',').is_none() {
                        self.eat(b'}')?;
                        return Some(Json::Obj(members));
                    }
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = self.at;
                while self.at < self.s.len()
                    && matches!(
                        self.s[self.at],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.at += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.at]).ok()?;
                Some(Json::Num(text.to_owned()))
            }
            _ => None,
        }
    }

    /// The raw text between the quotes of a string starting here.
    fn string(&mut self) -> Option<String> {
        if self.s.get(self.at) != Some(&b'"') {
            return None;
        }
        let start = self.at + 1;
        let mut i = start;
        while i < self.s.len() {
            match self.s[i] {
                b'\\' => i += 2,
                b'"' => {
                    self.at = i + 1;
                    return std::str::from_utf8(&self.s[start..i])
                        .ok()
                        .map(str::to_owned);
                }
                _ => i += 1,
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_escapes_keep_their_text() {
        let text = r#"{"a":[1.50E-2,-0,"\ud800\n"],"b":{"c":null,"d":true}}"#;
        let tree = Json::parse(text).unwrap();
        assert_eq!(tree.to_text(None), text);
        let pretty = tree.to_text(Some(2));
        assert_eq!(Json::parse(&pretty).unwrap(), tree);
        assert_eq!(tree.paths().len(), 8);
        assert_eq!(tree.key_of(&[1, 0]), Some("c"));
    }

    #[test]
    fn broken_json_is_not_a_tree() {
        for text in ["{", "[1,]", "{\"a\" 1}", "\"x", "1 2"] {
            assert!(Json::parse(text).is_none(), "{text}");
        }
    }
}
