//! The malformed-input suite: every kind of broken input yields a located diagnostic with
//! the right code, and the right exit code (1 when there is an error, 0 otherwise — the
//! mapping `flowgate validate` uses; `crates/flowgate-cli/tests/it/cli.rs` checks the binary).
//!
//! Each case states the line and column it expects, counted by hand from the fixture text.
//! `every_message_as_the_user_sees_it` snapshots the human rendering of all of them.

use crate::common::ids;
use flowgate_diagnostics::{render_human, Diagnostic, HumanOptions, Severity};
use flowgate_load::{codes, load_texts, load_workspace, Loaded, Workspace};
use std::path::Path;

// ---- fixtures and helpers ----------------------------------------------------------------

/// Assets other cases refer to.
const BASE: (&str, &str) = (
    "base.yaml",
    "kind: Field
id: first_name
type: string
---
kind: Tag
id: vip
---
kind: Template
id: welcome-email
channel: email
subject: Hi
body: Hello
",
);

/// A diagnostic a case must produce.
struct Expect {
    code: &'static str,
    severity: Severity,
    path: &'static str,
    line: u32,
    column: u32,
    /// A piece of text the help must contain.
    help: Option<&'static str>,
}

const fn error(code: &'static str, path: &'static str, line: u32, column: u32) -> Expect {
    Expect {
        code,
        severity: Severity::Error,
        path,
        line,
        column,
        help: None,
    }
}

const fn error_help(
    code: &'static str,
    path: &'static str,
    line: u32,
    column: u32,
    help: &'static str,
) -> Expect {
    Expect {
        code,
        severity: Severity::Error,
        path,
        line,
        column,
        help: Some(help),
    }
}

/// One malformed input.
struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    expect: &'static [Expect],
}

fn load(files: &[(&str, &str)]) -> Loaded {
    let texts: Vec<(String, String)> = files
        .iter()
        .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
        .collect();
    load_texts(Path::new("/workspace"), &texts)
}

/// The exit code `flowgate validate` gives for a load.
fn exit_code(loaded: &Loaded) -> u8 {
    u8::from(loaded.has_errors())
}

fn render(loaded: &Loaded) -> String {
    render_human(
        &loaded.diagnostics,
        &loaded.sources,
        HumanOptions { color: false },
    )
}

/// Find the diagnostic `expect` describes and check it; return it for further checks.
#[track_caller]
fn find<'a>(loaded: &'a Loaded, expect: &Expect) -> &'a Diagnostic {
    let found = loaded.diagnostics.iter().find(|d| {
        d.code == expect.code
            && d.location.as_ref().is_some_and(|l| {
                l.path == expect.path
                    && l.start.line == expect.line
                    && l.start.column == expect.column
            })
    });
    let Some(d) = found else {
        panic!(
            "expected {} at {}:{}:{}, got:\n{}",
            expect.code,
            expect.path,
            expect.line,
            expect.column,
            render(loaded)
        );
    };
    assert_eq!(d.severity, expect.severity, "{d:?}");
    if let Some(help) = expect.help {
        let text = d.help.as_deref().unwrap_or_default();
        assert!(text.contains(help), "help {text:?} lacks {help:?}");
    }
    d
}

#[track_caller]
fn check(case: &Case) -> Loaded {
    let loaded = load(case.files);
    assert!(
        !loaded.diagnostics.is_empty(),
        "{}: no diagnostic",
        case.name
    );
    for d in &loaded.diagnostics {
        assert!(d.location.is_some(), "{}: unlocated {d:?}", case.name);
    }
    for expect in case.expect {
        find(&loaded, expect);
    }
    let errors = case.expect.iter().any(|e| e.severity == Severity::Error);
    assert_eq!(exit_code(&loaded), u8::from(errors), "{}", case.name);
    loaded
}

// ---- the cases ---------------------------------------------------------------------------

const YAML_BAD_INDENTATION: Case = Case {
    name: "YAML: bad indentation",
    files: &[("tag.yaml", "kind: Tag\nid: t1\n  name: bad\n")],
    // The `:` after `name`.
    expect: &[error_help(codes::SYNTAX, "tag.yaml", 3, 7, "indentation")],
};

const YAML_UNCLOSED_QUOTE: Case = Case {
    name: "YAML: unclosed quote",
    files: &[("tag.yaml", "kind: Tag\nid: \"t1\n")],
    expect: &[error_help(codes::SYNTAX, "tag.yaml", 2, 5, "closing quote")],
};

