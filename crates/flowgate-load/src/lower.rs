//! Lowering: wire documents into validated domain assets.
//!
//! Every invalid value becomes a located diagnostic; lowering goes on to find the others.
//! An asset with any invalid part is left out of the model, but its id is remembered so that
//! references to it are not reported a second time as dangling.

use crate::codes;
use crate::wire::*;
use flowgate_diagnostics::suggest::did_you_mean;
use flowgate_diagnostics::{Diagnostic, SourceText, Span};
use flowgate_model as m;
use flowgate_model::{AssetId, Located, StepId};
use flowgate_syntax::Spanned;
use std::collections::BTreeMap;
use std::path::Path;

#[path = "lower_integration.rs"]
mod integration;
#[path = "lower_watch.rs"]
mod watch;

/// Lowers the documents of one file.
pub(crate) struct Lowerer<'a> {
    pub source: &'a SourceText,
    pub file: m::FileId,
    pub dir: &'a Path,
    pub root: &'a Path,
    pub diagnostics: &'a mut Vec<Diagnostic>,
    ok: bool,
}

/// The result of lowering one document.
pub(crate) enum Lowered {
    /// A valid asset.
    Asset(Box<m::Asset>),
    /// An invalid asset whose id is known.
    Invalid(Located<AssetId>),
    /// Nothing usable.
    Nothing,
}

impl<'a> Lowerer<'a> {
    pub fn new(
        source: &'a SourceText,
        file: m::FileId,
        dir: &'a Path,
        root: &'a Path,
        diagnostics: &'a mut Vec<Diagnostic>,
    ) -> Self {
        Self {
            source,
            file,
            dir,
            root,
            diagnostics,
            ok: true,
        }
    }

    fn error(&mut self, code: &str, span: Span, message: impl Into<String>, help: Option<String>) {
        self.ok = false;
        let mut d = Diagnostic::error(code, message).at(self.source, span);
        if let Some(help) = help {
            d = d.with_help(help);
        }
        self.diagnostics.push(d);
    }

    fn invalid(&mut self, span: Span, message: impl Into<String>) {
        self.error(codes::INVALID_VALUE, span, message, None);
    }

    /// FG012 for a value that is not a secret reference. The value is most likely the secret
    /// itself, so the diagnostic marks it and every report masks it; `env:lower_case` is a
    /// misspelt reference and gets the upper-case name instead.
    fn bad_secret_ref(&mut self, span: Span, e: &m::SecretRefError, help: Option<&str>) {
        if let Some(name) = lower_case_env_name(&e.text) {
            let upper = name.to_ascii_uppercase();
            self.error(
                codes::INVALID_VALUE,
                span,
                format!("environment variable names are UPPER_CASE: write `env:{upper}`, not `env:{name}`"),
                Some(format!("rename the variable `{upper}` where it is set, and write `env:{upper}` here")),
            );
            return;
        }
        self.ok = false;
        let mut d = Diagnostic::error(codes::INVALID_VALUE, e.to_string())
            .at(self.source, span)
            .with_secret(e.text.trim());
        if let Some(help) = help {
            d = d.with_help(help);
        }
        self.diagnostics.push(d);
    }

    /// Lower one asset document.
    pub fn asset(&mut self, wire: AssetWire, doc_span: Span) -> Lowered {
        self.ok = true;
        macro_rules! meta {
            ($w:expr) => {
                (
                    &$w.id,
                    $w.name.clone(),
                    $w.description.clone(),
                    $w.owner.clone(),
                    $w.labels.clone(),
                )
            };
        }
        let (id, name, description, owner, labels) = match &wire {
            AssetWire::Field(w) => meta!(w),
            AssetWire::Tag(w) => meta!(w),
            AssetWire::List(w) => meta!(w),
            AssetWire::Consent(w) => meta!(w),
            AssetWire::Form(w) => meta!(w),
            AssetWire::ScoringRule(w) => meta!(w),
            AssetWire::Template(w) => meta!(w),
            AssetWire::Webhook(w) => meta!(w),
            AssetWire::System(w) => meta!(w),
            AssetWire::Integration(w) => meta!(w),
            AssetWire::Workflow(w) => meta!(w),
            AssetWire::Bundle(w) => meta!(w),
            AssetWire::Reconciliation(w) => meta!(w),
            AssetWire::Watch(w) => meta!(w),
        };
        let Some(id) = self.id(id) else {
            return Lowered::Nothing;
        };
        let spec = match wire {
            AssetWire::Field(w) => self.field(w).map(m::AssetSpec::Field),
            AssetWire::Tag(_) => Some(m::AssetSpec::Tag(m::Tag {})),
            AssetWire::List(w) => self.list(w).map(m::AssetSpec::List),
            AssetWire::Consent(w) => self.consent(w).map(m::AssetSpec::Consent),
            AssetWire::Form(w) => self.form(w).map(m::AssetSpec::Form),
            AssetWire::ScoringRule(w) => self.scoring_rule(w).map(m::AssetSpec::ScoringRule),
            AssetWire::Template(w) => self.template(w).map(m::AssetSpec::Template),
            AssetWire::Webhook(w) => self.webhook(w).map(m::AssetSpec::Webhook),
            AssetWire::System(w) => Some(m::AssetSpec::System(m::System {
                category: w.category,
                product: w.product,
                version: w.version,
                escalation: w.escalation,
            })),
            AssetWire::Integration(w) => self.integration(w).map(m::AssetSpec::Integration),
            AssetWire::Workflow(w) => self.workflow(w).map(m::AssetSpec::Workflow),
            AssetWire::Bundle(w) => self.bundle(w).map(m::AssetSpec::Bundle),
            AssetWire::Reconciliation(w) => {
                self.reconciliation(w).map(m::AssetSpec::Reconciliation)
            }
            AssetWire::Watch(w) => self.watch(w).map(m::AssetSpec::Watch),
        };
        match spec {
            Some(spec) if self.ok => Lowered::Asset(Box::new(m::Asset {
                id,
                name,
                description,
                owner,
                labels,
                spec,
                origin: m::Origin {
                    file: self.file,
                    span: doc_span,
                },
            })),
            _ => Lowered::Invalid(id),
        }
    }

