//! From token streams to the text of generated files.
//!
//! prettyplease lays out any Rust, but only after a full syn parse, and at
//! Microsoft Graph's size (1.3 million lines) parsing and laying out were
//! four fifths of generation. Most generated items are short and regular,
//! and their layout is known without a parse: every line fits within
//! prettyplease's margin, so nothing is broken. This module writes such
//! items directly, in exactly the layout prettyplease gives them, and hands
//! any item it cannot vouch for (a line that would need breaking, a
//! construct it does not know) to prettyplease alone, nested as it is in
//! the file. The text is the same either way, byte for byte:
//! [`Formatting::Prettyplease`] formats everything the slow way, and the
//! tests compare the two.

mod breaking;
mod flat;
mod items;

use std::fmt::Write as _;

use compact_str::CompactString;
use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// How generated token streams become text.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Formatting {
    /// Short items written directly, the others through prettyplease.
    Fast,
    /// Every item through syn and prettyplease (the reference the fast
    /// path is compared with).
    Prettyplease,
}

/// A token, owned: a file's token stream is taken apart once, so that
/// every layout tried reads the same tokens in place (the fallback token
/// stream copies a group's tokens each time it is iterated).
#[derive(Debug, Clone)]
enum Token {
    /// Inline up to 24 bytes, as nearly every identifier is: one heap
    /// allocation less per identifier of a million lines.
    Ident(CompactString),
    Punct(char, Spacing),
    Literal(String),
    Group(Delimiter, Vec<Token>),
}

fn tokens(stream: TokenStream) -> Vec<Token> {
    let mut out = Vec::new();
    push_tokens(stream, &mut out);
    out
}

/// Appends `stream`'s tokens to `out`, the contents of invisible groups
/// ([`tokens::shared`](super::tokens::shared)) in their place.
fn push_tokens(stream: TokenStream, out: &mut Vec<Token>) {
    for tree in stream {
        match tree {
            TokenTree::Group(group) => {
                let (delimiter, inner) = (group.delimiter(), group.stream());
                // Dropped first, the group no longer shares `inner`, which is then moved, not copied.
                drop(group);
                if delimiter == Delimiter::None {
                    push_tokens(inner, out);
                } else {
                    out.push(Token::Group(delimiter, tokens(inner)));
                }
            }
            TokenTree::Ident(ident) => {
                let mut name = CompactString::default();
                // Writing to a `CompactString` cannot fail.
                let _ = write!(name, "{ident}");
                out.push(Token::Ident(name));
            }
            TokenTree::Punct(punct) => out.push(Token::Punct(punct.as_char(), punct.spacing())),
            TokenTree::Literal(literal) => out.push(Token::Literal(literal.to_string())),
        }
    }
}

/// `tokens` as a token stream again, for prettyplease.
fn stream(tokens: &[Token]) -> TokenStream {
    tokens
        .iter()
        .map(|token| match token {
            Token::Group(delimiter, inner) => TokenTree::Group(Group::new(*delimiter, stream(inner))),
            Token::Ident(name) => TokenTree::Ident(match name.strip_prefix("r#") {
                Some(raw) => Ident::new_raw(raw, Span::call_site()),
                None => Ident::new(name, Span::call_site()),
            }),
            Token::Punct(c, spacing) => TokenTree::Punct(Punct::new(*c, *spacing)),
            // Written by proc-macro2 from a literal, so it reads back as one.
            Token::Literal(text) => TokenTree::Literal(text.parse::<Literal>().expect("a literal proc-macro2 wrote")),
        })
        .collect()
}

/// The widest line prettyplease leaves unbroken.
const MARGIN: usize = 89;

/// The fast path cannot vouch for the layout of what it was writing.
#[derive(Debug)]
struct Unsure;

type Flat<T = ()> = Result<T, Unsure>;

/// What a nested item sits in, so that prettyplease can be given the item
/// alone at the same depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wrapper {
    Impl,
    Trait,
    Mod,
    /// For one field of a struct.
    Struct,
    /// For one variant of an enum.
    Enum,
}