const YAML_TAB: Case = Case {
    name: "YAML: tab in indentation",
    files: &[("tag.yaml", "kind: Tag\n\tid: t1\n")],
    // The tab itself, at the start of line 2.
    expect: &[error_help(
        codes::SYNTAX,
        "tag.yaml",
        2,
        1,
        "spaces, not tabs",
    )],
};

const JSON_TRAILING_COMMA: Case = Case {
    name: "JSON: trailing comma",
    files: &[("tag.json", "{\"kind\": \"Tag\", \"id\": \"j1\",}\n")],
    expect: &[error_help(
        codes::SYNTAX,
        "tag.json",
        1,
        27,
        "remove the `,`",
    )],
};

const JSON_UNTERMINATED_STRING: Case = Case {
    name: "JSON: unterminated string",
    files: &[("tag.json", "{\n  \"kind\": \"Tag\",\n  \"id\": \"j1\n}\n")],
    // The opening quote of `"j1`.
    expect: &[error(codes::SYNTAX, "tag.json", 3, 9)],
};

const WRONG_TYPE_BOOL: Case = Case {
    name: "wrong type: `pii` is not a boolean",
    files: &[(
        "email.yaml",
        "kind: Field\nid: email\ntype: email\npii: \"yes please\"\n",
    )],
    expect: &[error(codes::WRONG_TYPE, "email.yaml", 4, 6)],
};

const WRONG_TYPE_LIST: Case = Case {
    name: "wrong type: `steps` is not a list",
    files: &[(
        "wf.yaml",
        "kind: Workflow\nid: wf\ntriggers:\n  - type: contact_created\nsteps: 5\n",
    )],
    expect: &[error(codes::WRONG_TYPE, "wf.yaml", 5, 8)],
};

const UNKNOWN_STEP_FIELD: Case = Case {
    name: "unknown field in a step, with did-you-mean",
    files: &[
        BASE,
        (
            "wf.yaml",
            "kind: Workflow
id: welcome
triggers:
  - type: contact_created
steps:
  - id: send
    type: send_email
    tempalte: welcome-email
",
        ),
    ],
    expect: &[error_help(
        codes::UNKNOWN_FIELD,
        "wf.yaml",
        8,
        5,
        "did you mean `template`?",
    )],
};

const UNKNOWN_TOP_LEVEL_FIELD: Case = Case {
    name: "unknown field at the top level",
    files: &[("tag.yaml", "kind: Tag\nid: vip\ncolour: red\n")],
    expect: &[error_help(
        codes::UNKNOWN_FIELD,
        "tag.yaml",
        3,
        1,
        "expected one of: id, name",
    )],
};

const MISSING_ID: Case = Case {
    name: "missing required field: `id`",
    files: &[("tag.yaml", "kind: Tag\nname: No id\n")],
    expect: &[error_help(
        codes::MISSING_FIELD,
        "tag.yaml",
        1,
        1,
        "add `id:`",
    )],
};

const MISSING_CHANNEL: Case = Case {
    name: "missing required field: `channel` of a Template",
    files: &[(
        "tpl.yaml",
        "kind: Template\nid: welcome-email\nsubject: Hi\nbody: Hello\n",
    )],
    expect: &[error_help(
        codes::MISSING_FIELD,
        "tpl.yaml",
        1,
        1,
        "add `channel:`",
    )],
};

const UNKNOWN_KIND: Case = Case {
    name: "unknown kind",
    files: &[("wf.yaml", "kind: Workfow\nid: welcome\n")],
    expect: &[error_help(
        codes::UNKNOWN_VARIANT,
        "wf.yaml",
        1,
        7,
        "did you mean `Workflow`?",
    )],
};

const UNKNOWN_STEP_TYPE: Case = Case {
    name: "unknown step type",
    files: &[
        BASE,
        (
            "wf.yaml",
            "kind: Workflow
id: welcome
triggers:
  - type: contact_created
steps:
  - id: send
    type: send_mail
    template: welcome-email
",
        ),
    ],
    expect: &[error_help(
        codes::UNKNOWN_VARIANT,
        "wf.yaml",
        7,
        11,
        "did you mean `send_email`?",
    )],
};

const DUPLICATE_ID: Case = Case {
    name: "duplicate id across two files",
    files: &[BASE, ("tags.yaml", "kind: Tag\nid: vip\n")],
    expect: &[error(codes::DUPLICATE_ID, "tags.yaml", 2, 5)],
};

