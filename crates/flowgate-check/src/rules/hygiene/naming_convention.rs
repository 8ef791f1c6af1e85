use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_diagnostics::Span;
use flowgate_model::Asset;

declare_rule! {
    /// ## What it does
    /// Checks asset `name`s:
    ///
    /// * when `[check] name_pattern` is set in `flowgate.toml`, every `name` must match that
    ///   regular expression (it matches anywhere in the name unless anchored with `^…$`);
    ///   assets without a `name` are not checked;
    /// * a `name` must not already start with an environment prefix (`DEV — `, `STG — `,
    ///   `PRD — `, or any environment name of the workspace followed by ` — ` or ` - `).
    ///
    /// ## Why is this bad?
    /// Names are what people see in the marketing platform's lists and reports. A shared
    /// convention (program first, then purpose) keeps hundreds of assets findable.
    ///
    /// The environment prefix is added by flowgate when it applies an asset to an
    /// environment. A name copied from production that still carries its prefix renders as
    /// `STG — PRD — Welcome series` in staging, and as `PRD — Welcome series` in development,
    /// where it looks like the production asset: someone edits the wrong one.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Workflow
    /// id: welcome-series
    /// name: PRD — Welcome series
    /// ```
    ///
    /// ## How to fix
    /// Write the name without any environment prefix, following the pattern:
    /// ```yaml
    /// name: Welcome series
    /// ```
    pub struct NamingConvention {
        code: "FG601",
        name: "naming-convention",
        category: Hygiene,
        severity: Warning,
        summary: "an asset name that breaks the naming pattern or carries an environment prefix",
    }
}

impl Rule for NamingConvention {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let pattern = ctx
            .config
            .name_pattern
            .as_deref()
            .and_then(|p| regex::Regex::new(p).ok().map(|r| (p, r)));
        let prefixes = environment_names(ctx);
        for asset in ctx.model.assets() {
            let Some(name) = asset.name.as_deref() else {
                continue;
            };
            let span = || name_span(ctx, asset).unwrap_or(asset.id.span);
            if let Some(prefix) = environment_prefix(name, &prefixes) {
                sink.report(
                    asset,
                    span(),
                    format!(
                        "{} `{}` has a name starting with the environment prefix `{prefix}`: each environment adds its own, so it shows as e.g. `STG — {name}`",
                        asset.kind(),
                        asset.id.value
                    ),
                )
                .help(format!(
                    "remove `{prefix}` from the name: write `name: {}`",
                    name[prefix.len()..].trim_start()
                ));
            }
            // A name with an environment prefix is reported once: the pattern applies to the
            // name without it.
            let unprefixed = environment_prefix(name, &prefixes)
                .map_or(name, |prefix| name[prefix.len()..].trim_start());
            if let Some((text, regex)) = &pattern {
                if !regex.is_match(unprefixed) {
                    sink.report(
                        asset,
                        span(),
                        format!(
                            "{} `{}` has the name `{name}`, which does not match the naming pattern `{text}`",
                            asset.kind(),
                            asset.id.value
                        ),
                    )
                    .help(format!(
                        "rename it to match `{text}` (set in `[check] name_pattern` of flowgate.toml)"
                    ));
                }
            }
        }
    }
}

/// Environment names to look for, lower-cased: the usual abbreviations and the workspace's
/// environments.
fn environment_names(ctx: &CheckContext<'_>) -> Vec<String> {
    let mut names: Vec<String> = ["dev", "stg", "prd"].map(String::from).to_vec();
    for env in ctx.environments {
        let env = env.to_lowercase();
        if !env.is_empty() && !names.contains(&env) {
            names.push(env);
        }
    }
    // Longest first, so `staging` wins over a shorter name it starts with.
    names.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    names
}

/// The environment prefix a name starts with (as written), if any: `<env> — `, `<env> – `
/// or `<env> - `, case-insensitively.
fn environment_prefix<'n>(name: &'n str, environments: &[String]) -> Option<&'n str> {
    for env in environments {
        let Some(head) = name.get(..env.len()) else {
            continue;
        };
        if !head.eq_ignore_ascii_case(env) {
            continue;
        }
        let rest = &name[env.len()..];
        let trimmed = rest.trim_start_matches([' ', '\u{a0}']);
        if trimmed.len() == rest.len() && !rest.starts_with(['—', '–']) {
            continue;
        }
        for dash in ['—', '–', '-', ':', '|'] {
            if let Some(after) = trimmed.strip_prefix(dash) {
                if after.is_empty() || after.starts_with([' ', '\u{a0}']) {
                    let after = after.trim_start_matches([' ', '\u{a0}']);
                    return name.get(..name.len() - after.len());
                }
            }
        }
    }
    None
}

/// The span of the `name` value in the asset's document: the first top-level `name:` key
/// (YAML) or `"name":` key (JSON).
fn name_span(ctx: &CheckContext<'_>, asset: &Asset) -> Option<Span> {
    let text = ctx.source(asset)?.text();
    let document = asset.origin.span;
    let body = text.get(document.start as usize..document.end as usize)?;
    let mut offset = document.start as usize;
    for line in body.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let value = content.strip_prefix("name:").or_else(|| {
            content
                .trim_start()
                .strip_prefix("\"name\"")
                .and_then(|rest| rest.trim_start().strip_prefix(':'))
        });
        if let Some(value) = value {
            let value_start = content.len() - value.len();
            let trimmed = value.trim_start();
            let start = value_start + (value.len() - trimmed.len());
            let end = start + scalar_len(trimmed);
            return Some(Span::new(offset + start, offset + end));
        }
        offset += line.len();
    }
    None
}

/// The length of the scalar at the start of `text`: a quoted string, or up to a comment or
/// (in JSON) a trailing comma.
fn scalar_len(text: &str) -> usize {
    if let Some(quote) = text.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let mut escaped = false;
        let mut chars = text.char_indices().skip(1).peekable();
        while let Some((i, c)) = chars.next() {
            if quote == '"' && c == '\\' && !escaped {
                escaped = true;
                continue;
            }
            if c == quote && !escaped {
                // In single quotes, `''` is a quote character.
                if quote == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                    chars.next();
                    continue;
                }
                return i + c.len_utf8();
            }
            escaped = false;
        }
        return text.len();
    }
    let end = text.find(" #").unwrap_or(text.len());
    text[..end].trim_end().len()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn envs() -> Vec<String> {
        ["prod", "stage", "dev", "stg", "prd"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn finds_environment_prefixes() {
        assert_eq!(environment_prefix("PRD — Welcome", &envs()), Some("PRD — "));
        assert_eq!(
            environment_prefix("prod - Welcome", &envs()),
            Some("prod - ")
        );
        assert_eq!(environment_prefix("Stage — x", &envs()), Some("Stage — "));
        assert_eq!(environment_prefix("DEV—x", &envs()), None);
        assert_eq!(environment_prefix("Production launch", &envs()), None);
        assert_eq!(environment_prefix("Devices - promo", &envs()), None);
        assert_eq!(environment_prefix("Dev-ops alerts", &envs()), None);
        assert_eq!(environment_prefix("Welcome", &envs()), None);
        assert_eq!(environment_prefix("", &envs()), None);
        assert_eq!(environment_prefix("Dé — x", &envs()), None);
    }

    #[test]
    fn measures_scalars() {
        assert_eq!(scalar_len("Welcome series # comment"), 14);
        assert_eq!(scalar_len(r#""A \"quoted\" name", "#), 19);
        assert_eq!(scalar_len("'it''s' # x"), 7);
    }
}
