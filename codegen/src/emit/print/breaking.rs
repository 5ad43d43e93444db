//! The broken layouts that recur in generated code, written as
//! prettyplease writes them: a signature with one parameter per line, an
//! `impl` head broken before `for`, a constant array with one element per
//! line, a match arm whose expression moves into a block, a call with one
//! argument per line, a method chain with one link per line, `Ok(Struct {`
//! with one field per line, and lines prettyplease cannot break at all.
//! Anything else that does not fit is [`Unsure`].

use proc_macro2::Delimiter;

use super::flat::{commas, punct_at, without_trailing_comma};
use super::items::{brace, is_ident, is_punct};
use super::{Flat, Printer, Token, Unsure};

/// The parts of a comma-separated list, a trailing comma dropped.
fn parts(tokens: &[Token]) -> Vec<&[Token]> {
    let mut parts = Vec::new();
    let mut from = 0;
    for end in commas(tokens).into_iter().chain([tokens.len()]) {
        if end > from {
            parts.push(&tokens[from..end]);
        }
        from = end + 1;
    }
    parts
}

/// Where the top-level `=` of an item or expression is (not `==` or `=>`).
fn assignment(tokens: &[Token]) -> Option<usize> {
    let mut i = 0;
    while i < tokens.len() {
        let width = match punct_at(tokens, i) {
            Some(("=", _)) => return Some(i),
            Some((_, width)) => width,
            None => 1,
        };
        i += width;
    }
    None
}

impl Printer {
    /// Whether the current line, with `extra` more bytes, fits.
    pub(super) fn fits(&self, extra: usize) -> bool {
        self.out.len() - self.line + extra <= super::MARGIN
    }

    /// A function's head, parameters one per line when it does not fit on
    /// one line with `tail` (` {` or ` {}`) after it; returns whether the
    /// body's `{` goes on a line of its own.
    pub(super) fn signature(&mut self, head: &[Token], tail: usize) -> Flat<bool> {
        if head.iter().any(|t| is_ident(Some(t), "where")) {
            return self.head(head);
        }
        let mark = self.out.len();
        if self.flat(head).is_ok() && self.fits(tail) {
            return Ok(false);
        }
        self.out.truncate(mark);
        let fn_at = head.iter().position(|t| is_ident(Some(t), "fn")).ok_or(Unsure)?;
        let open = fn_at
            + head[fn_at..].iter().position(|t| matches!(t, Token::Group(Delimiter::Parenthesis, _))).ok_or(Unsure)?;
        let Token::Group(_, parameters) = &head[open] else { return Err(Unsure) };
        let rest = &head[open + 1..];
        let returned = match rest {
            [Token::Punct('-', _), Token::Punct('>', _), ty @ ..] if !ty.is_empty() => Some(ty),
            _ => None,
        };
        if parameters.is_empty() {
            // `fn name() -> Type<…>`: the return type's generics break.
            let ty = returned.ok_or(Unsure)?;
            self.flat(&head[..=open])?;
            self.word(" -> ");
            return if self.broken_type(ty, tail)? { Ok(false) } else { Err(Unsure) };
        }
        self.flat(&head[..open])?;
        self.word("(");
        self.end_line()?;
        self.arguments(parameters)?;
        self.start_line();
        self.word(")");
        if !rest.is_empty() {
            self.word(" ");
            self.flat(rest)?;
        }
        if !self.fits(tail) {
            // `) -> path {` has nowhere to break: prettyplease leaves it as long as it is.
            if !returned.is_some_and(is_plain_path) {
                return Err(Unsure);
            }
            self.unmeasured = true;
        }
        Ok(false)
    }

    /// An `impl` head, broken before `for` when it does not fit on one line
    /// with `tail` after it.
    pub(super) fn impl_head(&mut self, head: &[Token], tail: usize) -> Flat<bool> {
        let mark = self.out.len();
        if self.flat(head).is_ok() && self.fits(tail) {
            return Ok(false);
        }
        self.out.truncate(mark);
        let generics_end = head.iter().position(|t| is_punct(Some(t), '>')).unwrap_or(0);
        let at = head.iter().skip(generics_end).position(|t| is_ident(Some(t), "for")).ok_or(Unsure)? + generics_end;
        if head.iter().any(|t| is_ident(Some(t), "where")) {
            return Err(Unsure);
        }
        self.flat(&head[..at])?;
        self.end_line()?;
        self.start_line();
        self.flat(&head[at..])?;
        if !self.fits(tail) {
            return Err(Unsure);
        }
        Ok(false)
    }