const DANGLING_REFERENCE: Case = Case {
    name: "dangling reference",
    files: &[
        BASE,
        (
            "wf.yaml",
            "kind: Workflow
id: welcome
triggers:
  - type: contact_created
steps:
  - id: send
    type: send_email
    template: welcome-emial
",
        ),
    ],
    expect: &[error_help(
        codes::DANGLING_REFERENCE,
        "wf.yaml",
        8,
        15,
        "did you mean `welcome-email`?",
    )],
};

const WRONG_KIND_REFERENCE: Case = Case {
    name: "reference to an asset of the wrong kind",
    files: &[
        BASE,
        (
            "wf.yaml",
            "kind: Workflow
id: welcome
triggers:
  - type: contact_created
steps:
  - id: send
    type: send_email
    template: vip
",
        ),
    ],
    expect: &[error_help(
        codes::WRONG_KIND,
        "wf.yaml",
        8,
        15,
        "point this at a Template",
    )],
};

const CEL_UNKNOWN_FIELD: Case = Case {
    name: "condition reads an unknown field",
    files: &[
        BASE,
        (
            "list.yaml",
            "kind: List\nid: named\ntype: dynamic\nfilter: contact.frist_name != \"\"\n",
        ),
    ],
    // An unknown field is a dangling reference to a Field asset.
    expect: &[error_help(
        codes::DANGLING_REFERENCE,
        "list.yaml",
        4,
        9,
        "did you mean `contact.first_name`?",
    )],
};

const CEL_SYNTAX: Case = Case {
    name: "condition does not parse",
    files: &[
        BASE,
        (
            "list.yaml",
            "kind: List\nid: named\ntype: dynamic\nfilter: contact.first_name ==\n",
        ),
    ],
    // Just past the value (column 9 + 21 characters): the expression ends too early.
    expect: &[error(codes::BAD_CONDITION, "list.yaml", 4, 30)],
};

const TEMPLATE_SYNTAX: Case = Case {
    name: "template does not parse",
    files: &[
        BASE,
        (
            "tpl.yaml",
            "kind: Template
id: broken
channel: email
subject: \"Hi {{ contact.first_name \"
body: Hello
",
        ),
    ],
    // The last token before the missing `}}`: `first_name`.
    expect: &[error(codes::BAD_TEMPLATE, "tpl.yaml", 4, 25)],
};

const BAD_DURATION: Case = Case {
    name: "invalid value: duration",
    files: &[(
        "wf.yaml",
        "kind: Workflow
id: drip
triggers:
  - type: contact_created
steps:
  - id: pause
    type: wait
    duration: 3 days
",
    )],
    expect: &[error(codes::INVALID_VALUE, "wf.yaml", 8, 15)],
};

const BAD_TIME_ZONE: Case = Case {
    name: "invalid value: time zone",
    files: &[(
        "wf.yaml",
        "kind: Workflow
id: digest
triggers:
  - type: schedule
    cron: \"0 9 * * MON\"
    time_zone: Europe/Berln
steps:
  - id: done
    type: exit
",
    )],
    expect: &[error_help(
        codes::INVALID_VALUE,
        "wf.yaml",
        6,
        16,
        "did you mean `Europe/Berlin`?",
    )],
};

const BAD_CRON: Case = Case {
    name: "invalid value: cron",
    files: &[(
        "wf.yaml",
        "kind: Workflow
id: digest
triggers:
  - type: schedule
    cron: \"0 9 * * FUNDAY\"
    time_zone: UTC
  - type: schedule
    cron: \"0 9 * *\"
    time_zone: UTC
steps:
  - id: done
    type: exit
",
    )],
    expect: &[
        error(codes::INVALID_VALUE, "wf.yaml", 5, 11),
        error_help(codes::INVALID_VALUE, "wf.yaml", 8, 11, "5 fields"),
    ],
};

const BAD_URL: Case = Case {
    name: "invalid value: URL",
    files: &[(
        "hook.yaml",
        "kind: Webhook\nid: crm\nendpoints:\n  dev: not a url\n  prod: ftp://crm.example.com/leads\n",
    )],
    expect: &[
        error_help(codes::INVALID_VALUE, "hook.yaml", 4, 8, "full URL"),
        error(codes::INVALID_VALUE, "hook.yaml", 5, 9),
    ],
};

