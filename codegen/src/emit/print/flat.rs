//! Tokens on one line, spaced as prettyplease spaces them.
//!
//! The spacing of a token depends on the one before it (`&mut x`, `a = b`,
//! `Vec<T>`, `f(x)`, `Self { fields }`). Generated code compares nothing,
//! so `<` and `>` are always angle brackets; anything the rules below do
//! not cover (a binary `&`, a block inside an expression, `..`) is
//! [`Unsure`] and goes to prettyplease.

use proc_macro2::{Delimiter, Spacing};

use super::{Flat, Printer, Token, Unsure};

/// What came before, as far as spacing is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// Nothing yet, an opening delimiter or angle bracket, or an operator
    /// that has written the space after it (`,`, `:`, `=`, `->`).
    Start,
    /// An identifier that is not a keyword, `self`, `Self`, a literal.
    Word,
    /// A keyword such as `impl`, `mut`, `dyn`, `as`, `fn`.
    Keyword,
    Lifetime,
    /// A closing `)`, `]` or `}`.
    Close,
    /// A closing `>`.
    AngleClose,
    /// `::`.
    PathSep,
    /// A prefix operator: `&`, `*`, `!`, `-`.
    Prefix,
    Dot,
    Question,
    /// The `!` of a macro call.
    Bang,
    /// The `|` that ends a closure's parameters (or `||`).
    ClosurePipe,
}

impl Prev {
    fn is_operand(self) -> bool {
        matches!(self, Prev::Word | Prev::Close | Prev::AngleClose | Prev::Question)
    }

    /// Whether a word (identifier, literal, lifetime) is written after a space.
    fn space_before_word(self) -> bool {
        !matches!(self, Prev::Start | Prev::PathSep | Prev::Prefix | Prev::Dot | Prev::Bang)
    }
}

/// Keywords that are not path segments or operands (`self`, `Self`,
/// `super`, `crate`, `true` and `false` are [`Prev::Word`]s).
pub(super) fn is_keyword(ident: &str) -> bool {
    matches!(
        ident,
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "trait"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
    )
}

/// The punctuation that starts at `tokens[i]`: one character, or two when
/// joint (`::`, `->`, `=>`, `||`); `>` is never joined, since `>>` closes
/// two angle brackets.
pub(super) fn punct_at(tokens: &[Token], i: usize) -> Option<(&'static str, usize)> {
    let Some(&Token::Punct(one, spacing)) = tokens.get(i) else { return None };
    if spacing == Spacing::Joint
        && let Some(&Token::Punct(second, _)) = tokens.get(i + 1)
    {
        let two = match (one, second) {
            (':', ':') => Some("::"),
            ('-', '>') => Some("->"),
            ('=', '>') => Some("=>"),
            ('=', '=') => Some("=="),
            ('!', '=') => Some("!="),
            ('&', '&') => Some("&&"),
            ('|', '|') => Some("||"),
            ('+', '=') => Some("+="),
            ('-', '=') => Some("-="),
            ('.', '.') => Some(".."),
            _ => None,
        };
        if let Some(two) = two {
            return Some((two, 2));
        }
    }
    let single = match one {
        ':' => ":",
        ',' => ",",
        ';' => ";",
        '=' => "=",
        '<' => "<",
        '>' => ">",
        '&' => "&",
        '*' => "*",
        '!' => "!",
        '-' => "-",
        '+' => "+",
        '?' => "?",
        '.' => ".",
        '|' => "|",
        '\'' => "'",
        '#' => "#",
        '/' => "/",
        '%' => "%",
        '^' => "^",
        '@' => "@",
        '~' => "~",
        '$' => "$",
        _ => return None,
    };
    Some((single, 1))
}

/// The top-level commas of a list, angle brackets counted as nesting.
pub(super) fn commas(tokens: &[Token]) -> Vec<usize> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(comma) = first_comma(&tokens[from..]) {
        found.push(from + comma);
        from += comma + 1;
    }
    found
}

