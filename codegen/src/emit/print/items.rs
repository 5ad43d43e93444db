//! Items, their bodies, statements and match arms, one per line as
//! prettyplease writes them when nothing needs breaking.

use proc_macro2::Delimiter;

use super::flat::{commas, first_comma, punct_at};
use super::{Flat, Printer, Token, Unsure, Wrapper, exact, stream};

/// What ends an item and what its body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Ends at `;`: `use`, `type`, `const`, `static`, `mod m;`.
    Semi,
    Fn,
    /// A body of items.
    Container(Wrapper),
    /// Named fields, or `;` after a unit or tuple struct.
    Struct,
    Enum,
    /// `path!(…);`
    Macro,
}

pub(super) fn is_ident(token: Option<&Token>, name: &str) -> bool {
    matches!(token, Some(Token::Ident(ident)) if ident == name)
}

pub(super) fn is_punct(token: Option<&Token>, c: char) -> bool {
    matches!(token, Some(Token::Punct(p, _)) if *p == c)
}

/// The contents of a `{ … }` group.
pub(super) fn brace(token: Option<&Token>) -> Option<&[Token]> {
    match token {
        Some(Token::Group(Delimiter::Brace, inner)) => Some(inner),
        _ => None,
    }
}

/// How many tokens the attributes at the start of `tokens` take.
fn attributes_len(tokens: &[Token], inner: bool) -> usize {
    let mut i = 0;
    loop {
        let bang = usize::from(inner);
        let opens = is_punct(tokens.get(i), '#') && (!inner || is_punct(tokens.get(i + 1), '!'));
        match tokens.get(i + 1 + bang) {
            Some(Token::Group(Delimiter::Bracket, _)) if opens => i += 2 + bang,
            _ => return i,
        }
    }
}

/// The kind of the item that starts (after its attributes) at `tokens`,
/// and how many tokens it takes.
fn item_extent(tokens: &[Token]) -> Option<(Kind, usize)> {
    let mut i = attributes_len(tokens, false);
    if is_ident(tokens.get(i), "pub") {
        i += 1;
        if matches!(tokens.get(i), Some(Token::Group(Delimiter::Parenthesis, _))) {
            i += 1;
        }
    }
    if is_macro_call(&tokens[i..]) {
        let bang = tokens[i..].iter().position(|t| is_punct(Some(t), '!'))?;
        return is_punct(tokens.get(i + bang + 2), ';').then_some((Kind::Macro, i + bang + 3));
    }
    let kind = loop {
        let Token::Ident(keyword) = tokens.get(i)? else { return None };
        match keyword.as_str() {
            "unsafe" | "async" => {}
            "const" if is_ident(tokens.get(i + 1), "fn") => {}
            "use" | "type" | "const" | "static" => break Kind::Semi,
            "fn" => break Kind::Fn,
            "impl" => break Kind::Container(Wrapper::Impl),
            "trait" => break Kind::Container(Wrapper::Trait),
            "mod" => break Kind::Container(Wrapper::Mod),
            "struct" => break Kind::Struct,
            "enum" => break Kind::Enum,
            _ => return None,
        }
        i += 1;
    };
    let end =
        tokens[i..].iter().position(|t| is_punct(Some(t), ';') || (kind != Kind::Semi && brace(Some(t)).is_some()))?;
    Some((kind, i + end + 1))
}

/// Whether `tokens` start with `path!(`: a path of identifiers and `::`, then `!`.
fn is_macro_call(tokens: &[Token]) -> bool {
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Ident(_) => i += 1,
            Token::Punct(p, _) if *p == ':' => i += 1,
            Token::Punct(p, _) if *p == '!' => {
                return i > 0 && matches!(tokens.get(i + 1), Some(Token::Group(d, _)) if *d != Delimiter::Brace);
            }
            _ => return false,
        }
    }
    false
}