const LITERAL_SECRET: Case = Case {
    name: "invalid value: a literal secret",
    files: &[(
        "hook.yaml",
        "kind: Webhook
id: crm
endpoint: https://crm.example.com/api/leads
auth:
  scheme: bearer
  secret: sk_live_EXAMPLE_not_a_real_key
",
    )],
    expect: &[error(codes::INVALID_VALUE, "hook.yaml", 6, 11)],
};

const BAD_ID: Case = Case {
    name: "invalid value: id",
    files: &[("tag.yaml", "kind: Tag\nid: Hello World\n")],
    expect: &[error(codes::INVALID_VALUE, "tag.yaml", 2, 5)],
};

const NEXT_TO_MISSING_STEP: Case = Case {
    name: "step graph: `next` names a missing step",
    files: &[
        BASE,
        (
            "wf.yaml",
            "kind: Workflow
id: drip
triggers:
  - type: contact_created
steps:
  - id: tag
    type: add_tag
    tag: vip
    next: thank
  - id: thanks
    type: exit
",
        ),
    ],
    expect: &[error_help(
        codes::STEP_GRAPH,
        "wf.yaml",
        9,
        11,
        "did you mean `thanks`?",
    )],
};

const DUPLICATE_STEP_ID: Case = Case {
    name: "step graph: duplicate step id",
    files: &[
        BASE,
        (
            "wf.yaml",
            "kind: Workflow
id: drip
triggers:
  - type: contact_created
steps:
  - id: tag
    type: add_tag
    tag: vip
  - id: tag
    type: exit
",
        ),
    ],
    expect: &[error(codes::STEP_GRAPH, "wf.yaml", 9, 9)],
};

const MISSING_BUNDLE_MEMBER: Case = Case {
    name: "bundle member that does not exist",
    files: &[
        BASE,
        (
            "bundle.yaml",
            "kind: Bundle\nid: release\nmembers:\n  - vip\n  - welcome-emial\n",
        ),
    ],
    expect: &[error_help(
        codes::BUNDLE_MEMBER,
        "bundle.yaml",
        5,
        5,
        "did you mean `welcome-email`?",
    )],
};

const EMPTY_SELECTOR: Case = Case {
    name: "selector matching nothing (a warning)",
    files: &[
        BASE,
        (
            "bundle.yaml",
            "kind: Bundle
id: release
members:
  - vip
  - { kind: Template, labels: { program: nurture } }
",
        ),
    ],
    expect: &[Expect {
        code: codes::BUNDLE_MEMBER,
        severity: Severity::Warning,
        path: "bundle.yaml",
        line: 5,
        column: 5,
        help: Some("typo"),
    }],
};

const LIST_OF_SCALARS: Case = Case {
    name: "a document that is a list of scalars",
    files: &[("list.yaml", "- a\n- 2\n")],
    expect: &[
        error(codes::WRONG_TYPE, "list.yaml", 1, 3),
        error(codes::WRONG_TYPE, "list.yaml", 2, 3),
    ],
};

const SECOND_DOCUMENT_BROKEN: Case = Case {
    name: "the second document is broken, the first still loads",
    files: &[(
        "tags.yaml",
        "kind: Tag\nid: first\n---\nkind: Tag\nid: \"second\n",
    )],
    expect: &[error(codes::SYNTAX, "tags.yaml", 5, 5)],
};

/// Three independent problems, each found by a different phase: deserialising (FG005),
/// lowering (FG012) and resolving (FG008, found last). They are reported in file order.
const THREE_ERRORS: Case = Case {
    name: "three independent errors in one file",
    files: &[(
        "mixed.yaml",
        "kind: Workflow
id: drip
triggers:
  - type: tag_added
    tag: vipp
steps:
  - id: done
    type: exit
---
kind: Tag
id: Bad Tag
---
kind: Field
id: email
pii: maybe
",
    )],
    expect: &[
        error(codes::DANGLING_REFERENCE, "mixed.yaml", 5, 10),
        error(codes::INVALID_VALUE, "mixed.yaml", 11, 5),
        error(codes::WRONG_TYPE, "mixed.yaml", 15, 6),
    ],
};