    /// A `const`, `type` or `use` item too long for one line: an array
    /// value one element per line; a literal or a plain path, which
    /// prettyplease cannot break, as it is.
    pub(super) fn long_semi_item(&mut self, head: &[Token]) -> Flat {
        // `pub struct Name(` fields one per line `);`.
        if let Some((Token::Group(Delimiter::Parenthesis, fields), name)) = head.split_last()
            && name.iter().any(|t| is_ident(Some(t), "struct"))
            && name.iter().all(|t| matches!(t, Token::Ident(_)))
            && !fields.iter().any(|t| is_punct(Some(t), '#'))
        {
            self.flat(name)?;
            self.word("(");
            return self.broken_arguments(fields, true, ");");
        }
        let at = assignment(head).ok_or(Unsure)?;
        let value = &head[at + 1..];
        let array = match value {
            [Token::Punct('&', _), Token::Group(Delimiter::Bracket, array)]
            | [Token::Group(Delimiter::Bracket, array)] => Some(array),
            _ => None,
        };
        if let Some(elements) = array {
            // `const NAME: T = ` then `&[` or `[`.
            self.flat(&head[..at])?;
            self.word(" = ");
            if value.len() == 2 {
                self.word("&");
            }
            self.word("[");
            self.end_line()?;
            self.arguments(elements)?;
            self.start_line();
            self.word("];");
            return self.end_line();
        }
        let is_type = head.iter().find(|t| !is_ident(Some(t), "pub")).is_some_and(|t| is_ident(Some(t), "type"));
        let plain_path = value.iter().all(|t| matches!(t, Token::Ident(_)))
            || value.iter().all(|t| matches!(t, Token::Ident(_) | Token::Punct(..)))
                && !value.iter().any(|t| is_punct(Some(t), '<'));
        let unbreakable = matches!(value, [Token::Literal(_)]) || (is_type && !value.is_empty() && plain_path);
        if !unbreakable {
            return Err(Unsure);
        }
        // Only what comes before the value must fit.
        self.flat(&head[..at])?;
        if !self.fits(3) {
            return Err(Unsure);
        }
        self.word(" = ");
        self.flat(value)?;
        self.word(";");
        self.end_comment_line();
        Ok(())
    }

    /// A match arm `pattern => expression,`; when that does not fit, the
    /// expression alone inside a block (with a `;` when it is an
    /// assignment), as prettyplease does.
    pub(super) fn arm_expression(&mut self, pattern: &[Token], expression: &[Token]) -> Flat {
        let (mark, level) = (self.out.len(), self.level);
        if self.arm_expression_flat(pattern, expression).is_ok() {
            return Ok(());
        }
        self.out.truncate(mark);
        self.level = level;
        // prettyplease braces what can start a statement: a path, a call, a literal.
        let statement_like = match expression.first() {
            Some(Token::Ident(first)) => !super::flat::is_keyword(first),
            Some(Token::Literal(_)) => true,
            _ => false,
        };
        if !statement_like {
            return Err(Unsure);
        }
        let semicolon = assignment(expression).is_some()
            || expression.iter().enumerate().any(|(i, _)| matches!(punct_at(expression, i), Some(("+=" | "-=", _))));
        self.start_line();
        self.flat(pattern)?;
        self.word(" =>");
        // prettyplease does not count the block's `{` against the margin.
        if !self.fits(1) {
            return Err(Unsure);
        }
        self.word(" {");
        self.end_comment_line();
        self.level += 1;
        self.statement(expression, "")?;
        if semicolon {
            // prettyplease's `;` here is not measured: it comes with the break.
            self.out.pop();
            self.out.push_str(";\n");
        }
        self.level -= 1;
        self.start_line();
        self.word("}");
        self.end_line()
    }