/// The value of a string literal, escapes resolved.
fn string_value(literal: &str) -> Flat<String> {
    // `///` comments inside `quote!` arrive as raw strings: `r"…"`, `r#"…"#`.
    if let Some(raw) = literal.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw[hashes..]
            .strip_prefix('"')
            .and_then(|b| b.strip_suffix(&raw[..hashes]))
            .and_then(|b| b.strip_suffix('"'));
        return body.map(str::to_owned).ok_or(Unsure);
    }
    let body = literal.strip_prefix('"').and_then(|l| l.strip_suffix('"')).ok_or(Unsure)?;
    let mut value = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        value.push(match chars.next().ok_or(Unsure)? {
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            '0' => '\0',
            '\\' => '\\',
            '"' => '"',
            '\'' => '\'',
            'u' => {
                let rest = chars.as_str();
                let hex = rest.strip_prefix('{').and_then(|r| r.split_once('}')).ok_or(Unsure)?.0;
                let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).ok_or(Unsure)?;
                chars = rest[hex.len() + 2..].chars();
                c
            }
            _ => return Err(Unsure),
        });
    }
    Ok(value)
}

impl Printer {
    /// Writes the file's inner attributes (`//!` docs); returns where its items start.
    pub(super) fn inner_attributes(&mut self, tokens: &[Token]) -> Flat<usize> {
        let end = attributes_len(tokens, true);
        for attribute in tokens[..end].chunks(3) {
            let Token::Group(_, group) = &attribute[2] else { return Err(Unsure) };
            self.attribute(group, true)?;
        }
        Ok(end)
    }

    fn outer_attributes(&mut self, tokens: &[Token]) -> Flat<usize> {
        let end = attributes_len(tokens, false);
        for attribute in tokens[..end].chunks(2) {
            let Token::Group(_, group) = &attribute[1] else { return Err(Unsure) };
            self.attribute(group, false)?;
        }
        Ok(end)
    }

    /// `#[doc = "…"]` as a `///` (or `//!`) comment, any other attribute as written.
    fn attribute(&mut self, tokens: &[Token], inner: bool) -> Flat {
        if let [Token::Ident(doc), Token::Punct('=', _), Token::Literal(text)] = tokens
            && doc == "doc"
        {
            let text = string_value(text)?;
            // prettyplease writes these as block comments.
            if text.contains('\n') || (!inner && text.starts_with('/')) {
                return Err(Unsure);
            }
            self.start_line();
            self.word(if inner { "//!" } else { "///" });
            self.word(text.trim_end_matches(' '));
            self.end_comment_line();
            return Ok(());
        }
        self.start_line();
        self.word(if inner { "#![" } else { "#[" });
        self.flat(tokens)?;
        self.word("]");
        self.end_line()
    }

    /// Writes a sequence of items, each the fast way if it can be, else
    /// through prettyplease.
    pub(super) fn items(&mut self, tokens: &[Token]) -> Result<(), syn::Error> {
        let mut rest = tokens;
        while !rest.is_empty() {
            let Some((kind, len)) = item_extent(rest) else {
                // Something the fast path does not know: the rest the slow way.
                return self.exactly(rest);
            };
            let (item, after) = rest.split_at(len);
            let (start, level) = (self.out.len(), self.level);
            if self.item(item, kind).is_err() {
                if let Some(error) = self.error.take() {
                    return Err(error);
                }
                self.out.truncate(start);
                self.level = level;
                self.unmeasured = false;
                self.exactly(item)?;
            }
            rest = after;
        }
        Ok(())
    }

    fn exactly(&mut self, tokens: &[Token]) -> Result<(), syn::Error> {
        let text = exact(stream(tokens), &self.wrappers)?;
        self.exact_bytes += text.len();
        self.out.push_str(&text);
        Ok(())
    }