/// Every table case, in the order of the snapshot.
const CASES: &[&Case] = &[
    &YAML_BAD_INDENTATION,
    &YAML_UNCLOSED_QUOTE,
    &YAML_TAB,
    &JSON_TRAILING_COMMA,
    &JSON_UNTERMINATED_STRING,
    &WRONG_TYPE_BOOL,
    &WRONG_TYPE_LIST,
    &UNKNOWN_STEP_FIELD,
    &UNKNOWN_TOP_LEVEL_FIELD,
    &MISSING_ID,
    &MISSING_CHANNEL,
    &UNKNOWN_KIND,
    &UNKNOWN_STEP_TYPE,
    &DUPLICATE_ID,
    &DANGLING_REFERENCE,
    &WRONG_KIND_REFERENCE,
    &CEL_UNKNOWN_FIELD,
    &CEL_SYNTAX,
    &TEMPLATE_SYNTAX,
    &BAD_DURATION,
    &BAD_TIME_ZONE,
    &BAD_CRON,
    &BAD_URL,
    &LITERAL_SECRET,
    &BAD_ID,
    &NEXT_TO_MISSING_STEP,
    &DUPLICATE_STEP_ID,
    &MISSING_BUNDLE_MEMBER,
    &EMPTY_SELECTOR,
    &LIST_OF_SCALARS,
    &SECOND_DOCUMENT_BROKEN,
    &THREE_ERRORS,
];

// ---- one test per failure class ------------------------------------------------------------

#[test]
fn yaml_bad_indentation() {
    check(&YAML_BAD_INDENTATION);
}

#[test]
fn yaml_unclosed_quote() {
    check(&YAML_UNCLOSED_QUOTE);
}

#[test]
fn yaml_tab_points_at_the_tab() {
    let loaded = check(&YAML_TAB);
    let d = find(&loaded, &YAML_TAB.expect[0]);
    assert_eq!(d.location.as_ref().unwrap().span.start, 10);
    assert_eq!(d.message, "YAML syntax error: tab character in indentation");
}

#[test]
fn json_trailing_comma() {
    check(&JSON_TRAILING_COMMA);
}

#[test]
fn json_unterminated_string() {
    check(&JSON_UNTERMINATED_STRING);
}

#[test]
fn wrong_type_scalar() {
    let loaded = check(&WRONG_TYPE_BOOL);
    assert_eq!(
        loaded.diagnostics[0].message,
        "expected a boolean, found a string"
    );
}

#[test]
fn wrong_type_list() {
    check(&WRONG_TYPE_LIST);
}

#[test]
fn unknown_field_in_a_step_suggests_the_field() {
    check(&UNKNOWN_STEP_FIELD);
}

#[test]
fn unknown_field_at_the_top_level() {
    let loaded = check(&UNKNOWN_TOP_LEVEL_FIELD);
    assert_eq!(loaded.diagnostics[0].message, "unknown field `colour`");
    // Unknown keys are reported and ignored: the rest of the asset is kept, so its other
    // problems (and the references to it) are checked in the same run.
    assert_eq!(ids(&loaded).len(), 1, "{}", render(&loaded));
}

#[test]
fn missing_id() {
    check(&MISSING_ID);
}

#[test]
fn missing_channel() {
    check(&MISSING_CHANNEL);
}

#[test]
fn unknown_kind_suggests_the_kind() {
    check(&UNKNOWN_KIND);
}

#[test]
fn unknown_step_type_suggests_the_type() {
    check(&UNKNOWN_STEP_TYPE);
}

#[test]
fn duplicate_id_points_at_the_first() {
    let loaded = check(&DUPLICATE_ID);
    let d = find(&loaded, &DUPLICATE_ID.expect[0]);
    let related = &d.related[0].location;
    assert_eq!(
        (
            related.path.as_str(),
            related.start.line,
            related.start.column
        ),
        ("base.yaml", 6, 5)
    );
    // The first one is kept.
    assert_eq!(
        loaded
            .model
            .get_str("vip")
            .map(|a| a.origin.file.0)
            .unwrap(),
        0
    );
}

#[test]
fn dangling_reference_suggests_the_id() {
    check(&DANGLING_REFERENCE);
}

#[test]
fn wrong_kind_reference() {
    check(&WRONG_KIND_REFERENCE);
}

#[test]
fn unknown_field_in_a_condition_suggests_the_field() {
    let loaded = check(&CEL_UNKNOWN_FIELD);
    let d = find(&loaded, &CEL_UNKNOWN_FIELD.expect[0]);
    // The span covers `contact.frist_name` exactly.
    let location = d.location.as_ref().unwrap();
    assert_eq!(location.end.column - location.start.column, 18);
}

#[test]
fn condition_syntax_error() {
    check(&CEL_SYNTAX);
}

#[test]
fn template_syntax_error() {
    check(&TEMPLATE_SYNTAX);
}

#[test]
fn invalid_duration() {
    check(&BAD_DURATION);
}

