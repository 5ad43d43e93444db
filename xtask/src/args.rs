//! A tiny argument reader: positional values plus `--flag` and `--option value`.

#[derive(Debug, Default)]
pub struct Args {
    pub positional: Vec<String>,
    options: Vec<(String, Option<String>)>,
}

impl Args {
    /// `with_value` lists the options that take a value.
    pub fn parse(raw: &[String], with_value: &[&str], flags: &[&str]) -> Result<Args, String> {
        let mut args = Args::default();
        let mut iter = raw.iter();
        while let Some(arg) = iter.next() {
            if let Some(name) = arg.strip_prefix("--") {
                let (name, inline) = match name.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_owned())),
                    None => (name, None),
                };
                if with_value.contains(&name) {
                    let value = match inline {
                        Some(v) => v,
                        None => iter.next().cloned().ok_or_else(|| format!("`--{name}` needs a value"))?,
                    };
                    args.options.push((name.to_owned(), Some(value)));
                } else if flags.contains(&name) {
                    args.options.push((name.to_owned(), None));
                } else {
                    return Err(format!("unknown option `--{name}`"));
                }
            } else {
                args.positional.push(arg.clone());
            }
        }
        Ok(args)
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.options.iter().rev().find(|(n, _)| n == name).and_then(|(_, v)| v.as_deref())
    }

    pub fn flag(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| n == name)
    }
}