    fn item(&mut self, tokens: &[Token], kind: Kind) -> Flat {
        let attributes = self.outer_attributes(tokens)?;
        let tokens = &tokens[attributes..];
        let (last, head) = tokens.split_last().ok_or(Unsure)?;
        self.start_line();
        let Some(body) = brace(Some(last)) else {
            // `use …;`, `struct Unit;`, `mod m;`: one line.
            let mark = self.out.len();
            self.flat(head)?;
            if matches!(kind, Kind::Semi | Kind::Struct) && !self.fits(1) {
                self.out.truncate(mark);
                return self.long_semi_item(head);
            }
            self.word(";");
            return self.end_line();
        };
        let tail = if body.is_empty() { 3 } else { 2 };
        let braced_alone = match kind {
            Kind::Fn => self.signature(head, tail)?,
            // prettyplease measures an impl's head without its ` {}`.
            Kind::Container(Wrapper::Impl) => self.impl_head(head, if body.is_empty() { 0 } else { tail })?,
            _ => self.head(head)?,
        };
        if body.is_empty() {
            if braced_alone || std::mem::take(&mut self.unmeasured) {
                return Err(Unsure);
            }
            self.word(" {}");
            return self.end_line();
        }
        if braced_alone {
            self.start_line();
            self.word("{");
        } else {
            self.word(" {");
        }
        if std::mem::take(&mut self.unmeasured) {
            self.end_comment_line();
        } else {
            self.end_line()?;
        }
        self.level += 1;
        match kind {
            Kind::Fn => self.block(body)?,
            Kind::Container(wrapper) => {
                self.wrappers.push(wrapper);
                let written = self.items(body);
                self.wrappers.pop();
                if let Err(error) = written {
                    self.error = Some(error);
                    return Err(Unsure);
                }
            }
            Kind::Struct | Kind::Enum => self.fields(body, kind == Kind::Enum)?,
            Kind::Semi | Kind::Macro => return Err(Unsure),
        }
        self.level -= 1;
        self.start_line();
        self.word("}");
        self.end_line()
    }

    /// An item's head, with its `where` clause on lines of its own; returns
    /// whether the body's `{` goes on a line of its own (after a `where`).
    pub(super) fn head(&mut self, head: &[Token]) -> Flat<bool> {
        let Some(at) = head.iter().position(|t| is_ident(Some(t), "where")) else {
            self.flat(head)?;
            return Ok(false);
        };
        self.flat(&head[..at])?;
        self.end_line()?;
        self.start_line();
        self.word("where");
        self.end_line()?;
        let predicates = &head[at + 1..];
        let mut from = 0;
        self.level += 1;
        for end in commas(predicates).into_iter().chain([predicates.len()]) {
            if end > from {
                let (mark, level) = (self.out.len(), self.level);
                self.start_line();
                self.flat(&predicates[from..end])?;
                self.word(",");
                if self.end_line().is_err() {
                    self.out.truncate(mark);
                    self.level = level;
                    self.bounds_broken(&predicates[from..end])?;
                }
            }
            from = end + 1;
        }
        self.level -= 1;
        Ok(true)
    }

    /// A `where` predicate too long for its line: `Type: FirstBound`, then
    /// the further bounds filled in as prettyplease fills them, each line
    /// that breaks starting one level in with `+`; the predicate's comma
    /// counts against the last bound's line.
    fn bounds_broken(&mut self, predicate: &[Token]) -> Flat {
        let mut depth = 0usize;
        let mut pluses = Vec::new();
        for (i, token) in predicate.iter().enumerate() {
            match token {
                Token::Punct('<', _) => depth += 1,
                Token::Punct('>', _) => depth = depth.checked_sub(1).ok_or(Unsure)?,
                // `Fn(A) -> B`, `?Sized`, lifetimes: not what generated code has.
                Token::Punct('-' | '?' | '\'', _) | Token::Group(..) => return Err(Unsure),
                Token::Punct('+', _) if depth == 0 => pluses.push(i),
                _ => {}
            }
        }
        let first = *pluses.first().ok_or(Unsure)?;
        self.start_line();
        self.flat(&predicate[..first])?;
        for (k, &plus) in pluses.iter().enumerate() {
            let end = pluses.get(k + 1).copied().unwrap_or(predicate.len());
            let counted_comma = usize::from(end == predicate.len());
            let (mark, line) = (self.out.len(), self.line);
            self.word(" + ");
            self.flat(&predicate[plus + 1..end])?;
            if !self.fits(counted_comma) {
                self.out.truncate(mark);
                self.line = line;
                self.end_line()?;
                self.level += 1;
                self.start_line();
                self.level -= 1;
                self.word("+ ");
                self.flat(&predicate[plus + 1..end])?;
                if !self.fits(counted_comma) {
                    return Err(Unsure);
                }
            }
        }
        self.word(",");
        self.end_comment_line();
        Ok(())
    }