#[test]
fn invalid_time_zone_suggests_the_zone() {
    check(&BAD_TIME_ZONE);
}

#[test]
fn invalid_cron() {
    let loaded = check(&BAD_CRON);
    let d = find(&loaded, &BAD_CRON.expect[0]);
    // One line, in terms of what the user wrote (not the parser's internal form).
    assert_eq!(
        d.message,
        "`0 9 * * FUNDAY` is not a valid cron expression: 'FUNDAY' is not a valid day of the week."
    );
}

#[test]
fn invalid_url() {
    check(&BAD_URL);
}

#[test]
fn literal_secret() {
    let loaded = check(&LITERAL_SECRET);
    assert!(loaded.diagnostics[0].message.contains("env:NAME"));
}

#[test]
fn a_bad_endpoint_does_not_hide_a_literal_secret() {
    let loaded = load(&[(
        "hook.yaml",
        "kind: Webhook\nid: crm\nendpoint: not a url\nauth:\n  scheme: bearer\n  secret: sk_live_EXAMPLE_not_a_real_key\n",
    )]);
    find(&loaded, &error(codes::INVALID_VALUE, "hook.yaml", 3, 11));
    find(&loaded, &error(codes::INVALID_VALUE, "hook.yaml", 6, 11));
    assert_eq!(loaded.diagnostics.len(), 2);
}

#[test]
fn invalid_id() {
    check(&BAD_ID);
}

#[test]
fn next_to_a_missing_step() {
    check(&NEXT_TO_MISSING_STEP);
}

#[test]
fn duplicate_step_id_points_at_the_first() {
    let loaded = check(&DUPLICATE_STEP_ID);
    let d = find(&loaded, &DUPLICATE_STEP_ID.expect[0]);
    let related = &d.related[0].location;
    assert_eq!((related.start.line, related.start.column), (6, 9));
}

#[test]
fn bundle_member_that_does_not_exist() {
    check(&MISSING_BUNDLE_MEMBER);
}

#[test]
fn every_bad_bundle_member_is_reported() {
    let loaded = load(&[(
        "bundle.yaml",
        "kind: Bundle\nid: release\nmembers:\n  - Bad Id\n  - { kind: Tagg }\n  - also bad\n",
    )]);
    find(&loaded, &error(codes::INVALID_VALUE, "bundle.yaml", 4, 5));
    find(
        &loaded,
        &error_help(codes::UNKNOWN_VARIANT, "bundle.yaml", 5, 13, "`Tag`"),
    );
    find(&loaded, &error(codes::INVALID_VALUE, "bundle.yaml", 6, 5));
}

#[test]
fn selector_matching_nothing_is_a_warning() {
    let loaded = check(&EMPTY_SELECTOR);
    assert_eq!(loaded.diagnostics.len(), 1);
    assert!(ids(&loaded).contains(&"release"));
}

#[test]
fn empty_files_give_nothing() {
    let loaded = load(&[
        ("empty.yaml", ""),
        ("comments.yaml", "# nothing yet\n"),
        ("separators.yaml", "---\n---\n"),
    ]);
    assert!(loaded.diagnostics.is_empty(), "{}", render(&loaded));
    assert!(loaded.model.assets().is_empty());
    assert_eq!(exit_code(&loaded), 0);
}

#[test]
fn list_of_scalars() {
    let loaded = check(&LIST_OF_SCALARS);
    assert_eq!(loaded.diagnostics.len(), 2);
}

#[test]
fn a_broken_second_document_keeps_the_first() {
    let loaded = check(&SECOND_DOCUMENT_BROKEN);
    assert_eq!(ids(&loaded), ["first"]);
}

#[test]
fn all_problems_are_reported_in_one_run_in_file_order() {
    let loaded = check(&THREE_ERRORS);
    let found: Vec<(&str, u32, u32)> = loaded
        .diagnostics
        .iter()
        .map(|d| {
            let l = d.location.as_ref().unwrap();
            (d.code.as_str(), l.start.line, l.start.column)
        })
        .collect();
    assert_eq!(
        found,
        [
            (codes::DANGLING_REFERENCE, 5, 10),
            (codes::INVALID_VALUE, 11, 5),
            (codes::WRONG_TYPE, 15, 6),
        ]
    );
}