    /// A statement (`terminator` is its `;`, if any): on one line if it
    /// fits, else broken the way prettyplease breaks the shapes generated
    /// code has: `f(` arguments `)`, `receiver` `.method(…)`, and
    /// `Ok(Struct {` fields `})`.
    pub(super) fn statement(&mut self, tokens: &[Token], terminator: &str) -> Flat {
        let (mark, level) = (self.out.len(), self.level);
        self.start_line();
        if self.flat(tokens).is_ok() {
            self.word(terminator);
            if self.end_line().is_ok() {
                return Ok(());
            }
        }
        self.out.truncate(mark);
        self.level = level;
        if is_ident(tokens.first(), "let") {
            return Err(Unsure);
        }
        // `lhs = ` stays in front of whatever is broken.
        let value_at = assignment(tokens).map_or(0, |at| at + 1);
        let tries = tokens.len() - tokens.iter().rev().take_while(|t| is_punct(Some(t), '?')).count();
        let (call, suffix) = tokens.split_at(tries);
        let suffix = format!("{}{terminator}", "?".repeat(suffix.len()));
        let Some((Token::Group(Delimiter::Parenthesis, arguments), callee)) = call.split_last() else {
            // A struct literal is broken when it is wider than about 34
            // (see `flat`); between that and 36 which way it goes is left
            // to prettyplease.
            if self.flat_width(&tokens[value_at..])? <= 36 {
                return Err(Unsure);
            }
            return self.struct_literal(tokens, value_at, "", terminator);
        };
        if callee.len() <= value_at {
            return Err(Unsure);
        }
        let links = dots(&tokens[value_at..]);
        if links.len() > 1 && !tokens[value_at..].iter().any(|t| is_punct(Some(t), '|')) {
            let calls = links.windows(2).filter(|w| has_group(&tokens[value_at + w[0]..value_at + w[1]])).count()
                + usize::from(has_group(&tokens[value_at + links[links.len() - 1]..]));
            if calls > 1 {
                // Whether field accesses join the receiver (`self.0` `.a()` `.b()`)
                // depends on more than this sees: only chains of calls on a
                // bare receiver are written here.
                if links[0] != 1 || calls != links.len() {
                    return Err(Unsure);
                }
                return self.chain(&tokens[..value_at + links[0]], &tokens[value_at..], &links, terminator);
            }
        }
        if let Some(dot) = last_dot(&callee[value_at..]) {
            return self.method_call(&callee[..value_at + dot], &callee[value_at + dot..], arguments, &suffix);
        }
        if arguments.last().and_then(|t| brace(Some(t))).is_some() {
            // `Ok(Struct { … })`: the struct literal is what breaks.
            self.start_line();
            self.flat(callee)?;
            self.word("(");
            return self.struct_literal(arguments, 0, "(", &format!("){suffix}"));
        }
        if callee.iter().any(|t| is_punct(Some(t), '<')) || arguments.iter().any(|t| is_punct(Some(t), '|')) {
            return Err(Unsure);
        }
        self.start_line();
        self.flat(callee)?;
        self.word("(");
        // prettyplease has no break in `lhs = path(`: it stays as long as it is.
        let breakable = !callee.iter().all(|t| matches!(t, Token::Ident(_) | Token::Punct(':' | '=' | '.', _)));
        self.broken_arguments(arguments, breakable, &format!("){suffix}"))
    }

    /// How wide `tokens` are on one line, struct literals included.
    fn flat_width(&mut self, tokens: &[Token]) -> Flat<usize> {
        let Some((Token::Group(Delimiter::Brace, fields), path)) = tokens.split_last() else { return Err(Unsure) };
        let mark = self.out.len();
        let written = self.flat(path).and_then(|()| {
            self.word(" { ");
            self.flat(without_trailing_comma(fields, true)?)
        });
        let width = self.out.len() - mark + " }".len();
        self.out.truncate(mark);
        written.map(|()| width)
    }

    /// `(arguments)` on the current line, right after a method's name.
    fn argument_list(&mut self, arguments: &[Token]) -> Flat {
        self.word("(");
        self.flat(without_trailing_comma(arguments, true)?)?;
        self.word(")");
        Ok(())
    }

    /// Ends the line an opening bracket was written on (`checked`: it must
    /// fit), then `arguments` one per line, then a line with `close`.
    fn broken_arguments(&mut self, arguments: &[Token], checked: bool, close: &str) -> Flat {
        if checked {
            self.end_line()?;
        } else {
            self.end_comment_line();
        }
        self.arguments(arguments)?;
        self.start_line();
        self.word(close);
        self.end_line()
    }

