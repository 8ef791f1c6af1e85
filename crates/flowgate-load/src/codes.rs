//! Codes of the diagnostics the loader, the configuration readers and the commands report. A code is never
//! reused for another meaning; each has a page ([`ALL`]) that `flowgate rule FG0xx` prints.
//!
//! | code | meaning |
//! |---|---|
//! | FG001 | a file cannot be read: I/O error, too large, not UTF-8 |
//! | FG002 | YAML, JSON or XML syntax error |
//! | FG003 | unknown field |
//! | FG004 | missing required field |
//! | FG005 | wrong value type |
//! | FG006 | unknown `kind`, step `type` or trigger `type` |
//! | FG007 | duplicate asset id |
//! | FG008 | reference to an asset that does not exist |
//! | FG009 | reference to an asset of the wrong kind |
//! | FG010 | condition (CEL) does not parse or reads an unknown name |
//! | FG011 | template does not parse |
//! | FG012 | invalid value (id, duration, time, time zone, cron, URL, secret reference, …) |
//! | FG013 | broken step graph (duplicate step id, unknown step) |
//! | FG014 | bundle member or selector that matches nothing |
//! | FG015 | invalid `flowgate.toml`: syntax, unknown key, wrong type, invalid value or glob |
//! | FG016 | no asset files matched the workspace globs |
//! | FG017 | no workspace: no `flowgate.toml` here or above, or the directory does not exist |
//! | FG018 | a rule selector (`--select`, `--ignore`, `[check]`) names no rule |
//! | FG019 | an environment named on the command line is not in `flowgate.toml` |
//! | FG020 | a git revision (`--changed-since`) cannot be read |
//! | FG021 | an argument is unusable: no such snapshot, plan or person, a bad value, a file that cannot be read or written |
//! | FG022 | the promotion policy refuses: a role may not act, a plan is stale, an environment is pinned |
//! | FG023 | another operation moved first (a lost race) |
//! | FG024 | the store, a database or a deploy target cannot be reached or used |
//! | FG025 | an internal error: a bug in flowgate |
//! | FG026 | an integration uses a table or column its system's version does not have |
//! | FG027 | an integration calls an API operation or relies on a field its system's version does not have |

/// I/O error, file too large, or not UTF-8.
pub const UNREADABLE: &str = "FG001";
/// YAML, JSON or XML syntax error.
pub const SYNTAX: &str = "FG002";
/// Unknown field.
pub const UNKNOWN_FIELD: &str = "FG003";
/// Missing required field.
pub const MISSING_FIELD: &str = "FG004";
/// Wrong value type.
pub const WRONG_TYPE: &str = "FG005";
/// Unknown kind or type tag.
pub const UNKNOWN_VARIANT: &str = "FG006";
/// Duplicate asset id.
pub const DUPLICATE_ID: &str = "FG007";
/// Dangling reference.
pub const DANGLING_REFERENCE: &str = "FG008";
/// Reference to an asset of the wrong kind.
pub const WRONG_KIND: &str = "FG009";
/// Bad CEL condition.
pub const BAD_CONDITION: &str = "FG010";
/// Bad template.
pub const BAD_TEMPLATE: &str = "FG011";
/// Invalid value.
pub const INVALID_VALUE: &str = "FG012";
/// Broken step graph.
pub const STEP_GRAPH: &str = "FG013";
/// Bundle member or selector matching nothing.
pub const BUNDLE_MEMBER: &str = "FG014";
/// Invalid workspace configuration.
pub const CONFIG: &str = "FG015";
/// No asset files.
pub const NO_ASSETS: &str = "FG016";
/// No workspace found.
pub const NO_WORKSPACE: &str = "FG017";
/// A rule selector that names no rule.
pub const UNKNOWN_RULE: &str = "FG018";
/// An environment that `flowgate.toml` does not declare.
pub const UNKNOWN_ENVIRONMENT: &str = "FG019";
/// A git revision that cannot be read.
pub const BAD_REVISION: &str = "FG020";
/// An unusable command-line argument, reference or file.
pub const USAGE: &str = "FG021";
/// A refusal by the promotion policy.
pub const REFUSED: &str = "FG022";
/// A lost race with another operation.
pub const CONFLICT: &str = "FG023";
/// The store, a database or a deploy target is unavailable.
pub const UNAVAILABLE: &str = "FG024";
/// A bug in flowgate.
pub const INTERNAL: &str = "FG025";
/// An integration uses a table or column its system's version does not have.
pub const UNKNOWN_USE: &str = "FG026";
/// An integration calls an API operation, or relies on a field, its system's version does not have.
pub const UNKNOWN_CALL: &str = "FG027";