/// Lays out the items of one file.
pub(super) fn file(tokens: TokenStream, formatting: Formatting) -> Result<String, syn::Error> {
    file_counted(tokens, formatting).map(|(text, _)| text)
}

/// [`file`], and how many bytes of the text prettyplease wrote.
fn file_counted(tokens: TokenStream, formatting: Formatting) -> Result<(String, usize), syn::Error> {
    if formatting == Formatting::Prettyplease {
        // Invisible groups spliced in, as the fast path reads them.
        return exact(stream(&self::tokens(tokens)), &[]).map(|text| {
            let len = text.len();
            (text, len)
        });
    }
    let tokens = self::tokens(tokens);
    let mut printer = Printer {
        out: String::with_capacity(tokens.len() * 8),
        level: 0,
        line: 0,
        wrappers: Vec::new(),
        error: None,
        exact_bytes: 0,
        unmeasured: false,
    };
    let body = match printer.inner_attributes(&tokens) {
        Ok(rest) => rest,
        // Inner attributes the fast path does not write: the whole file the slow way.
        Err(Unsure) => return file_counted(stream(&tokens), Formatting::Prettyplease),
    };
    printer.items(&tokens[body..])?;
    Ok((printer.out, printer.exact_bytes))
}

/// prettyplease's layout of `tokens`, items nested in `wrappers` (outermost
/// first); only the items' own lines are returned.
fn exact(tokens: TokenStream, wrappers: &[Wrapper]) -> Result<String, syn::Error> {
    let mut wrapped = tokens;
    for wrapper in wrappers.iter().rev() {
        let (keyword, name) = match wrapper {
            Wrapper::Impl => ("impl", "__Wrapper"),
            Wrapper::Trait => ("trait", "__Wrapper"),
            Wrapper::Mod => ("mod", "__wrapper"),
            Wrapper::Struct => ("struct", "__Wrapper"),
            Wrapper::Enum => ("enum", "__Wrapper"),
        };
        let mut outer = TokenStream::new();
        outer.extend([
            TokenTree::Ident(Ident::new(keyword, Span::call_site())),
            TokenTree::Ident(Ident::new(name, Span::call_site())),
            TokenTree::Group(Group::new(Delimiter::Brace, wrapped)),
        ]);
        wrapped = outer;
    }
    let text = prettyplease::unparse(&syn::parse2(wrapped)?);
    if wrappers.is_empty() {
        return Ok(text);
    }
    // Each wrapper adds its opening line at the top and its `}` at the bottom.
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    lines.drain(..wrappers.len());
    lines.truncate(lines.len().saturating_sub(wrappers.len()));
    Ok(lines.concat())
}

/// Writes lines of text, checking that each line written directly fits.
struct Printer {
    out: String,
    /// Indentation of the lines being written, in levels of four spaces.
    level: usize,
    /// Where the current line starts in `out`.
    line: usize,
    /// The items enclosing what is being written (for [`exact`]).
    wrappers: Vec<Wrapper>,
    /// An item prettyplease could not format either, on its way out.
    error: Option<syn::Error>,
    /// How much of the text prettyplease wrote (for tests).
    exact_bytes: usize,
    /// The line being written may be longer than the margin: what makes it
    /// long has nowhere to break (set by a signature for its ` {` line).
    unmeasured: bool,
}

impl Printer {
    fn start_line(&mut self) {
        self.line = self.out.len();
        for _ in 0..self.level {
            self.out.push_str("    ");
        }
    }

    /// Ends a line of code, which must fit: prettyplease would have broken it.
    fn end_line(&mut self) -> Flat {
        // prettyplease measures in bytes.
        if self.out.len() - self.line > MARGIN {
            return Err(Unsure);
        }
        self.out.push('\n');
        Ok(())
    }

    /// Ends a comment line, which prettyplease never breaks.
    fn end_comment_line(&mut self) {
        self.out.push('\n');
    }

    fn word(&mut self, text: &str) {
        self.out.push_str(text);
    }
}

#[cfg(test)]
mod tests;