    /// Arguments (parameters, elements) one per line with a comma, one level in.
    fn arguments(&mut self, arguments: &[Token]) -> Flat {
        self.level += 1;
        let parts = parts(arguments);
        for (i, argument) in parts.iter().enumerate() {
            let mark = self.out.len();
            self.start_line();
            self.flat(argument)?;
            // prettyplease does not measure a trailing comma; a last
            // argument that fits only without it is left to prettyplease.
            let fits_uncounted = i + 1 == parts.len() && self.fits(0);
            self.word(",");
            // A path (`super::module::Type`) or a literal has nowhere to
            // break: prettyplease leaves it as long as it is.
            let unbreakable = matches!(argument, [Token::Literal(_)]) || is_plain_path(argument);
            if unbreakable {
                self.end_comment_line();
            } else if self.end_line().is_err() {
                if fits_uncounted {
                    return Err(Unsure);
                }
                self.out.truncate(mark);
                if let [Token::Ident(_), Token::Punct(':', _), ty @ ..] = argument
                    && !is_punct(ty.first(), ':')
                {
                    // A parameter `name: Type<…>`, its type broken.
                    self.start_line();
                    self.flat(&argument[..1])?;
                    self.word(": ");
                    self.broken_type(ty, usize::from(i + 1 < parts.len()))?;
                    self.word(",");
                    self.end_comment_line();
                } else if i + 1 == parts.len() {
                    self.path_chain(argument)?;
                } else {
                    return Err(Unsure);
                }
            }
        }
        self.level -= 1;
        Ok(())
    }

    /// A type written after what is on the current line, its generics one
    /// per line when it does not fit with the `after` bytes that follow it
    /// (a list's trailing comma does not count), as prettyplease breaks
    /// them: `Option<` / `Vec<T>,` / `>`, nested types in turn. The last
    /// line is left open for what follows. A path, or `Item = path`, has
    /// nowhere to break and stays as long as it is: the returned `false`
    /// says the line may be too long.
    pub(super) fn broken_type(&mut self, ty: &[Token], after: usize) -> Flat<bool> {
        let mark = self.out.len();
        self.flat(ty)?;
        if self.fits(after) {
            return Ok(true);
        }
        let binding =
            matches!(ty, [Token::Ident(_), Token::Punct('=', _), rest @ ..] if !rest.is_empty() && is_plain_path(rest));
        if is_plain_path(ty) || binding {
            return Ok(false);
        }
        self.out.truncate(mark);
        // `path<arguments>`, the path plain (`impl Trait` included).
        let open = ty.iter().position(|t| is_punct(Some(t), '<')).ok_or(Unsure)?;
        let path = if is_ident(ty.first(), "impl") { &ty[1..open] } else { &ty[..open] };
        if path.is_empty() || !is_plain_path(path) || !is_punct(ty.last(), '>') {
            return Err(Unsure);
        }
        self.flat(&ty[..open])?;
        self.word("<");
        self.end_line()?;
        let parts = parts(&ty[open + 1..ty.len() - 1]);
        self.level += 1;
        for (i, argument) in parts.iter().enumerate() {
            self.start_line();
            self.broken_type(argument, usize::from(i + 1 < parts.len()))?;
            self.word(",");
            self.end_comment_line();
        }
        self.level -= 1;
        self.start_line();
        self.word(">");
        Ok(true)
    }

    /// `self.0.link(…)…` as the last argument of a broken list, too long
    /// for its line, as the path types write navigation: `self`, `.0` and
    /// every link on a line of its own, the list's trailing comma after
    /// the last.
    fn path_chain(&mut self, tokens: &[Token]) -> Flat {
        let [Token::Ident(receiver), Token::Punct('.', _), Token::Literal(field), rest @ ..] = tokens else {
            return Err(Unsure);
        };
        let links = dots(rest);
        if receiver != "self" || field != "0" || links.first() != Some(&0) {
            return Err(Unsure);
        }
        self.start_line();
        self.word("self");
        self.end_line()?;
        self.level += 1;
        self.start_line();
        self.word(".0");
        self.end_line()?;
        for (i, &dot) in links.iter().enumerate() {
            let end = links.get(i + 1).copied().unwrap_or(rest.len());
            self.link(&rest[dot..end], end == rest.len())?;
        }
        self.level -= 1;
        Ok(())
    }