/// A loader or configuration code and its page.
#[derive(Debug, Clone, Copy)]
pub struct CodeDoc {
    /// The code (`FG003`).
    pub code: &'static str,
    /// One line: what the code reports.
    pub summary: &'static str,
    /// Markdown: What it means / Example / How to fix.
    pub doc: &'static str,
}

/// The page of a loader or configuration code, by code in any case.
pub fn find(code: &str) -> Option<&'static CodeDoc> {
    ALL.iter()
        .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
}

macro_rules! code_doc {
    ($code:expr, $summary:literal, $means:literal, $example:literal, $fix:literal) => {
        CodeDoc {
            code: $code,
            summary: $summary,
            doc: concat!(
                "## What it means\n\n",
                $means,
                "\n\n## Example\n\n```text\n",
                $example,
                "\n```\n\n## How to fix\n\n",
                $fix,
                "\n"
            ),
        }
    };
}

/// Every loader and configuration code, in code order.
pub const ALL: &[CodeDoc] = &[
    code_doc!(UNREADABLE, "a file cannot be read: I/O error, too large, not UTF-8",
        "An asset file matched the workspace globs but could not be read: the file system refused it, it is larger than `max_file_size`, or its bytes are not UTF-8 (a Latin-1 export, a binary file).",
        "error[FG001]: assets/big.yaml is 20000000 bytes, larger than the 16777216-byte limit",
        "Save the file as UTF-8, split it, raise `[workspace] max_file_size`, or leave it out with `exclude`."),
    code_doc!(SYNTAX, "YAML, JSON or XML syntax error",
        "The file is not valid YAML, JSON or XML (or has a duplicate key), so nothing in it can be read.",
        "error[FG002]: YAML syntax error: expected `,` or `]` in a `[ ... ]` list",
        "Fix the syntax at the reported line and column; the help says what the parser expected."),
    code_doc!(UNKNOWN_FIELD, "unknown field",
        "An asset has a key its kind does not define: usually a typo or a key at the wrong indentation.",
        "error[FG003]: unknown field `tempalte`\n  = help: did you mean `template`?",
        "Rename the key as suggested, or move it under the parent it belongs to; `flowgate schema` lists every field."),
    code_doc!(MISSING_FIELD, "missing required field",
        "A field the asset kind requires is absent.",
        "error[FG004]: missing field `template`",
        "Add the field; docs/format.md describes each kind's required fields."),
    code_doc!(WRONG_TYPE, "wrong value type",
        "A value has the wrong type: a string where a number or list is expected, and so on. An n8n `active` written as a string is a warning.",
        "error[FG005]: expected a boolean, found a string",
        "Write the value in the expected type (unquote numbers and booleans, use a list where one is expected)."),
    code_doc!(UNKNOWN_VARIANT, "unknown `kind`, step `type` or trigger `type`",
        "A tag naming a variant (asset kind, step type, trigger type or another fixed option) is not one flowgate knows.",
        "error[FG006]: unknown variant `form_submited`",
        "Use one of the listed variants; the help suggests the closest one."),
    code_doc!(DUPLICATE_ID, "duplicate asset id",
        "Two assets share an id, so references to it are ambiguous.",
        "error[FG007]: id `mql` is already used by another asset",
        "Rename one of them and update its references."),
    code_doc!(DANGLING_REFERENCE, "reference to an asset that does not exist",
        "An asset refers to an id no asset has.",
        "error[FG008]: no Template with id `welcom-email`\n  = help: did you mean `welcome-email`?",
        "Fix the id (the help suggests the closest), or create the asset."),
    code_doc!(WRONG_KIND, "reference to an asset of the wrong kind",
        "A reference names an existing asset of another kind than the field expects.",
        "error[FG009]: `mql` is a Tag, but a List is expected here",
        "Point the reference at an asset of the expected kind."),
    code_doc!(BAD_CONDITION, "condition (CEL) does not parse or reads an unknown name",
        "A CEL condition (a filter, a branch, an entry criterion) has a syntax error or reads a name that is not a field.",
        "error[FG010]: invalid condition: unknown name `contcat`",
        "Fix the expression: compare with `==`, join with `&&` and `||`, read fields through `contact.`, `company.`, … and quote text values."),
    code_doc!(BAD_TEMPLATE, "template does not parse",
        "A MiniJinja template (subject, body) has a syntax error, such as an unclosed `{% if %}` or `{{`.",
        "error[FG011]: invalid template: unexpected end of input, expected end of variable block",
        "Close the block or variable at the reported place."),
    code_doc!(INVALID_VALUE, "invalid value (id, duration, time, time zone, cron, URL, secret reference)",
        "A value has the right type but not a valid form: an id with spaces, `3 days` for a duration, an unknown time zone, a pasted credential where a secret reference (`env:NAME`, `vault:path#key`) belongs. A pasted credential is masked in every report.",
        "error[FG012]: `3 days` is not a duration: write a number and a unit (s, m, h, d, w), e.g. `15m`, `3d` or `1h30m`",
        "Write the value as the message says. A pasted secret must also be rotated at its provider: it stays in the repository history."),
    code_doc!(STEP_GRAPH, "broken step graph (duplicate step id, unknown step)",
        "A workflow's steps do not form a graph: two steps share an id, or a link names a step that does not exist.",
        "error[FG013]: no step `sned` in this workflow",
        "Fix the step id in the link, or rename one of the duplicate steps."),
    code_doc!(BUNDLE_MEMBER, "bundle member or selector that matches nothing",
        "A bundle lists a member id no asset has (error), or a selector that matches no asset (warning).",
        "error[FG014]: no asset with id `nothere`",
        "Fix the id or the selector, or remove it from the bundle."),
    code_doc!(CONFIG, "invalid flowgate.toml",
        "`flowgate.toml` cannot be used: a TOML syntax error, an unknown table or key, a value of the wrong type, an invalid glob or pattern, an empty exception reason, or an inconsistent promotion policy (an unknown `from` environment, a `block_on` that is not a severity, a `soak` that is not a duration, a role nobody holds). Commands stop with exit code 2: configuration is input.",
        "error[FG015]: invalid flowgate.toml: unknown field `asset`, expected one of `name`, `assets`, `exclude`, `max_file_size`, `salesforce`, `n8n`, `node_red`\n --> flowgate.toml:3:1",
        "Fix the key or value at the reported line and column; docs/configuration.md lists every key."),
    code_doc!(NO_ASSETS, "no asset files matched the workspace globs",
        "No file matches the workspace's globs, so there is nothing to validate or check. This is an error: a run over nothing must not pass in CI.",
        "error[FG016]: no asset files match assets/**/*.yaml in /home/ana/acme",
        "Fix `[workspace] assets` (globs are relative to the workspace root and use `/`), or add asset files."),
    code_doc!(NO_WORKSPACE, "no workspace: no flowgate.toml here or above",
        "The command needs a workspace, but no directory from the start directory up to the file-system root has a `flowgate.toml`, or the directory given with `-C` does not exist.",
        "error[FG017]: no flowgate.toml in `/home/ana/acme/assets` or any parent directory",
        "Run the command inside the workspace, pass its directory with `-C DIR`, or create one with `flowgate init`."),
    code_doc!(UNKNOWN_RULE, "a rule selector names no rule",
        "A rule code, code prefix, rule name or Lightning Flow Scanner name in `--select`, `--ignore` or `[check]` (`select`, `ignore`, `severity`, `exceptions`) matches no rule. Running on would silently check less than intended, so the command stops with exit code 2.",
        "error[FG018]: `--ignore unused-assets` matches no rule\n  help: did you mean `FG308` (unused-asset)? codes, code prefixes (`FG7`), rule names and Lightning Flow Scanner names select rules, in any case",
        "Use a code, a prefix such as `FG7`, a rule name or a Lightning Flow Scanner name; `flowgate rules` lists them all."),
    code_doc!(UNKNOWN_ENVIRONMENT, "an environment is not in flowgate.toml",
        "An environment named on the command line (`flowgate check --env NAME`) is not declared in `flowgate.toml`.",
        "error[FG019]: no environment `production` in flowgate.toml\n  = help: environments are: dev, stage, prod",
        "Use one of the declared environments, or declare it under `[environments.NAME]`."),
    code_doc!(BAD_REVISION, "a git revision cannot be read",
        "`--changed-since REV` names no commit of the repository holding the workspace, or git cannot be run there.",
        "error[FG020]: unknown git revision `no-such-branch`",
        "Pass a branch, tag or commit that exists locally (in CI, fetch the base branch first: `git fetch origin main`)."),
    code_doc!(USAGE, "an argument is unusable",
        "Something given on the command line cannot be used: a snapshot, plan, bundle or person that does not exist, a version that is not MAJOR.MINOR.PATCH, a file that cannot be read or written, a plan file whose content no longer matches its id. Nothing was changed. Exit code 2.",
        "error[FG021]: no snapshot `lead-intake@9.9.9` in the store\n  = help: `flowgate snapshot list` shows what is stored; refer to one as BUNDLE@VERSION or by id",
        "Follow the help: it names what exists (`flowgate snapshot list`, `flowgate log`, the people in `flowgate.toml`) or the form the value must take."),
    code_doc!(REFUSED, "the promotion policy refuses",
        "The promotion policy refuses what was asked: the person may not change this environment, the plan changed since it was approved, the environment is pinned, or the gates block. Nothing was changed. Exit code 1, as for a blocking gate.",
        "error[FG022]: tom (builder) may not change prod\n  = help: see docs/promotion.md for people, roles and gates",
        "Ask someone whose role allows it, plan again and collect approvals, or unpin the environment with a reason."),
    code_doc!(CONFLICT, "another operation moved first",
        "Another plan, apply, rollback or sync changed the environment between reading and writing it. This command changed nothing. Exit code 3.",
        "error[FG023]: another operation moved dev first; nothing was changed. Look at `flowgate status` and make a new plan\n  = help: `flowgate log` shows the operation that moved it first",
        "Look at `flowgate status` and `flowgate log`, then plan and apply again if the change is still wanted."),
    code_doc!(UNAVAILABLE, "the store, a database or a deploy target cannot be used",
        "The store (SQLite file or PostgreSQL server), a database or a deploy target could not be reached, opened, read or written: a server that is down, a file without permission, a store written by a newer flowgate or damaged data. This is not a problem with your input. Nothing was changed. Exit code 4.",
        "error[FG024]: cannot connect to the store at postgres://ci@db:5432/flowgate: connection refused\n  = help: nothing was changed; check that the store is reachable (`flowgate snapshot verify` checks a damaged one) and retry",
        "Check that the server is running and the URL (`--store`, `FLOWGATE_STORE` or `[store] url`) is right, or the file permissions, then retry. `flowgate snapshot verify` and `flowgate audit verify` name damaged data."),
    code_doc!(INTERNAL, "an internal error",
        "flowgate hit a state it should never reach: a bug. Exit code 101, as for a crash.",
        "error[FG025]: internal error: cannot start the async runtime\n  = help: this is a bug in flowgate: please report it with the command you ran",
        "Report it with the command you ran and its output; retrying may help if the machine was short of resources."),
    code_doc!(UNKNOWN_USE, "an integration uses what its system's version does not have",
        "An integration's `tables` name a table or column that the declarative schema of its system's current version (under `contracts/<system>/<version>/db_schema`) does not declare. `flowgate upgrade plan` reports it at the name, and exits 1: the integration reads or writes something that is not there, or its declaration is wrong.",
        "error[FG026]: column `sales_order.grand_totl` does not exist in magento's schema\n  --> assets/integrations/bi-nightly-export.yaml:31:44",
        "Correct the name (the help lists the table's columns), or update the contracts folder to the version the system really runs."),
    code_doc!(UNKNOWN_CALL, "an integration calls what its system's version does not have",
        "An integration's `api_calls` name an operation (`GET /V1/orders/{id}`) that the API contract of its system's current version (an OpenAPI or Swagger file in `contracts/<system>/<version>/`) does not have, or a field that is in none of the operation's request body, responses and parameters. Path templates match whatever their parameters are called (`/V1/orders/{orderId}` is `/V1/orders/{id}`); fields are dotted paths from the body, `[]` for array items (`items[].sku`), followed through `$ref` and `allOf`. `flowgate upgrade plan` reports it at the operation or the field, and exits 1: the integration calls something that is not there, or its declaration is wrong, and the plan cannot say what an upgrade changes under it.",
        "error[FG027]: field `items[].skuu` is not in GET /V1/orders of magento's API contract\n  --> assets/integrations/bi-nightly-export.yaml:24:46\n  = help: `items[]` has no such property; the nearest names: sku, store_id, …",
        "Correct the operation or field (the help lists the nearest operations, or the properties where the path stops), or update the contracts folder to the version the system really runs."),
];

/// The FG002 diagnostic for a syntax error found by one of the parsers.
pub(crate) fn syntax_error(
    source: &flowgate_diagnostics::SourceText,
    error: flowgate_syntax::SyntaxError,
) -> flowgate_diagnostics::Diagnostic {
    let diagnostic =
        flowgate_diagnostics::Diagnostic::error(SYNTAX, error.message).at(source, error.span);
    match error.help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}