/// The first top-level comma of a list, angle brackets counted as nesting.
/// A match's arms are found one at a time with it: collecting every comma
/// of the rest of the arms for each arm made a match of Microsoft Graph's
/// larger enums quadratic in its arms.
pub(super) fn first_comma(tokens: &[Token]) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        let Some((punct, width)) = punct_at(tokens, i) else {
            i += 1;
            continue;
        };
        match punct {
            "<" => depth += 1,
            ">" => depth = depth.saturating_sub(1),
            "," if depth == 0 => return Some(i),
            _ => {}
        }
        i += width;
    }
    None
}

/// `tokens` without a trailing comma, which prettyplease drops from a list
/// on one line; a lone trailing comma is kept in a one-element tuple, so
/// unless `list` says the group is an argument or parameter list it is [`Unsure`].
pub(super) fn without_trailing_comma(tokens: &[Token], list: bool) -> Flat<&[Token]> {
    let commas = commas(tokens);
    match commas.last() {
        Some(&last) if last + 1 == tokens.len() => {
            if commas.len() == 1 && !list {
                Err(Unsure)
            } else {
                Ok(&tokens[..last])
            }
        }
        _ => Ok(tokens),
    }
}

impl Printer {
    /// Writes `tokens` on the current line.
    pub(super) fn flat(&mut self, tokens: &[Token]) -> Flat {
        let mut prev = Prev::Start;
        // Open angle brackets; `true` for the generics of an `impl` (or a
        // `for<'a>`), after which a path is a new type: `impl<S> ::std::…`.
        let mut angles: Vec<bool> = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                Token::Ident(ident) => {
                    // Control flow inside an expression is laid out on lines.
                    if ["match", "if", "while", "loop", "else"].iter().any(|k| ident == k) {
                        return Err(Unsure);
                    }
                    if prev.space_before_word() {
                        self.word(" ");
                    }
                    self.word(ident);
                    prev = if is_keyword(ident) { Prev::Keyword } else { Prev::Word };
                    i += 1;
                }
                Token::Literal(literal) => {
                    if prev.space_before_word() {
                        self.word(" ");
                    }
                    self.word(literal);
                    prev = Prev::Word;
                    i += 1;
                }
                Token::Group(delimiter, inner) => {
                    match delimiter {
                        Delimiter::Parenthesis | Delimiter::Bracket => {
                            let parenthesis = *delimiter == Delimiter::Parenthesis;
                            let space = match prev {
                                Prev::Keyword => !matches!(&tokens[i - 1], Token::Ident(k) if k == "fn"),
                                Prev::ClosurePipe => true,
                                Prev::Lifetime => !parenthesis,
                                _ => false,
                            };
                            if space {
                                self.word(" ");
                            }
                            // Arguments or parameters follow a name; a tuple does not.
                            let list = !parenthesis || matches!(prev, Prev::Word | Prev::AngleClose | Prev::Close);
                            self.word(if parenthesis { "(" } else { "[" });
                            self.flat(without_trailing_comma(inner, list)?)?;
                            self.word(if parenthesis { ")" } else { "]" });
                        }
                        Delimiter::Brace => {
                            // A struct literal: `Self { fields }`. Any other
                            // block in an expression is laid out on lines.
                            if !matches!(prev, Prev::Word | Prev::AngleClose) {
                                return Err(Unsure);
                            }
                            // prettyplease keeps a struct literal on one line
                            // only when, path included, it is at most 34 wide.
                            let path = self.out.len()
                                - self
                                    .out
                                    .trim_end_matches(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
                                    .len();
                            let start = self.out.len();
                            if inner.is_empty() {
                                self.word(" {}");
                            } else {
                                self.word(" { ");
                                self.flat(without_trailing_comma(inner, true)?)?;
                                self.word(" }");
                            }
                            if path + self.out.len() - start > 32 {
                                return Err(Unsure);
                            }
                        }
                        Delimiter::None => return Err(Unsure),
                    }
                    prev = Prev::Close;
                    i += 1;
                }
                Token::Punct(..) => {
                    let (op, width) = punct_at(tokens, i).ok_or(Unsure)?;
                    i += width;
                    prev = match op {
                        "'" => {
                            let Some(Token::Ident(name)) = tokens.get(i) else { return Err(Unsure) };
                            if prev.space_before_word() {
                                self.word(" ");
                            }
                            self.word("'");
                            self.word(name);
                            i += 1;
                            Prev::Lifetime
                        }
                        "::" => {
                            if matches!(prev, Prev::Keyword | Prev::ClosurePipe) {
                                self.word(" ");
                            } else if !matches!(prev, Prev::Word | Prev::AngleClose | Prev::Start | Prev::Prefix) {
                                return Err(Unsure);
                            }
                            self.word("::");
                            Prev::PathSep
                        }
                        "<" => {
                            let generics = prev == Prev::Keyword;
                            match prev {
                                Prev::Word | Prev::PathSep | Prev::Start | Prev::Prefix => {}
                                Prev::Keyword if matches!(&tokens[i - 2], Token::Ident(k) if k == "impl" || k == "for") =>
                                    {}
                                Prev::ClosurePipe => self.word(" "),
                                _ => return Err(Unsure),
                            }
                            angles.push(generics);
                            self.word("<");
                            Prev::Start
                        }
                        ">" => {
                            let generics = angles.pop().ok_or(Unsure)?;
                            self.word(">");
                            if generics { Prev::Keyword } else { Prev::AngleClose }
                        }
                        // A trailing comma in angle brackets goes, as in any list on one line.
                        "," if matches!(punct_at(tokens, i), Some((">", _))) => prev,
                        "," | ";" | ":" => {
                            self.word(op);
                            self.word(" ");
                            // The space is written here; the next token adds none.
                            Prev::Start
                        }
                        "?" => {
                            self.word("?");
                            Prev::Question
                        }
                        "." => {
                            self.word(".");
                            Prev::Dot
                        }
                        "&" | "*" | "-" if prev == Prev::PathSep && op == "*" => {
                            self.word("*");
                            Prev::Word
                        }
                        "&" | "*" | "-" | "!" => {
                            if op == "!" && prev == Prev::Word && matches!(tokens.get(i), Some(Token::Group(..))) {
                                self.word("!");
                                Prev::Bang
                            } else if prev.is_operand() {
                                // Binary: generated code has none but `*` and `-` in constants.
                                if op == "&" || op == "!" {
                                    return Err(Unsure);
                                }
                                self.word(" ");
                                self.word(op);
                                self.word(" ");
                                Prev::Start
                            } else {
                                if prev.space_before_word() {
                                    self.word(" ");
                                }
                                self.word(op);
                                Prev::Prefix
                            }
                        }
                        "|" | "||" if !prev.is_operand() => {
                            if prev.space_before_word() {
                                self.word(" ");
                            }
                            if op == "||" {
                                self.word("||");
                            } else {
                                // A closure's parameters, up to the next `|`.
                                let end = tokens[i..]
                                    .iter()
                                    .position(|t| matches!(t, Token::Punct(p, _) if *p == '|'))
                                    .ok_or(Unsure)?;
                                self.word("|");
                                self.flat(&tokens[i..i + end])?;
                                self.word("|");
                                i += end + 1;
                            }
                            Prev::ClosurePipe
                        }
                        "=" | "=>" | "->" | "+" | "==" | "!=" | "&&" | "||" | "+=" | "-=" | "|" | "/" | "%" | "^" => {
                            if prev != Prev::Start {
                                self.word(" ");
                            }
                            self.word(op);
                            self.word(" ");
                            Prev::Start
                        }
                        _ => return Err(Unsure),
                    };
                }
            }
        }
        if !angles.is_empty() {
            return Err(Unsure);
        }
        Ok(())
    }
}