    // ---- scalar helpers -------------------------------------------------------------

    fn id(&mut self, raw: &Spanned<String>) -> Option<Located<AssetId>> {
        match AssetId::new(raw.value.clone()) {
            Ok(id) => Some(Located::new(id, raw.span)),
            Err(e) => {
                self.invalid(raw.span, format!("invalid id `{}`: {e}", raw.value));
                None
            }
        }
    }

    fn step_id(&mut self, raw: &Spanned<String>) -> Option<Located<StepId>> {
        match StepId::new(raw.value.clone()) {
            Ok(id) => Some(Located::new(id, raw.span)),
            Err(e) => {
                self.invalid(raw.span, format!("invalid step id `{}`: {e}", raw.value));
                None
            }
        }
    }

    fn opt_id(&mut self, raw: &Option<Spanned<String>>) -> Result<Option<Located<AssetId>>, ()> {
        match raw {
            None => Ok(None),
            Some(raw) => self.id(raw).map(Some).ok_or(()),
        }
    }

    fn opt_step(&mut self, raw: &Option<Spanned<String>>) -> Result<Option<Located<StepId>>, ()> {
        match raw {
            None => Ok(None),
            Some(raw) => self.step_id(raw).map(Some).ok_or(()),
        }
    }

    fn duration(&mut self, raw: &Spanned<String>) -> Option<m::Duration> {
        match m::Duration::parse(&raw.value) {
            Ok(d) => Some(d),
            Err(e) => {
                self.invalid(raw.span, e.to_string());
                None
            }
        }
    }

    fn opt_duration(&mut self, raw: &Option<Spanned<String>>) -> Result<Option<m::Duration>, ()> {
        match raw {
            None => Ok(None),
            Some(raw) => self.duration(raw).map(Some).ok_or(()),
        }
    }

    fn time(&mut self, raw: &Spanned<String>) -> Option<m::TimeOfDay> {
        match m::TimeOfDay::parse(&raw.value) {
            Ok(t) => Some(t),
            Err(e) => {
                self.invalid(raw.span, e.to_string());
                None
            }
        }
    }