    /// Struct fields or enum variants, one per line with a trailing comma;
    /// one that does not fit goes to prettyplease alone.
    fn fields(&mut self, body: &[Token], variants: bool) -> Flat {
        let mut from = 0;
        for end in commas(body).into_iter().chain([body.len()]) {
            if end > from {
                let field = &body[from..end];
                let (mark, level) = (self.out.len(), self.level);
                if self.field(field, variants).is_err() {
                    self.out.truncate(mark);
                    self.level = level;
                    self.wrappers.push(if variants { Wrapper::Enum } else { Wrapper::Struct });
                    let written = self.exactly(field);
                    self.wrappers.pop();
                    if let Err(error) = written {
                        self.error = Some(error);
                        return Err(Unsure);
                    }
                }
            }
            from = end + 1;
        }
        Ok(())
    }

    fn field(&mut self, field: &[Token], variant: bool) -> Flat {
        let attributes = self.outer_attributes(field)?;
        let field = &field[attributes..];
        if variant && field.iter().any(|t| brace(Some(t)).is_some()) {
            return Err(Unsure);
        }
        let mark = self.out.len();
        self.start_line();
        self.flat(field)?;
        self.word(",");
        match self.end_line() {
            Ok(()) => return Ok(()),
            // A variant too long for its line is prettyplease's.
            Err(unsure) if variant => return Err(unsure),
            Err(Unsure) => {}
        }
        // `pub name: Type<…>,` with the type's generics broken.
        self.out.truncate(mark);
        let colon = field.iter().position(|t| is_punct(Some(t), ':')).ok_or(Unsure)?;
        if is_punct(field.get(colon + 1), ':') {
            return Err(Unsure);
        }
        self.start_line();
        self.flat(&field[..colon])?;
        self.word(": ");
        self.broken_type(&field[colon + 1..], 1)?;
        self.word(",");
        self.end_comment_line();
        Ok(())
    }

    /// The statements of a block, one per line.
    pub(super) fn block(&mut self, tokens: &[Token]) -> Flat {
        let mut i = 0;
        while i < tokens.len() {
            i += self.outer_attributes(&tokens[i..])?;
            let Some(first) = tokens.get(i) else { return Err(Unsure) };
            if let Token::Ident(keyword) = first {
                match keyword.as_str() {
                    "match" | "if" | "while" | "for" | "loop" => {
                        i += self.control(&tokens[i..])?;
                        continue;
                    }
                    "fn" | "struct" | "enum" | "impl" | "mod" | "use" | "trait" | "type" | "const" | "static"
                    | "unsafe" | "else" => return Err(Unsure),
                    _ => {}
                }
            }
            match tokens[i..].iter().position(|t| is_punct(Some(t), ';')) {
                Some(end) => {
                    self.statement(&tokens[i..i + end], ";")?;
                    i += end + 1;
                }
                None => {
                    self.statement(&tokens[i..], "")?;
                    i = tokens.len();
                }
            }
        }
        Ok(())
    }