#[test]
fn files_are_reported_in_path_order_whatever_the_input_order() {
    let files = [
        ("b.yaml", "kind: Tag\nid: b\ncolour: red\n"),
        ("a.yaml", "kind: Tag\nid: a\ncolour: red\n"),
    ];
    let loaded = load(&files);
    let paths: Vec<&str> = loaded
        .diagnostics
        .iter()
        .map(|d| d.location.as_ref().unwrap().path.as_str())
        .collect();
    assert_eq!(paths, ["a.yaml", "b.yaml"]);
}

#[test]
fn loading_is_deterministic() {
    // Every case in one workspace (the repeated base files add duplicate ids).
    let files: Vec<(String, String)> = CASES
        .iter()
        .flat_map(|case| case.files.iter())
        .enumerate()
        .map(|(i, (path, text))| (format!("{i:02}-{path}"), (*text).to_owned()))
        .collect();
    let first = load_texts(Path::new("/workspace"), &files);
    let second = load_texts(Path::new("/workspace"), &files);
    assert!(first.diagnostics.len() > CASES.len());
    assert_eq!(first.diagnostics, second.diagnostics);
    assert_eq!(render(&first), render(&second));
    assert_eq!(ids(&first), ids(&second));
}

// ---- inputs that need real files -----------------------------------------------------------

/// A workspace in a temporary directory, with `config` as its `flowgate.toml`.
fn workspace(config: &str, files: &[(&[u8], &[u8])]) -> (tempfile::TempDir, Loaded) {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("flowgate.toml"), config).unwrap();
    for (name, bytes) in files {
        let path = dir.path().join(std::ffi::OsStr::from_bytes(name));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let ws = Workspace::open(dir.path()).unwrap();
    let loaded = load_workspace(&ws);
    (dir, loaded)
}

const CONFIG: &str = "[workspace]\nname = \"t\"\n";

fn not_utf8() -> Loaded {
    workspace(
        CONFIG,
        &[
            (b"assets/ok.yaml", b"kind: Tag\nid: ok\n"),
            (b"assets/latin1.yaml", b"kind: Tag\nid: caf\xe9\n"),
        ],
    )
    .1
}

#[test]
fn content_that_is_not_utf8() {
    let loaded = not_utf8();
    // `id: caf` is 7 characters: the bad byte is in column 8.
    let d = find(
        &loaded,
        &error(codes::UNREADABLE, "assets/latin1.yaml", 2, 8),
    );
    assert!(d.message.contains("not UTF-8"), "{}", d.message);
    assert_eq!(ids(&loaded), ["ok"]);
    assert_eq!(exit_code(&loaded), 1);
}

fn too_large() -> Loaded {
    let big = "kind: Tag\nid: big\ndescription: ".to_owned() + &"x".repeat(200) + "\n";
    workspace(
        "[workspace]\nname = \"t\"\nmax_file_size = 100\n",
        &[
            (b"small.yaml", b"kind: Tag\nid: small\n"),
            (b"big.yaml", big.as_bytes()),
        ],
    )
    .1
}

#[test]
fn file_over_the_size_limit() {
    let loaded = too_large();
    let d = find(&loaded, &error(codes::UNREADABLE, "big.yaml", 1, 1));
    assert!(d.message.contains("100-byte limit"), "{}", d.message);
    assert!(d.help.as_deref().unwrap().contains("max_file_size"));
    assert_eq!(ids(&loaded), ["small"]);
    assert_eq!(loaded.diagnostics.len(), 1);
}

fn bad_file_names() -> Loaded {
    workspace(
        CONFIG,
        &[
            (b"tag-\xff.yaml", b"kind: Tag\nid: latin\n"),
            (b"tag-\xfe.yaml", b"kind: Tag\nid: broken\ncolour: red\n"),
        ],
    )
    .1
}

#[test]
fn file_name_that_is_not_utf8() {
    let loaded = bad_file_names();
    assert_eq!(ids(&loaded), ["broken", "latin"]);
    // Reported under the name with the bad byte escaped; the two names stay distinct.
    find(
        &loaded,
        &error(codes::UNKNOWN_FIELD, "tag-\\xfe.yaml", 3, 1),
    );
    assert_eq!(loaded.diagnostics.len(), 1, "{}", render(&loaded));
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = "[".repeat(10_000);
    for path in ["deep.yaml", "deep.json"] {
        let loaded = load(&[(path, &deep)]);
        assert!(loaded.has_errors(), "{path}");
        let d = &loaded.diagnostics[0];
        assert_eq!(d.code, codes::SYNTAX, "{path}: {d:?}");
        let location = d.location.as_ref().unwrap();
        assert_eq!(location.start.line, 1, "{path}");
        assert!(loaded.model.assets().is_empty());
    }
    let mut nested_map = String::new();
    for depth in 0..10_000 {
        nested_map.push_str(&" ".repeat(depth % 200));
        nested_map.push_str("k:\n");
    }
    let loaded = load(&[("deep-map.yaml", &nested_map)]);
    assert!(loaded.has_errors());
}