    fn time_zone(&mut self, raw: &Spanned<String>, allow_contact: bool) -> Option<Located<String>> {
        if (allow_contact && raw.value == "contact") || raw.value.parse::<chrono_tz::Tz>().is_ok() {
            return Some(Located::new(raw.value.clone(), raw.span));
        }
        let hint = did_you_mean(
            &raw.value,
            chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()),
        )
        .map(|s| format!("did you mean `{s}`? "))
        .unwrap_or_default();
        self.error(
            codes::INVALID_VALUE,
            raw.span,
            format!("unknown time zone `{}`", raw.value),
            Some(format!(
                "{hint}use an IANA name such as `Europe/Berlin` or `America/New_York`{}",
                if allow_contact {
                    ", or `contact` for each contact's own time zone"
                } else {
                    ""
                }
            )),
        );
        None
    }

    fn url(&mut self, raw: &Spanned<String>) -> Option<Located<String>> {
        match url::Url::parse(&raw.value) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                Some(Located::new(raw.value.clone(), raw.span))
            }
            Ok(u) => {
                self.invalid(
                    raw.span,
                    format!(
                        "`{}` is not an http(s) URL (scheme `{}`)",
                        raw.value,
                        u.scheme()
                    ),
                );
                None
            }
            Err(e) => {
                self.error(
                    codes::INVALID_VALUE,
                    raw.span,
                    format!("`{}` is not a valid URL: {e}", raw.value),
                    Some("write a full URL such as `https://crm.example.com/api/leads`".into()),
                );
                None
            }
        }
    }

    /// Map a span inside a scalar's value to a span in the file (see [`crate::value_span`]).
    fn inner_span(&self, raw: &Spanned<String>, relative: Span) -> Span {
        crate::span::value_span(self.source.text(), raw.span, &raw.value, relative)
    }

    fn condition(&mut self, raw: &Spanned<String>) -> Option<Located<m::Expression>> {
        match flowgate_lang::analyse_condition(&raw.value) {
            Ok(uses) => {
                let fields = uses
                    .into_iter()
                    .map(|(field, span)| Located::new(field, self.inner_span(raw, span)))
                    .collect();
                Some(Located::new(
                    m::Expression {
                        source: raw.value.clone(),
                        fields,
                    },
                    raw.span,
                ))
            }
            Err(errors) => {
                for e in errors {
                    let span = self.inner_span(raw, e.span);
                    self.error(
                        codes::BAD_CONDITION,
                        span,
                        format!("invalid condition: {}", e.message),
                        Some(e.help.unwrap_or_else(|| {
                            "conditions are CEL expressions, e.g. `contact.country == \"DE\" && contact.score >= 50`".into()
                        })),
                    );
                }
                None
            }
        }
    }

    fn opt_condition(
        &mut self,
        raw: &Option<Spanned<String>>,
    ) -> Result<Option<Located<m::Expression>>, ()> {
        match raw {
            None => Ok(None),
            Some(raw) => self.condition(raw).map(Some).ok_or(()),
        }
    }

    fn template_text(&mut self, raw: &Spanned<String>) -> Option<m::TemplateText> {
        self.template_source(&raw.value, |this, relative| this.inner_span(raw, relative))
    }

    fn template_source(
        &mut self,
        text: &str,
        locate: impl Fn(&Self, Span) -> Span,
    ) -> Option<m::TemplateText> {
        match flowgate_lang::analyse_template(text) {
            Ok(variables) => {
                let variables = variables
                    .into_iter()
                    .map(|(v, span)| Located::new(v, locate(self, span)))
                    .collect();
                Some(m::TemplateText::new(text.to_owned(), variables))
            }
            Err(errors) => {
                for e in errors {
                    let span = locate(self, e.span);
                    self.error(
                        codes::BAD_TEMPLATE,
                        span,
                        format!("invalid template: {}", e.message),
                        e.help,
                    );
                }
                None
            }
        }
    }

    fn opt_template(
        &mut self,
        raw: &Option<Spanned<String>>,
    ) -> Result<Option<Located<m::TemplateText>>, ()> {
        match raw {
            None => Ok(None),
            Some(r) => self
                .template_text(r)
                .map(|t| Some(Located::new(t, r.span)))
                .ok_or(()),
        }
    }

    fn literal(wire: &LiteralWire) -> m::Literal {
        match wire {
            LiteralWire::Null => m::Literal::Null,
            LiteralWire::Bool(b) => m::Literal::Bool(*b),
            LiteralWire::Int(i) => m::Literal::Int(*i),
            LiteralWire::Float(f) => m::Literal::Float(*f),
            LiteralWire::String(s) => m::Literal::String(s.clone()),
        }
    }

    // ---- kinds ----------------------------------------------------------------------

    fn field(&mut self, w: FieldWire) -> Option<m::Field> {
        let options: Vec<m::EnumOption> = w
            .options
            .iter()
            .map(|o| match &o.value {
                EnumOptionWire::Value(v) => m::EnumOption {
                    value: v.clone(),
                    label: None,
                },
                EnumOptionWire::Labelled { value, label } => m::EnumOption {
                    value: value.clone(),
                    label: label.clone(),
                },
            })
            .collect();
        let field_type = w.field_type.as_ref().map(|t| t.value);
        if !options.is_empty() && field_type != Some(m::FieldType::Enum) {
            let span = w.options.first().map_or(w.id.span, |o| o.span);
            self.error(
                codes::INVALID_VALUE,
                span,
                "only `enum` fields have options".to_owned(),
                Some("set `type: enum`, or remove `options`".into()),
            );
        }
        let mut seen = BTreeMap::new();
        for (option, wire) in options.iter().zip(&w.options) {
            if let Some(first) = seen.insert(option.value.clone(), wire.span) {
                let first = self.source.locate(first);
                self.ok = false;
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::INVALID_VALUE,
                        format!("option `{}` is listed twice", option.value),
                    )
                    .at(self.source, wire.span)
                    .with_related(first, "first listed here"),
                );
            }
        }
        if let (Some(default), Some(m::FieldType::Enum)) = (&w.default, field_type) {
            if let LiteralWire::String(value) = &default.value {
                if !options.is_empty() && !options.iter().any(|o| &o.value == value) {
                    self.error(
                        codes::INVALID_VALUE,
                        default.span,
                        format!("default `{value}` is not one of the field's options"),
                        Some(format!(
                            "options are: {}",
                            options
                                .iter()
                                .map(|o| o.value.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                    );
                }
            }
        }
        Some(m::Field {
            object: w.object.unwrap_or_default(),
            field_type,
            options,
            default: w.default.as_ref().map(|d| Self::literal(&d.value)),
            pii: w.pii,
        })
    }

    fn list(&mut self, w: ListWire) -> Option<m::List> {
        let list_type = w.list_type.as_ref().map(|t| t.value).unwrap_or_default();
        let filter = self.opt_condition(&w.filter).ok()?;
        match (list_type, &filter) {
            (m::ListType::Dynamic, None) => self.error(
                codes::MISSING_FIELD,
                w.list_type.as_ref().map_or(w.id.span, |t| t.span),
                "a dynamic list needs a `filter`".to_owned(),
                Some("add `filter: <CEL condition>`, or make the list `type: static`".into()),
            ),
            (m::ListType::Static, Some(f)) => self.error(
                codes::INVALID_VALUE,
                f.span,
                "a static list has no filter".to_owned(),
                Some("set `type: dynamic` to make it a segment, or remove `filter`".into()),
            ),
            _ => {}
        }
        Some(m::List { list_type, filter })
    }

    fn consent(&mut self, w: ConsentWire) -> Option<m::Consent> {
        let status_field = self.id(&w.status_field);
        let timestamp_field = self.opt_id(&w.timestamp_field);
        let source_field = self.opt_id(&w.source_field);
        Some(m::Consent {
            purpose: w.purpose,
            channel: w.channel,
            status_field: status_field?,
            timestamp_field: timestamp_field.ok()?,
            source_field: source_field.ok()?,
        })
    }

    fn form(&mut self, w: FormWire) -> Option<m::Form> {
        let fields: Vec<_> = w
            .fields
            .iter()
            .map(|f| {
                self.id(&f.field).map(|field| m::FormField {
                    field,
                    required: f.required,
                    label: f.label.clone(),
                })
            })
            .collect();
        let hidden: Vec<_> = w
            .hidden
            .iter()
            .map(|h| {
                self.id(&h.field).map(|field| m::HiddenField {
                    field,
                    param: h.param.value.clone(),
                })
            })
            .collect();
        let dedupe_key = self.opt_id(&w.dedupe_key);
        let consent: Vec<_> = w
            .consent
            .iter()
            .map(|c| {
                self.id(&c.consent).map(|consent| m::ConsentCapture {
                    consent,
                    text: c.text.value.clone(),
                    required: c.required,
                })
            })
            .collect();
        Some(m::Form {
            fields: fields.into_iter().collect::<Option<_>>()?,
            hidden: hidden.into_iter().collect::<Option<_>>()?,
            dedupe_key: dedupe_key.ok()?,
            consent: consent.into_iter().collect::<Option<_>>()?,
        })
    }

    fn scoring_rule(&mut self, w: ScoringRuleWire) -> Option<m::ScoringRule> {
        let score_field = self.id(&w.score_field);
        let condition = self.condition(&w.condition);
        let decay = match &w.decay {
            Some(d) => Some(m::ScoreDecay {
                points: d.points,
                every: self.duration(&d.every)?,
            }),
            None => None,
        };
        Some(m::ScoringRule {
            score_field: score_field?,
            condition: condition?,
            points: w.points,
            max: w.max,
            decay,
        })
    }

    fn content(
        &mut self,
        subject: &Option<Spanned<String>>,
        preheader: &Option<Spanned<String>>,
        body: &Option<Spanned<String>>,
        body_file: &Option<Spanned<String>>,
        at: Span,
    ) -> Option<m::MessageContent> {
        let subject = self.opt_template(subject);
        let preheader = self.opt_template(preheader);
        let body = match (body, body_file) {
            (Some(_), Some(file)) => {
                self.error(
                    codes::INVALID_VALUE,
                    file.span,
                    "give either `body` or `body_file`, not both".to_owned(),
                    None,
                );
                None
            }
            (Some(body), None) => self
                .template_text(body)
                .map(|t| Located::new(m::Body::Inline(t), body.span)),
            (None, Some(file)) => self.body_file(file),
            (None, None) => {
                self.error(
                    codes::MISSING_FIELD,
                    at,
                    "missing `body` (or `body_file`)".to_owned(),
                    Some("write the message in `body`, or point `body_file` at a file beside this asset".into()),
                );
                None
            }
        };
        Some(m::MessageContent {
            subject: subject.ok()?,
            preheader: preheader.ok()?,
            body: body?,
        })
    }

    fn body_file(&mut self, file: &Spanned<String>) -> Option<Located<m::Body>> {
        let relative = Path::new(&file.value);
        if relative.is_absolute()
            || !normalize(&self.dir.join(relative)).starts_with(normalize(self.root))
        {
            self.invalid(
                file.span,
                format!("`{}` points outside the workspace", file.value),
            );
            return None;
        }
        let path = self.dir.join(relative);
        // The lexical check above cannot see symbolic links: resolve them, and read the file
        // only where it really is inside the workspace.
        let path = match resolved_inside(&path, self.root) {
            Ok(real) => real,
            Err(()) => {
                self.invalid(
                    file.span,
                    format!(
                        "`{}` leads outside the workspace through a symbolic link",
                        file.value
                    ),
                );
                return None;
            }
        };
        let text = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    self.error(
                        codes::UNREADABLE,
                        file.span,
                        format!("body file `{}` is not UTF-8 text", file.value),
                        Some("save the file as UTF-8".into()),
                    );
                    return None;
                }
            },
            Err(e) => {
                self.error(
                    codes::UNREADABLE,
                    file.span,
                    format!("cannot read body file `{}`: {e}", file.value),
                    Some("paths are relative to the asset file's directory".into()),
                );
                return None;
            }
        };
        // Problems inside the body file are reported at the `body_file` value.
        let text = self.template_source(&text, |_, _| file.span)?;
        Some(Located::new(
            m::Body::File(m::BodyFile {
                path: file.value.clone(),
                text,
            }),
            file.span,
        ))
    }

    fn template(&mut self, w: TemplateWire) -> Option<m::Template> {
        let sender = w.sender.as_ref().map(|s| {
            Located::new(
                m::Sender {
                    name: s.value.name.clone(),
                    address: s.value.address.value.clone(),
                },
                s.span,
            )
        });
        let content = self.content(&w.subject, &w.preheader, &w.body, &w.body_file, w.id.span);
        let mut locales = BTreeMap::new();
        let mut locales_ok = true;
        for (locale, c) in &w.locales {
            let v = &c.value;
            match self.content(&v.subject, &v.preheader, &v.body, &v.body_file, c.span) {
                Some(content) => {
                    locales.insert(locale.clone(), Located::new(content, c.span));
                }
                None => locales_ok = false,
            }
        }
        if w.channel.value == m::Channel::Sms {
            if let Some(subject) = &w.subject {
                self.error(
                    codes::INVALID_VALUE,
                    subject.span,
                    "an SMS has no subject".to_owned(),
                    Some("remove `subject`, or set `channel: email`".into()),
                );
            }
        }
        if !matches!(w.channel.value, m::Channel::Email | m::Channel::Sms) {
            self.error(
                codes::INVALID_VALUE,
                w.channel.span,
                format!(
                    "templates are `email` or `sms`, not `{}`",
                    w.channel.value.as_str()
                ),
                None,
            );
        }
        if !locales_ok {
            return None;
        }
        Some(m::Template {
            channel: w.channel.value,
            category: w.category.unwrap_or_default(),
            sender,
            content: content?,
            locales,
        })
    }

    fn webhook(&mut self, w: WebhookWire) -> Option<m::Webhook> {
        // A bad endpoint must not hide the problems after it (a literal secret, above all).
        let endpoint = match &w.endpoint {
            Some(e) => self.url(e).map(Some),
            None => Some(None),
        };
        let mut endpoints = BTreeMap::new();
        for (env, url) in &w.endpoints {
            if let Some(url) = self.url(url) {
                endpoints.insert(env.clone(), url);
            }
        }
        if w.endpoint.is_none() && w.endpoints.is_empty() {
            self.error(
                codes::MISSING_FIELD,
                w.id.span,
                "a webhook needs `endpoint` or `endpoints`".to_owned(),
                Some(
                    "add `endpoint: https://…`, or `endpoints: { dev: …, stage: …, prod: … }`"
                        .into(),
                ),
            );
        }
        let auth = match &w.auth {
            Some(a) => match m::SecretRef::parse(&a.secret.value) {
                Ok(secret) => Some(m::WebhookAuth {
                    scheme: a.scheme,
                    secret: Located::new(secret, a.secret.span),
                    header: a.header.clone(),
                }),
                Err(e) => {
                    self.bad_secret_ref(a.secret.span, &e, None);
                    None
                }
            },
            None => None,
        };
        let timeout = self.opt_duration(&w.timeout);
        let retries = match &w.retries {
            Some(r) => {
                let initial = self.opt_duration(&r.initial);
                let max_delay = self.opt_duration(&r.max_delay);
                Some(m::RetryPolicy {
                    max: r.max,
                    backoff: r.backoff.unwrap_or(m::Backoff::Exponential),
                    initial: initial.ok()?.unwrap_or(m::Duration::from_seconds(1)),
                    max_delay: max_delay.ok()?,
                })
            }
            None => None,
        };
        Some(m::Webhook {
            method: w.method.unwrap_or(m::HttpMethod::Post),
            endpoint: endpoint?,
            endpoints,
            auth,
            headers: w
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), Located::new(v.value.clone(), v.span)))
                .collect(),
            timeout: timeout.ok()?,
            retries,
            dead_letter: w.dead_letter,
            alert: w.alert,
        })
    }

    fn reconcile_source(&mut self, w: &ReconcileSourceWire) -> Option<m::ReconcileSource> {
        let url = match m::SecretRef::parse(&w.url.value) {
            Ok(secret) => Some(Located::new(secret, w.url.span)),
            Err(e) => {
                let help =
                    "put the connection URL in an environment variable and write `url: env:NAME`";
                self.bad_secret_ref(w.url.span, &e, Some(help));
                None
            }
        };
        match (&w.table, &w.query) {
            (Some(_), Some(q)) => self.invalid(q.span, "give either `table` or `query`, not both"),
            (None, None) => self.error(
                codes::MISSING_FIELD,
                w.url.span,
                "a reconciliation source needs `table` or `query`".to_owned(),
                Some("add `table: sales_order` or `query: SELECT …`".into()),
            ),
            (Some(t), None) => {
                if t.value.is_empty()
                    || !t
                        .value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                {
                    self.invalid(
                        t.span,
                        format!(
                            "`{}` is not a table name (letters, digits, `_`, `.`)",
                            t.value
                        ),
                    );
                }
            }
            (None, Some(_)) => {}
        }
        for column in [&w.watermark, &w.timezone].into_iter().flatten() {
            if column.value.contains('\'') {
                self.invalid(column.span, "quotes are not allowed here");
            }
        }
        Some(m::ReconcileSource {
            url: url?,
            table: w.table.as_ref().map(|t| t.value.clone()),
            query: w.query.as_ref().map(|q| q.value.clone()),
            filter: w.filter.clone(),
            watermark: w.watermark.as_ref().map(|c| c.value.clone()),
            timezone: w.timezone.as_ref().map(|c| c.value.clone()),
        })
    }

    fn reconciliation(&mut self, w: ReconciliationWire) -> Option<m::Reconciliation> {
        let left = self.reconcile_source(&w.left);
        let right = self.reconcile_source(&w.right);
        if w.key.value.is_empty() {
            self.invalid(w.key.span, "a reconciliation needs at least one key part");
        }
        for column in &w.columns {
            if let Some(tolerance) = &column.value.tolerance {
                let valid = !tolerance.is_empty()
                    && tolerance.chars().all(|c| c.is_ascii_digit() || c == '.')
                    && tolerance.matches('.').count() <= 1;
                if !valid {
                    self.invalid(
                        column.span,
                        format!("tolerance `{tolerance}` is not a decimal number like \"0.01\""),
                    );
                }
            }
        }
        let grace = self.opt_duration(&w.grace);
        Some(m::Reconciliation {
            left: left?,
            right: right?,
            key: w.key.value,
            segment_by: w.segment_by,
            columns: w.columns.into_iter().map(|c| c.value).collect(),
            grace: grace.ok()?,
            aggregates: w.aggregates.into_iter().map(|a| a.value).collect(),
            drift: w.drift,
        })
    }

    fn bundle(&mut self, w: BundleWire) -> Option<m::Bundle> {
        let mut members = Vec::new();
        let mut members_ok = true;
        for member in &w.members {
            match member {
                MemberWire::Id(id) => match self.id(id) {
                    Some(id) => members.push(m::Member::Id(id)),
                    None => members_ok = false,
                },
                MemberWire::Selector(selector) => {
                    let kind = match &selector.value.kind {
                        Some(kind) => match m::AssetKind::parse(&kind.value) {
                            Some(k) => Some(k),
                            None => {
                                let hint = did_you_mean(&kind.value, m::AssetKind::names());
                                self.error(
                                    codes::UNKNOWN_VARIANT,
                                    kind.span,
                                    format!("unknown kind `{}`", kind.value),
                                    Some(match hint {
                                        Some(h) => format!("did you mean `{h}`?"),
                                        None => format!(
                                            "kinds are: {}",
                                            m::AssetKind::names().join(", ")
                                        ),
                                    }),
                                );
                                members_ok = false;
                                continue;
                            }
                        },
                        None => None,
                    };
                    members.push(m::Member::Selector(Located::new(
                        m::Selector {
                            kind,
                            labels: selector.value.labels.clone(),
                            id_prefix: selector.value.id_prefix.clone(),
                        },
                        selector.span,
                    )));
                }
            }
        }
        let externals: Vec<_> = w.externals.iter().map(|e| self.id(e)).collect();
        if !members_ok {
            return None;
        }
        Some(m::Bundle {
            members,
            externals: externals.into_iter().collect::<Option<_>>()?,
            alert: w.alert,
            release_prefix: w.release_prefix,
        })
    }

    // ---- workflows ------------------------------------------------------------------

    fn workflow(&mut self, w: WorkflowWire) -> Option<m::Workflow> {
        if w.triggers.is_empty() {
            self.error(
                codes::MISSING_FIELD,
                w.id.span,
                "a workflow needs at least one trigger".to_owned(),
                Some("add `triggers: [{ type: form_submitted, form: <form id> }]` or another trigger".into()),
            );
        }
        let triggers: Vec<_> = w
            .triggers
            .iter()
            .map(|t| self.trigger(&t.value).map(|v| Located::new(v, t.span)))
            .collect();
        let enrollment = self.enrollment(w.enrollment.unwrap_or_default());
        let settings = self.settings(w.settings.unwrap_or_default());
        let start = self.opt_step(&w.start);
        let steps: Vec<_> = w
            .steps
            .iter()
            .map(|s| self.step(&s.value, s.span))
            .collect();
        if w.steps.is_empty() {
            self.error(
                codes::MISSING_FIELD,
                w.id.span,
                "a workflow needs at least one step".to_owned(),
                None,
            );
        }
        let workflow = m::Workflow {
            triggers: triggers.into_iter().collect::<Option<_>>()?,
            enrollment: enrollment?,
            settings: settings?,
            start: start.ok()?,
            steps: steps.into_iter().collect::<Option<_>>()?,
        };
        self.step_graph(&workflow);
        Some(workflow)
    }

    fn step_graph(&mut self, workflow: &m::Workflow) {
        let mut seen: BTreeMap<&StepId, Span> = BTreeMap::new();
        for step in &workflow.steps {
            if let Some(first) = seen.insert(&step.id.value, step.id.span) {
                let first = self.source.locate(first);
                self.ok = false;
                self.diagnostics.push(
                    Diagnostic::error(codes::STEP_GRAPH, format!("step id `{}` is used twice", step.id.value))
                        .at(self.source, step.id.span)
                        .with_related(first, "first used here")
                        .with_help("step ids must be unique inside a workflow: diffs and history match steps by id"),
                );
            }
        }
        let mut listed = std::collections::BTreeSet::new();
        let known: Vec<&str> = workflow
            .steps
            .iter()
            .map(|s| s.id.as_str())
            .filter(|id| listed.insert(*id))
            .collect();
        let check = |this: &mut Self, target: &m::StepRef| {
            if !seen.contains_key(&target.value) {
                let hint = did_you_mean(target.as_str(), known.iter().copied())
                    .map(|s| format!("did you mean `{s}`? "))
                    .unwrap_or_default();
                this.error(
                    codes::STEP_GRAPH,
                    target.span,
                    format!("no step `{}` in this workflow", target.value),
                    Some(format!("{hint}steps are: {}", known.join(", "))),
                );
            }
        };
        if let Some(start) = &workflow.start {
            check(self, start);
        }
        for step in &workflow.steps {
            for (_, target) in step.action.edges() {
                check(self, target);
            }
        }
    }

    fn trigger(&mut self, t: &TriggerWire) -> Option<m::Trigger> {
        Some(match t {
            TriggerWire::FormSubmitted(w) => m::Trigger::FormSubmitted {
                form: self.id(&w.form)?,
            },
            TriggerWire::TagAdded(w) => m::Trigger::TagAdded {
                tag: self.id(&w.tag)?,
            },
            TriggerWire::TagRemoved(w) => m::Trigger::TagRemoved {
                tag: self.id(&w.tag)?,
            },
            TriggerWire::ListJoined(w) => m::Trigger::ListJoined {
                list: self.id(&w.list)?,
            },
            TriggerWire::ListLeft(w) => m::Trigger::ListLeft {
                list: self.id(&w.list)?,
            },
            TriggerWire::FieldChanged(w) => m::Trigger::FieldChanged {
                field: self.id(&w.field)?,
                to: w.to.as_ref().map(Self::literal),
            },
            TriggerWire::ContactCreated(_) => m::Trigger::ContactCreated {},
            TriggerWire::WebhookReceived(w) => m::Trigger::WebhookReceived {
                path: w.path.clone(),
            },
            TriggerWire::Schedule(w) => {
                let time_zone = self.time_zone(&w.time_zone, false);
                let cron = self.cron(&w.cron);
                m::Trigger::Schedule {
                    cron: cron?,
                    time_zone: time_zone?,
                }
            }
            TriggerWire::OrderPlaced(w) => m::Trigger::OrderPlaced {
                store: w.store.clone(),
            },
            TriggerWire::OrderStatusChanged(w) => m::Trigger::OrderStatusChanged {
                from: w.from.clone(),
                to: w.to.clone(),
            },
            TriggerWire::CartAbandoned(w) => m::Trigger::CartAbandoned {
                after: self.duration(&w.after)?,
            },
        })
    }

    fn cron(&mut self, raw: &Spanned<String>) -> Option<Located<String>> {
        let parts: Vec<&str> = raw.value.split_whitespace().collect();
        let fields = parts.len();
        let expression = match fields {
            5 => format!("0 {}", parts.join(" ")),
            6 | 7 => parts.join(" "),
            _ => {
                self.error(
                    codes::INVALID_VALUE,
                    raw.span,
                    format!("`{}` is not a cron expression: it has {fields} fields", raw.value),
                    Some("write 5 fields (minute hour day-of-month month day-of-week), e.g. `0 9 * * MON-FRI`".into()),
                );
                return None;
            }
        };
        match expression.parse::<cron::Schedule>() {
            Ok(_) => Some(Located::new(raw.value.clone(), raw.span)),
            Err(e) => {
                self.error(
                    codes::INVALID_VALUE,
                    raw.span,
                    match cron_reason(&e.to_string()) {
                        Some(reason) => {
                            format!("`{}` is not a valid cron expression: {reason}", raw.value)
                        }
                        None => format!("`{}` is not a valid cron expression", raw.value),
                    },
                    Some("fields are minute hour day-of-month month day-of-week, e.g. `30 8 * * MON`".into()),
                );
                None
            }
        }
    }

    fn enrollment(&mut self, w: EnrollmentWire) -> Option<m::Enrollment> {
        let filter = self.opt_condition(&w.filter);
        let reenroll = match &w.reenroll {
            None => Located::default(),
            Some(raw) => {
                let value = match raw.value.trim() {
                    "never" => Some(m::Reenrollment::Never),
                    "always" => Some(m::Reenrollment::Always),
                    other => match other.strip_prefix("after ") {
                        Some(d) => match m::Duration::parse(d) {
                            Ok(d) => Some(m::Reenrollment::After(d)),
                            Err(e) => {
                                self.invalid(raw.span, e.to_string());
                                return None;
                            }
                        },
                        None => None,
                    },
                };
                match value {
                    Some(v) => Located::new(v, raw.span),
                    None => {
                        self.error(
                            codes::INVALID_VALUE,
                            raw.span,
                            format!("`{}` is not a re-enrollment policy", raw.value),
                            Some(
                                "write `never`, `always` or `after <duration>` (e.g. `after 30d`)"
                                    .into(),
                            ),
                        );
                        return None;
                    }
                }
            }
        };
        Some(m::Enrollment {
            filter: filter.ok()?,
            reenroll,
        })
    }

    fn window(&mut self, w: &TimeWindowWire) -> Option<m::TimeWindow> {
        let start = self.time(&w.start);
        let end = self.time(&w.end);
        let time_zone = self.time_zone(&w.time_zone, true);
        Some(m::TimeWindow {
            start: start?,
            end: end?,
            time_zone: time_zone?,
            days: w.days.clone(),
        })
    }

    fn settings(&mut self, w: SettingsWire) -> Option<m::Settings> {
        let quiet_hours = match &w.quiet_hours {
            Some(q) => self.window(&q.value).map(|v| Some(Located::new(v, q.span))),
            None => Some(None),
        };
        let frequency_cap = match &w.frequency_cap {
            Some(cap) => self.duration(&cap.value.per).map(|per| {
                Some(Located::new(
                    m::FrequencyCap {
                        max: cap.value.max,
                        per,
                    },
                    cap.span,
                ))
            }),
            None => Some(None),
        };
        let suppression: Vec<_> = w.suppression.iter().map(|s| self.id(s)).collect();
        let mut consent = BTreeMap::new();
        let mut consent_ok = true;
        for (channel, id) in &w.consent {
            let parsed = match channel.as_str() {
                "email" => Some(m::Channel::Email),
                "sms" => Some(m::Channel::Sms),
                "phone" => Some(m::Channel::Phone),
                "whatsapp" => Some(m::Channel::Whatsapp),
                "push" => Some(m::Channel::Push),
                _ => None,
            };
            match (parsed, self.id(id)) {
                (Some(channel), Some(id)) => {
                    consent.insert(channel, id);
                }
                (None, _) => {
                    consent_ok = false;
                    self.error(
                        codes::INVALID_VALUE,
                        id.span,
                        format!("`{channel}` is not a channel"),
                        Some("channels are email, sms, phone, whatsapp and push".into()),
                    );
                }
                (_, None) => consent_ok = false,
            }
        }
        let goal = match &w.goal {
            Some(g) => self.condition(&g.condition).map(|condition| {
                Some(m::Goal {
                    condition,
                    exit: g.exit,
                })
            }),
            None => Some(None),
        };
        let exit_when = self.opt_condition(&w.exit_when);
        if !consent_ok {
            return None;
        }
        Some(m::Settings {
            quiet_hours: quiet_hours?,
            frequency_cap: frequency_cap?,
            suppression: suppression.into_iter().collect::<Option<_>>()?,
            consent,
            goal: goal?,
            exit_when: exit_when.ok()?,
        })
    }

    /// One step of a workflow: its id, then what it does.
    fn step(&mut self, w: &StepWire, span: Span) -> Option<m::Step> {
        let (raw_id, name) = step_header(w);
        let id = self.step_id(raw_id);
        let action = self.step_action(w, span);
        Some(m::Step {
            id: id?,
            name: name.clone(),
            action: action?,
            span,
        })
    }

    /// What a step does, one lowering per step type.
    fn step_action(&mut self, w: &StepWire, span: Span) -> Option<m::StepAction> {
        use m::StepAction as A;
        match w {
            StepWire::SendEmail(s) => self.asset_step(&s.template, &s.next, |template, next| {
                A::SendEmail { template, next }
            }),
            StepWire::SendSms(s) => self.asset_step(&s.template, &s.next, |template, next| {
                A::SendSms { template, next }
            }),
            StepWire::AddTag(s) => {
                self.asset_step(&s.tag, &s.next, |tag, next| A::AddTag { tag, next })
            }
            StepWire::RemoveTag(s) => {
                self.asset_step(&s.tag, &s.next, |tag, next| A::RemoveTag { tag, next })
            }
            StepWire::AddToList(s) => {
                self.asset_step(&s.list, &s.next, |list, next| A::AddToList { list, next })
            }
            StepWire::RemoveFromList(s) => self.asset_step(&s.list, &s.next, |list, next| {
                A::RemoveFromList { list, next }
            }),
            StepWire::SetField(s) => self.set_field(s),
            StepWire::Wait(s) => self.wait(s, span),
            StepWire::Branch(s) => self.branch(s, span),
            StepWire::Split(s) => self.split(s),
            StepWire::CallWebhook(s) => self.call_webhook(s),
            StepWire::Enroll(s) => self.asset_step(&s.workflow, &s.next, |workflow, next| {
                A::Enroll { workflow, next }
            }),
            StepWire::AssignOwner(s) => self.assign_owner(s, span),
            StepWire::AdjustScore(s) => self.adjust_score(s),
            StepWire::Notify(s) => self.notify(s),
            StepWire::Exit(_) => Some(A::Exit {}),
        }
    }

    /// A step that names one asset (a template, tag, list or workflow), then the next step.
    fn asset_step(
        &mut self,
        asset: &Spanned<String>,
        next: &Option<Spanned<String>>,
        action: fn(Located<AssetId>, Option<Located<StepId>>) -> m::StepAction,
    ) -> Option<m::StepAction> {
        let asset = self.id(asset);
        let next = self.opt_step(next);
        Some(action(asset?, next.ok()?))
    }

    /// `set_field`: a field, the literal it is set to, then the next step.
    fn set_field(&mut self, s: &SetFieldStepWire) -> Option<m::StepAction> {
        let field = self.id(&s.field);
        let next = self.opt_step(&s.next);
        Some(m::StepAction::SetField {
            field: field?,
            value: Located::new(Self::literal(&s.value.value), s.value.span),
            next: next.ok()?,
        })
    }

    /// `branch`: conditional arms in order, then a default step.
    fn branch(&mut self, s: &BranchStepWire, span: Span) -> Option<m::StepAction> {
        let arms: Vec<_> = s.branches.iter().map(|arm| self.branch_arm(arm)).collect();
        let default = self.opt_step(&s.default);
        if s.branches.is_empty() {
            self.error(
                codes::MISSING_FIELD,
                span,
                "a branch needs at least one arm in `branches`".to_owned(),
                None,
            );
        }
        Some(m::StepAction::Branch {
            branches: arms.into_iter().collect::<Option<_>>()?,
            default: default.ok()?,
        })
    }

    fn branch_arm(&mut self, arm: &BranchArmWire) -> Option<m::BranchArm> {
        let condition = self.condition(&arm.condition);
        let next = self.step_id(&arm.next);
        Some(m::BranchArm {
            name: arm.name.clone(),
            condition: condition?,
            next: next?,
        })
    }

    /// `split`: paths with a share of contacts each.
    fn split(&mut self, s: &SplitStepWire) -> Option<m::StepAction> {
        let paths: Vec<_> = s.paths.iter().map(|p| self.split_path(p)).collect();
        paths
            .into_iter()
            .collect::<Option<_>>()
            .map(|paths| m::StepAction::Split { paths })
    }

    fn split_path(&mut self, p: &SplitPathWire) -> Option<m::SplitPath> {
        if p.percent.value > 100 {
            self.invalid(
                p.percent.span,
                format!("{}% is more than 100%", p.percent.value),
            );
        }
        self.step_id(&p.next).map(|next| m::SplitPath {
            name: p.name.clone(),
            percent: Located::new(p.percent.value, p.percent.span),
            next,
        })
    }

    /// `call_webhook`: a webhook, the next step, and the step taken when the call fails.
    fn call_webhook(&mut self, s: &WebhookStepWire) -> Option<m::StepAction> {
        let webhook = self.id(&s.webhook);
        let next = self.opt_step(&s.next);
        let on_error = self.opt_step(&s.on_error);
        Some(m::StepAction::CallWebhook {
            webhook: webhook?,
            next: next.ok()?,
            on_error: on_error.ok()?,
        })
    }

    /// `assign_owner`: owners or a queue, then the next step.
    fn assign_owner(&mut self, s: &AssignOwnerStepWire, span: Span) -> Option<m::StepAction> {
        if s.owners.is_empty() && s.queue.is_none() {
            self.error(
                codes::MISSING_FIELD,
                span,
                "an assign_owner step needs `owners` or a `queue`".to_owned(),
                None,
            );
        }
        let next = self.opt_step(&s.next);
        next.ok().map(|next| m::StepAction::AssignOwner {
            strategy: s.strategy,
            owners: s.owners.clone(),
            queue: s.queue.clone(),
            next,
        })
    }

    /// `adjust_score`: a score field and the points, then the next step.
    fn adjust_score(&mut self, s: &AdjustScoreStepWire) -> Option<m::StepAction> {
        let field = self.id(&s.field);
        let next = self.opt_step(&s.next);
        Some(m::StepAction::AdjustScore {
            field: field?,
            by: s.by,
            next: next.ok()?,
        })
    }

    /// `notify`: recipients and a message, then the next step.
    fn notify(&mut self, s: &NotifyStepWire) -> Option<m::StepAction> {
        let next = self.opt_step(&s.next);
        next.ok().map(|next| m::StepAction::Notify {
            to: s.to.clone(),
            message: s.message.clone(),
            next,
        })
    }

    fn wait(&mut self, s: &WaitStepWire, span: Span) -> Option<m::StepAction> {
        let given = [
            s.duration.is_some(),
            s.until_field.is_some(),
            s.until_window.is_some(),
        ]
        .into_iter()
        .filter(|b| *b)
        .count();
        if given != 1 {
            self.error(
                codes::INVALID_VALUE,
                span,
                if given == 0 {
                    "a wait step needs one of `duration`, `until_field` or `until_window`"
                        .to_owned()
                } else {
                    "a wait step takes only one of `duration`, `until_field` and `until_window`"
                        .to_owned()
                },
                Some("e.g. `duration: 3d`".into()),
            );
        }
        let duration = self.opt_duration(&s.duration);
        let until_field = self.opt_id(&s.until_field);
        let until_window = match &s.until_window {
            Some(w) => self.window(w).map(Some),
            None => Some(None),
        };
        let timeout = self.opt_duration(&s.timeout);
        let next = self.opt_step(&s.next);
        Some(m::StepAction::Wait {
            duration: duration.ok()?,
            until_field: until_field.ok()?,
            until_window: until_window?,
            timeout: timeout.ok()?,
            next: next.ok()?,
        })
    }
}