    /// One link of a broken chain, `.method(…)` or `.method::<T>(…)`, and
    /// the trailing comma of the list around the chain after the `last`
    /// link (which prettyplease does not measure). A turbofish breaks, one
    /// type per line, when the link does not fit (prettyplease measures it
    /// up to the next break outside it, past the arguments); the arguments
    /// then break when `>(…)` does not fit either.
    fn link(&mut self, link: &[Token], last: bool) -> Flat {
        let suffix = if last { "," } else { "" };
        let mark = self.out.len();
        self.start_line();
        if self.flat(link).is_ok() && self.fits(0) {
            self.word(suffix);
            self.end_comment_line();
            return Ok(());
        }
        self.out.truncate(mark);
        let [
            Token::Punct('.', _),
            Token::Ident(_),
            Token::Punct(':', _),
            Token::Punct(':', _),
            Token::Punct('<', _),
            types @ ..,
            Token::Punct('>', _),
            Token::Group(Delimiter::Parenthesis, arguments),
        ] = link
        else {
            return Err(Unsure);
        };
        let method = &link[..2];
        self.start_line();
        self.flat(method)?;
        self.word("::<");
        self.end_line()?;
        self.arguments(types)?;
        let mark = self.out.len();
        self.start_line();
        self.word(">");
        if self.argument_list(arguments).is_ok() && self.fits(0) {
            self.word(suffix);
            self.end_comment_line();
            return Ok(());
        }
        self.out.truncate(mark);
        self.start_line();
        self.word(">(");
        self.broken_arguments(arguments, true, &format!("){suffix}"))
    }

    /// `receiver` on its line and `.method(arguments)` on the next, its
    /// arguments one per line if it still does not fit.
    fn method_call(&mut self, receiver: &[Token], method: &[Token], arguments: &[Token], suffix: &str) -> Flat {
        // Named fields stay with the receiver (`self.fields`); other links
        // (`.0`, calls) make a chain, which breaks at every dot.
        let links = dots(receiver);
        if receiver.is_empty()
            || links.iter().any(|&dot| {
                !matches!(receiver.get(dot + 1), Some(Token::Ident(_)))
                    || dot + 2 != receiver.len() && !is_punct(receiver.get(dot + 2), '.')
            })
        {
            return Err(Unsure);
        }
        self.start_line();
        self.flat(receiver)?;
        // Nothing in `name: receiver` can break: prettyplease leaves it as long as it is.
        if receiver.iter().all(|t| matches!(t, Token::Ident(_) | Token::Punct(':' | '.', _))) {
            self.end_comment_line();
        } else {
            self.end_line()?;
        }
        self.level += 1;
        let (mark, level) = (self.out.len(), self.level);
        self.start_line();
        if self.flat(method).and_then(|()| self.argument_list(arguments)).is_ok() {
            self.word(suffix);
            if self.end_line().is_ok() {
                self.level -= 1;
                return Ok(());
            }
        }
        self.out.truncate(mark);
        self.level = level;
        // A closure that calls a function: `.method(|| f(` arguments `))`.
        if let [Token::Punct('|', _), Token::Punct('|', _), callee @ .., Token::Group(Delimiter::Parenthesis, inner)] =
            arguments
            && !callee.is_empty()
            && is_plain_path(callee)
        {
            self.start_line();
            self.flat(method)?;
            self.word("(|| ");
            self.flat(callee)?;
            self.word("(");
            self.broken_arguments(inner, true, &format!(")){suffix}"))?;
            self.level -= 1;
            return Ok(());
        }
        if arguments.iter().any(|t| is_punct(Some(t), '|')) {
            return Err(Unsure);
        }
        // A turbofish breaks before the arguments: `.method::<` type `>(arguments)`.
        if let Some(open) = method.iter().position(|t| is_punct(Some(t), '<')) {
            if !is_punct(method.last(), '>') {
                return Err(Unsure);
            }
            self.start_line();
            self.flat(&method[..open])?;
            self.word("<");
            self.end_line()?;
            self.arguments(&method[open + 1..method.len() - 1])?;
            self.start_line();
            self.word(">");
            self.argument_list(arguments)?;
            self.word(suffix);
            self.end_line()?;
            self.level -= 1;
            return Ok(());
        }
        self.start_line();
        self.flat(method)?;
        self.word("(");
        self.broken_arguments(arguments, true, &format!("){suffix}"))?;
        self.level -= 1;
        Ok(())
    }