#[test]
fn five_megabytes_of_valid_assets() {
    let mut text = String::with_capacity(5 * 1024 * 1024 + 1024);
    let mut n = 0;
    while text.len() < 5 * 1024 * 1024 {
        text.push_str(&format!(
            "---\nkind: Field\nid: field-{n}\nname: Field {n}\ntype: string\ndescription: {}\nlabels: {{ program: bulk }}\n",
            "A field of the bulk load test, described at some length. ".repeat(6)
        ));
        n += 1;
    }
    let loaded = load(&[("bulk.yaml", &text)]);
    assert!(
        loaded.diagnostics.is_empty(),
        "{:?}",
        loaded.diagnostics.first()
    );
    assert_eq!(loaded.model.assets().len(), n);
    assert!(n > 10_000, "{n}");
}

// ---- every message, as the user sees it ------------------------------------------------------

#[test]
fn every_message_as_the_user_sees_it() {
    let mut out = String::new();
    let mut section = |name: &str, loaded: &Loaded| {
        out.push_str(&format!(
            "======== {name} (exit {}) ========\n{}",
            exit_code(loaded),
            render(loaded)
        ));
    };
    for case in CASES {
        section(case.name, &load(case.files));
    }
    section("content that is not UTF-8", &not_utf8());
    section("file over the size limit", &too_large());
    section("file name that is not UTF-8", &bad_file_names());
    insta::assert_snapshot!(out);
}

// ---- reconciliations -----------------------------------------------------------------------

const RECONCILIATION: &str = "kind: Reconciliation
id: orders
left:
  url: mysql://root:hunter2@shop-db/magento
  table: sales_order
right:
  url: env:ERP_DB_URL
  table: erp.orders
key:
  - { left: { column: increment_id }, right: { column: document_no, trim: true } }
columns:
  - { name: total, type: decimal, tolerance: 0.01, left: { column: a }, right: { column: b } }
";

const RECONCILIATION_CASE: Case = Case {
    name: "reconciliation: literal URL, misspelt transform, bad tolerance",
    files: &[("r.yaml", RECONCILIATION)],
    expect: &[error_help(codes::INVALID_VALUE, "r.yaml", 4, 8, "env:NAME")],
};

#[test]
fn reconciliation_connection_url_must_be_a_secret_reference() {
    let loaded = check(&RECONCILIATION_CASE);
    assert!(ids(&loaded).is_empty(), "an invalid asset is left out");
    let fixed = RECONCILIATION.replace("mysql://root:hunter2@shop-db/magento", "env:SHOP_DB_URL");
    let loaded = load(&[("r.yaml", fixed.as_str())]);
    assert!(loaded.diagnostics.is_empty(), "{}", render(&loaded));
    let misspelt = fixed.replace("trim: true", "trimm: true");
    let text = render(&load(&[("r.yaml", misspelt.as_str())]));
    assert!(text.contains("unknown field `trimm`"), "{text}");
    assert!(text.contains("`trim`"), "a did-you-mean hint: {text}");
    let tolerance = fixed.replace("tolerance: 0.01", "tolerance: one cent");
    let text = render(&load(&[("r.yaml", tolerance.as_str())]));
    assert!(text.contains("tolerance `one cent`"), "{text}");
    assert_eq!(ids(&loaded), ["orders"]);
}

/// A misspelt key does not hide the document's other problems: one run reports both, and
/// the asset that was otherwise readable is still there for the rest of the workspace.
#[test]
fn a_typo_and_a_dangling_reference_in_one_document_are_reported_in_one_run() {
    let loaded = load(&[
        BASE,
        (
            "tpl.yaml",
            "kind: Template\nid: welcome-sms\nchannel: sms\nbodyy: Hi\nbody: \"Hi {{ contact.frist_name | default('x') }}\"\n",
        ),
    ]);
    let codes: Vec<&str> = loaded.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&codes::UNKNOWN_FIELD), "{}", render(&loaded));
    assert!(
        codes.contains(&codes::DANGLING_REFERENCE),
        "{}",
        render(&loaded)
    );
    assert_eq!(exit_code(&loaded), 1);
}