/// The id and name every step has.
fn step_header(w: &StepWire) -> (&Spanned<String>, &Option<String>) {
    match w {
        StepWire::SendEmail(s) | StepWire::SendSms(s) => (&s.id, &s.name),
        StepWire::AddTag(s) | StepWire::RemoveTag(s) => (&s.id, &s.name),
        StepWire::AddToList(s) | StepWire::RemoveFromList(s) => (&s.id, &s.name),
        StepWire::SetField(s) => (&s.id, &s.name),
        StepWire::Wait(s) => (&s.id, &s.name),
        StepWire::Branch(s) => (&s.id, &s.name),
        StepWire::Split(s) => (&s.id, &s.name),
        StepWire::CallWebhook(s) => (&s.id, &s.name),
        StepWire::Enroll(s) => (&s.id, &s.name),
        StepWire::AssignOwner(s) => (&s.id, &s.name),
        StepWire::AdjustScore(s) => (&s.id, &s.name),
        StepWire::Notify(s) => (&s.id, &s.name),
        StepWire::Exit(s) => (&s.id, &s.name),
    }
}

/// The explanation in a `cron` parse error. Its text repeats the expression as parsed
/// (with the seconds field added for 5-field expressions) and a caret line, then the reason:
/// only the reason means something to the user.
fn cron_reason(error: &str) -> Option<String> {
    let lines: Vec<&str> = error.lines().collect();
    let caret = lines
        .iter()
        .rposition(|l| l.contains('^') && l.chars().all(|c| matches!(c, ' ' | '|' | '^')));
    let reason = lines
        .get(caret.map_or(0, |i| i + 1)..)
        .unwrap_or_default()
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!reason.is_empty()).then_some(reason)
}

/// `path` with its symbolic links resolved, when it exists: `Err` when that real place is
/// outside the (real) workspace root. A path that cannot be resolved is returned as it is, so
/// reading it reports why.
fn resolved_inside(path: &Path, root: &Path) -> Result<std::path::PathBuf, ()> {
    let (Ok(real), Ok(real_root)) = (std::fs::canonicalize(path), std::fs::canonicalize(root))
    else {
        return Ok(path.to_path_buf());
    };
    if real.starts_with(&real_root) {
        Ok(real)
    } else {
        Err(())
    }
}

/// Resolve `.` and `..` components lexically (without touching the file system).
fn normalize(path: &Path) -> std::path::PathBuf {
    let mut out = std::path::PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The name of `env:name` when only its case keeps it from being a reference.
fn lower_case_env_name(text: &str) -> Option<&str> {
    let name = text.trim().strip_prefix("env:")?;
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.chars().any(|c| c.is_ascii_lowercase());
    valid.then_some(name)
}