    /// `Path { fields }` broken: `Path {` then each field on its line, then
    /// `}` and `close` (the line so far is continued when `opened` is not empty).
    fn struct_literal(&mut self, tokens: &[Token], from: usize, opened: &str, close: &str) -> Flat {
        let Some((Token::Group(Delimiter::Brace, fields), path)) = tokens.split_last() else { return Err(Unsure) };
        // A struct's path: `Name`, `rt::Name` (a `&{ … }` block is not one).
        let struct_path = &path[from..];
        if struct_path.is_empty()
            || !matches!(struct_path.last(), Some(Token::Ident(_)))
            || !is_plain_path(struct_path)
            // `loop {`, `unsafe {`: a block, not a struct.
            || struct_path.iter().any(|t| matches!(t, Token::Ident(word) if super::flat::is_keyword(word)))
        {
            return Err(Unsure);
        }
        if opened.is_empty() {
            self.start_line();
        }
        self.flat(path)?;
        self.word(" {");
        self.end_line()?;
        self.level += 1;
        for field in parts(fields) {
            let colon = field.iter().position(|t| is_punct(Some(t), ':'));
            match colon {
                // `name: receiver.method(…)?` or `name: path(…)?` may break.
                Some(1) if field.len() > 3 && !is_punct(field.get(2), ':') => self.field_value(field)?,
                _ => {
                    self.start_line();
                    self.flat(field)?;
                    self.word(",");
                    // `name: value` with a one-token value cannot be broken.
                    if field.len() <= 3 {
                        self.end_comment_line();
                    } else {
                        self.end_line()?;
                    }
                }
            }
        }
        self.level -= 1;
        self.start_line();
        self.word("}");
        self.word(close);
        self.end_line()
    }

    /// `name: value,` in a broken struct literal.
    fn field_value(&mut self, field: &[Token]) -> Flat {
        let (mark, level) = (self.out.len(), self.level);
        self.start_line();
        if self.flat(field).is_ok() {
            self.word(",");
            if self.end_line().is_ok() {
                return Ok(());
            }
        }
        self.out.truncate(mark);
        self.level = level;
        let value = &field[2..];
        let tries = value.len() - value.iter().rev().take_while(|t| is_punct(Some(t), '?')).count();
        let (call, marks) = value.split_at(tries);
        let Some((Token::Group(Delimiter::Parenthesis, arguments), callee)) = call.split_last() else {
            return Err(Unsure);
        };
        let suffix = format!("{},", "?".repeat(marks.len()));
        let Some(dot) = last_dot(callee) else {
            // `name: path(` arguments one per line `)?,`: the first line has
            // no break, and stays as long as it is.
            if callee.is_empty() || !is_plain_path(callee) {
                return Err(Unsure);
            }
            self.start_line();
            self.flat(&field[..2 + callee.len()])?;
            self.word("(");
            return self.broken_arguments(arguments, false, &format!("){suffix}"));
        };
        let receiver: Vec<Token> = field[..2].iter().chain(&callee[..dot]).cloned().collect();
        self.method_call(&receiver, &callee[dot..], arguments, &suffix)
    }
}

impl Printer {
    /// A chain of two calls or more: the receiver (after `lhs = `) on its
    /// line, then every link on a line of its own.
    fn chain(&mut self, receiver: &[Token], value: &[Token], links: &[usize], terminator: &str) -> Flat {
        if receiver.iter().any(|t| is_punct(Some(t), '<')) {
            return Err(Unsure);
        }
        self.start_line();
        self.flat(receiver)?;
        self.end_line()?;
        self.level += 1;
        for (i, &dot) in links.iter().enumerate() {
            let end = links.get(i + 1).copied().unwrap_or(value.len());
            self.start_line();
            self.flat(&value[dot..end])?;
            if end == value.len() {
                self.word(terminator);
            }
            self.end_line()?;
        }
        self.level -= 1;
        Ok(())
    }
}

/// Whether `tokens` are a path (`super::module::Type`), which prettyplease
/// has nowhere to break.
fn is_plain_path(tokens: &[Token]) -> bool {
    tokens.iter().all(|t| matches!(t, Token::Ident(_) | Token::Punct(':', _)))
}

/// Where the top-level `.`s of a chain are (not `..`).
fn dots(tokens: &[Token]) -> Vec<usize> {
    (0..tokens.len())
        .filter(|&i| {
            is_punct(tokens.get(i), '.')
                && !is_punct(tokens.get(i + 1), '.')
                && (i == 0 || !is_punct(tokens.get(i - 1), '.'))
        })
        .collect()
}

fn has_group(tokens: &[Token]) -> bool {
    tokens.iter().any(|t| matches!(t, Token::Group(Delimiter::Parenthesis, _)))
}

/// Where the last top-level `.` of a call chain is.
fn last_dot(tokens: &[Token]) -> Option<usize> {
    (0..tokens.len()).rev().find(|&i| is_punct(tokens.get(i), '.') && !is_punct(tokens.get(i + 1), '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignments_are_found_and_comparisons_are_not() {
        let tokens = |s: &str| super::super::tokens(s.parse().unwrap());
        assert_eq!(assignment(&tokens("v_x = next(&mut map)?")), Some(1));
        assert_eq!(assignment(&tokens("a == b")), None);
        assert!(is_punct(tokens(";").first(), ';'));
    }
}