    /// `match`, `if`, `while`, `for` or `loop` as a statement; returns how
    /// many tokens it took.
    fn control(&mut self, tokens: &[Token]) -> Flat<usize> {
        let is_match = is_ident(tokens.first(), "match");
        self.start_line();
        let mut i = 0;
        loop {
            let open = tokens[i..].iter().position(|t| brace(Some(t)).is_some()).ok_or(Unsure)? + i;
            let Token::Ident(keyword) = &tokens[i] else { return Err(Unsure) };
            self.word(keyword);
            if open > i + 1 {
                self.word(" ");
                self.flat(&tokens[i + 1..open])?;
            }
            let body = brace(tokens.get(open)).ok_or(Unsure)?;
            if body.is_empty() {
                self.word(" {}");
            } else {
                self.word(" {");
                self.end_line()?;
                self.level += 1;
                if is_match {
                    self.arms(body)?;
                } else {
                    self.block(body)?;
                }
                self.level -= 1;
                self.start_line();
                self.word("}");
            }
            i = open + 1;
            if is_ident(tokens.first(), "if") && is_ident(tokens.get(i), "else") {
                self.word(" else");
                i += 1;
                if brace(tokens.get(i)).is_some() {
                    self.word(" ");
                    continue;
                }
                if !is_ident(tokens.get(i), "if") {
                    return Err(Unsure);
                }
                self.word(" ");
                continue;
            }
            break;
        }
        // A `match` whose value is used (`match … {}.len()`) is not a statement.
        if matches!(tokens.get(i), Some(Token::Punct(..))) {
            return Err(Unsure);
        }
        self.end_line()?;
        Ok(i)
    }

    /// The arms of a `match`.
    fn arms(&mut self, tokens: &[Token]) -> Flat {
        let mut i = 0;
        while i < tokens.len() {
            if is_punct(tokens.get(i), '#') {
                return Err(Unsure);
            }
            let mut arrow = i;
            while !matches!(punct_at(tokens, arrow), Some(("=>", _))) {
                arrow += 1;
                if arrow >= tokens.len() {
                    return Err(Unsure);
                }
            }
            let pattern = &tokens[i..arrow];
            i = arrow + 2;
            if let Some(block) = brace(tokens.get(i)) {
                i += 1;
                if is_punct(tokens.get(i), ',') {
                    i += 1;
                }
                self.arm_block(pattern, block)?;
            } else {
                let rest = &tokens[i..];
                let end = first_comma(rest).unwrap_or(rest.len());
                self.arm_expression(pattern, &rest[..end])?;
                i += end + 1;
            }
        }
        Ok(())
    }

    fn arm_block(&mut self, pattern: &[Token], block: &[Token]) -> Flat {
        // prettyplease writes a block holding one expression as that expression.
        let single = !block.is_empty()
            && !block.iter().any(|t| is_punct(Some(t), ';'))
            && !matches!(block.first(), Some(Token::Ident(k)) if k == "let" || k == "match" || k == "if" || k == "while" || k == "for" || k == "loop")
            && !is_punct(block.first(), '#');
        if single {
            return self.arm_expression(pattern, block);
        }
        self.start_line();
        self.flat(pattern)?;
        if block.is_empty() {
            self.word(" => {}");
            return self.end_line();
        }
        self.word(" => {");
        self.end_line()?;
        self.level += 1;
        self.block(block)?;
        self.level -= 1;
        self.start_line();
        self.word("}");
        self.end_line()
    }

    pub(super) fn arm_expression_flat(&mut self, pattern: &[Token], expression: &[Token]) -> Flat {
        if expression.is_empty() || brace(expression.first()).is_some() {
            return Err(Unsure);
        }
        if let [Token::Group(Delimiter::Parenthesis, unit)] = expression
            && unit.is_empty()
        {
            return self.arm_block(pattern, &[]);
        }
        self.start_line();
        self.flat(pattern)?;
        self.word(" => ");
        self.flat(expression)?;
        // The arm's comma is not measured: prettyplease adds it only when
        // the arm stays on one line.
        if !self.fits(0) {
            return Err(Unsure);
        }
        self.word(",");
        self.end_comment_line();
        Ok(())
    }
}
