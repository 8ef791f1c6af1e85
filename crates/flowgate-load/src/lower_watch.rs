//! Lowering of watches: sources (secret references, workspace-relative paths), KPIs (their
//! source, query placeholders, comparison) and thresholds with their defaults.

use super::Lowerer;
use crate::codes;
use crate::wire::*;
use flowgate_diagnostics::suggest::did_you_mean;
use flowgate_diagnostics::Span;
use flowgate_model as m;
use flowgate_model::Located;
use flowgate_syntax::Spanned;
use std::collections::BTreeSet;

/// Most baseline weeks a comparison may pool.
const MAX_WEEKS: u32 = 12;

/// The watch-level settings every KPI inherits.
struct Inherited {
    compare: Option<m::Comparison>,
    thresholds: ThresholdsWire,
    on_fail: m::OnFail,
}

impl Lowerer<'_> {
    pub(super) fn watch(&mut self, w: WatchWire) -> Option<m::Watch> {
        if w.bundle.is_none() && w.environment.is_none() {
            self.error(
                codes::MISSING_FIELD,
                w.id.span,
                "a watch needs `bundle` or `environment`".to_owned(),
                Some("add `bundle: lead-intake` (the bundle whose releases are watched) or `environment: prod`".into()),
            );
        }
        let bundle = self.opt_id(&w.bundle).ok()?;
        let environment = w
            .environment
            .as_ref()
            .and_then(|e| self.environment_name(e));
        let sources = self.watch_sources(&w.sources);
        let compare = match &w.compare {
            Some(c) => Some(self.compare(c)?),
            None => None,
        };
        let inherited = Inherited {
            compare,
            thresholds: w.thresholds.map(|t| t.value).unwrap_or_default(),
            on_fail: w.on_fail.unwrap_or_default(),
        };
        if let Some(t) = &w.thresholds {
            self.thresholds(t.span, &t.value, &ThresholdsWire::default());
        }
        if w.kpis.value.is_empty() {
            self.error(
                codes::MISSING_FIELD,
                w.kpis.span,
                "a watch needs at least one KPI".to_owned(),
                Some(
                    "add a KPI under `kpis:` with `id`, `source`, `unit`, `bad` and `query`".into(),
                ),
            );
        }
        let mut seen = BTreeSet::new();
        let mut kpis = Vec::new();
        for kpi in &w.kpis.value {
            if !seen.insert(kpi.value.id.value.clone()) {
                self.invalid(
                    kpi.value.id.span,
                    format!(
                        "KPI `{}` is defined twice in this watch: KPI ids are unique",
                        kpi.value.id.value
                    ),
                );
            }
            kpis.push(self.kpi(&kpi.value, &sources, &inherited));
        }
        Some(m::Watch {
            bundle,
            environment,
            sources,
            kpis: kpis.into_iter().collect::<Option<Vec<_>>>()?,
        })
    }

    fn environment_name(&mut self, raw: &Spanned<String>) -> Option<Located<String>> {
        let valid = !raw.value.is_empty()
            && raw
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            self.invalid(
                raw.span,
                format!(
                    "`{}` is not an environment name (letters, digits, `-`, `_`)",
                    raw.value
                ),
            );
            return None;
        }
        Some(Located::new(raw.value.clone(), raw.span))
    }

    fn watch_sources(
        &mut self,
        raw: &Spanned<std::collections::BTreeMap<String, Spanned<WatchSourceWire>>>,
    ) -> Vec<m::NamedSource> {
        if raw.value.is_empty() {
            self.error(
                codes::MISSING_FIELD,
                raw.span,
                "a watch needs at least one source".to_owned(),
                Some("add e.g. `events: { type: postgres, url: env:EVENTS_DB_URL }` under `sources:`".into()),
            );
        }
        let mut out = Vec::new();
        for (name, source) in &raw.value {
            if m::validate_id(name).is_err() {
                self.invalid(
                    source.span,
                    format!("`{name}` is not a source name (letters, digits, `-`, `_`, `.`)"),
                );
                continue;
            }
            if let Some(lowered) = self.watch_source(source) {
                out.push(m::NamedSource {
                    name: Located::new(name.clone(), source.span),
                    source: lowered,
                });
            }
        }
        out
    }

    fn watch_source(&mut self, raw: &Spanned<WatchSourceWire>) -> Option<m::WatchSource> {
        let w = &raw.value;
        let kind = w.source_type.value;
        let needs = |field: &str| match field {
            "url" => matches!(
                kind,
                WatchSourceType::Postgres | WatchSourceType::Mysql | WatchSourceType::Prometheus
            ),
            "path" => matches!(
                kind,
                WatchSourceType::Sqlite | WatchSourceType::Csv | WatchSourceType::Jsonl
            ),
            _ => matches!(kind, WatchSourceType::Csv | WatchSourceType::Jsonl),
        };
        let fields = [
            ("url", &w.url),
            ("path", &w.path),
            ("time_field", &w.time_field),
        ];
        let mut ok = true;
        for (field, value) in fields {
            match (needs(field), value) {
                (true, None) => {
                    ok = false;
                    self.error(
                        codes::MISSING_FIELD,
                        w.source_type.span,
                        format!("a `{}` source needs `{field}`", source_type_name(kind)),
                        Some(source_help(kind).to_owned()),
                    );
                }
                (false, Some(v)) => {
                    ok = false;
                    self.invalid(
                        v.span,
                        format!("a `{}` source has no `{field}`", source_type_name(kind)),
                    );
                }
                _ => {}
            }
        }
        if !ok {
            return None;
        }
        self.watch_source_fields(kind, w)
    }

    fn watch_source_fields(
        &mut self,
        kind: WatchSourceType,
        w: &WatchSourceWire,
    ) -> Option<m::WatchSource> {
        let path = || w.path.as_ref().map(|p| (p.value.clone(), p.span));
        let time_field = w.time_field.as_ref().map(|t| t.value.clone());
        Some(match kind {
            WatchSourceType::Postgres => m::WatchSource::Postgres {
                url: self.database_url(w.url.as_ref()?)?,
            },
            WatchSourceType::Mysql => m::WatchSource::Mysql {
                url: self.database_url(w.url.as_ref()?)?,
            },
            WatchSourceType::Prometheus => m::WatchSource::Prometheus {
                url: self.prometheus_url(w.url.as_ref()?)?,
            },
            WatchSourceType::Sqlite => m::WatchSource::Sqlite {
                path: self.workspace_path(path()?)?,
            },
            WatchSourceType::Csv => m::WatchSource::Csv {
                path: self.workspace_path(path()?)?,
                time_field: time_field?,
            },
            WatchSourceType::Jsonl => m::WatchSource::Jsonl {
                path: self.workspace_path(path()?)?,
                time_field: time_field?,
            },
        })
    }

    fn database_url(&mut self, raw: &Spanned<String>) -> Option<Located<m::SecretRef>> {
        match m::SecretRef::parse(&raw.value) {
            Ok(secret) => Some(Located::new(secret, raw.span)),
            Err(e) => {
                let help =
                    "put the connection URL in an environment variable and write `url: env:NAME`";
                self.bad_secret_ref(raw.span, &e, Some(help));
                None
            }
        }
    }

    fn prometheus_url(&mut self, raw: &Spanned<String>) -> Option<Located<m::UrlRef>> {
        let text = raw.value.trim();
        if text.starts_with("env:") || text.starts_with("vault:") {
            return self.database_url(raw).map(|s| s.map(m::UrlRef::Secret));
        }
        let Some(rest) = text
            .strip_prefix("http://")
            .or_else(|| text.strip_prefix("https://"))
        else {
            self.invalid(
                raw.span,
                format!("`{text}` is not a Prometheus URL: write `http://host:9090` or `env:NAME`"),
            );
            return None;
        };
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.contains('@') || authority.is_empty() {
            let e = m::SecretRefError {
                text: text.to_owned(),
            };
            let help = "a URL with a user or password is a secret: put it in an environment variable and write `url: env:NAME`";
            self.bad_secret_ref(raw.span, &e, Some(help));
            return None;
        }
        Some(Located::new(m::UrlRef::Literal(text.to_owned()), raw.span))
    }

    fn workspace_path(&mut self, (path, span): (String, Span)) -> Option<Located<String>> {
        let escapes = path.split(['/', '\\']).any(|part| part == "..");
        let absolute = path.starts_with('/') || path.starts_with('\\') || path.contains(':');
        if path.trim().is_empty() || escapes || absolute {
            self.invalid(
                span,
                format!("`{path}` is not a path inside the workspace: write it relative to the workspace root, without `..`"),
            );
            return None;
        }
        Some(Located::new(path, span))
    }

    fn compare(&mut self, raw: &Spanned<CompareWire>) -> Option<m::Comparison> {
        match (&raw.value.weeks, &raw.value.holdout) {
            (Some(weeks), None) => {
                if weeks.value == 0 || weeks.value > MAX_WEEKS {
                    self.invalid(
                        weeks.span,
                        format!("`weeks: {}` is out of range: compare with 1 to {MAX_WEEKS} previous weeks (4 is usual)", weeks.value),
                    );
                    return None;
                }
                Some(m::Comparison::Weeks(weeks.value))
            }
            (None, Some(holdout)) => self.holdout(holdout).map(m::Comparison::Holdout),
            _ => {
                self.invalid(
                    raw.span,
                    "give exactly one of `weeks: N` (the same hours over the previous N weeks) or `holdout: { treatment, control }`",
                );
                None
            }
        }
    }

    fn holdout(&mut self, raw: &Spanned<HoldoutWire>) -> Option<m::Holdout> {
        let w = &raw.value;
        let mut ok = true;
        for value in [&w.treatment, &w.control] {
            let valid = !value.value.is_empty()
                && value
                    .value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !valid {
                ok = false;
                self.invalid(
                    value.span,
                    format!(
                        "`{}` is not a cohort value (letters, digits, `-`, `_`, `.`)",
                        value.value
                    ),
                );
            }
        }
        if w.treatment.value == w.control.value {
            ok = false;
            self.invalid(
                w.control.span,
                "the control cohort must differ from the treatment",
            );
        }
        if let Some(share) = &w.control_share {
            if !(share.value > 0.0 && share.value < 1.0) {
                ok = false;
                self.invalid(
                    share.span,
                    format!(
                        "`control_share: {}` must be between 0 and 1 (0.1 for a 10 % holdout)",
                        share.value
                    ),
                );
            }
        }
        ok.then(|| m::Holdout {
            treatment: w.treatment.value.clone(),
            control: w.control.value.clone(),
            control_share: w.control_share.as_ref().map(|s| s.value),
        })
    }

    /// Fill in the defaults, then check the ranges; `span` is where the thresholds are written.
    fn thresholds(
        &mut self,
        span: Span,
        own: &ThresholdsWire,
        inherited: &ThresholdsWire,
    ) -> Option<m::Thresholds> {
        let d = m::Thresholds::DEFAULT;
        let t = m::Thresholds {
            alpha: own.alpha.or(inherited.alpha).unwrap_or(d.alpha),
            marginal: own.marginal.or(inherited.marginal).unwrap_or(d.marginal),
            min_effect: own
                .min_effect
                .or(inherited.min_effect)
                .unwrap_or(d.min_effect),
            min_events: own
                .min_events
                .or(inherited.min_events)
                .unwrap_or(d.min_events),
            min_trials: own
                .min_trials
                .or(inherited.min_trials)
                .unwrap_or(d.min_trials),
            min_observations: own
                .min_observations
                .or(inherited.min_observations)
                .unwrap_or(d.min_observations),
        };
        let problem = if !(t.alpha > 0.0 && t.alpha < 0.5) {
            Some(format!(
                "`alpha: {}` must be between 0 and 0.5 (0.01 is usual)",
                t.alpha
            ))
        } else if !(t.marginal >= t.alpha && t.marginal < 0.5) {
            Some(format!(
                "`marginal: {}` must be at least `alpha` ({}) and below 0.5 (0.05 is usual)",
                t.marginal, t.alpha
            ))
        } else if !(t.min_effect.is_finite() && t.min_effect >= 0.0) {
            Some(format!(
                "`min_effect: {}` must be 0 or more (0.2 = a 20 % worsening)",
                t.min_effect
            ))
        } else if t.min_events == 0 || t.min_trials == 0 || t.min_observations < 2 {
            Some("minimum data must be positive (`min_events`, `min_trials` ≥ 1, `min_observations` ≥ 2): a judgement on no data is no judgement".to_owned())
        } else {
            None
        };
        match problem {
            Some(message) => {
                self.invalid(span, message);
                None
            }
            None => Some(t),
        }
    }

    fn kpi(
        &mut self,
        w: &KpiWire,
        sources: &[m::NamedSource],
        inherited: &Inherited,
    ) -> Option<m::Kpi> {
        let id_ok = m::validate_id(&w.id.value).is_ok();
        if !id_ok {
            self.invalid(
                w.id.span,
                format!(
                    "`{}` is not a KPI id (letters, digits, `-`, `_`, `.`)",
                    w.id.value
                ),
            );
        }
        let source = self.kpi_source(&w.source, sources);
        let compare = match &w.compare {
            Some(c) => self.compare(c),
            None => Some(inherited.compare.clone().unwrap_or(m::Comparison::Weeks(4))),
        };
        let thresholds = self.thresholds(
            w.thresholds.as_ref().map_or(w.id.span, |t| t.span),
            &w.thresholds.map(|t| t.value).unwrap_or_default(),
            &inherited.thresholds,
        );
        let max_samples = match &w.max_samples {
            Some(s) if s.value < 100 => {
                self.invalid(
                    s.span,
                    format!(
                        "`max_samples: {}` is too small: read at least 100 observations",
                        s.value
                    ),
                );
                None
            }
            Some(s) => Some(s.value),
            None => Some(m::DEFAULT_MAX_SAMPLES),
        };
        let (source, compare) = (source?, compare?);
        self.kpi_query(w, source, &compare)?;
        Some(m::Kpi {
            id: Located::new(w.id.value.clone(), w.id.span),
            name: w.name.clone(),
            source: Located::new(w.source.value.clone(), w.source.span),
            unit: w.unit.value,
            per: w.per.clone(),
            bad: w.bad.value,
            query: Located::new(w.query.value.clone(), w.query.span),
            denominator: w
                .denominator
                .as_ref()
                .map(|d| Located::new(d.value.clone(), d.span)),
            value: w.value.as_ref().map(|v| v.value.clone()),
            compare,
            thresholds: thresholds?,
            max_samples: max_samples?,
            on_fail: w.on_fail.unwrap_or(inherited.on_fail),
        })
        .filter(|_| id_ok)
    }

    fn kpi_source<'s>(
        &mut self,
        raw: &Spanned<String>,
        sources: &'s [m::NamedSource],
    ) -> Option<&'s m::WatchSource> {
        if let Some(found) = sources.iter().find(|s| s.name.value == raw.value) {
            return Some(&found.source);
        }
        let names: Vec<&str> = sources.iter().map(|s| s.name.value.as_str()).collect();
        let help = match did_you_mean(&raw.value, names.iter().copied()) {
            Some(hint) => format!("did you mean `{hint}`?"),
            None if names.is_empty() => "declare the source under `sources:`".to_owned(),
            None => format!("the sources of this watch are: {}", names.join(", ")),
        };
        self.error(
            codes::DANGLING_REFERENCE,
            raw.span,
            format!("no source `{}` in this watch", raw.value),
            Some(help),
        );
        None
    }
}

fn source_type_name(kind: WatchSourceType) -> &'static str {
    match kind {
        WatchSourceType::Postgres => "postgres",
        WatchSourceType::Mysql => "mysql",
        WatchSourceType::Sqlite => "sqlite",
        WatchSourceType::Prometheus => "prometheus",
        WatchSourceType::Csv => "csv",
        WatchSourceType::Jsonl => "jsonl",
    }
}

fn source_help(kind: WatchSourceType) -> &'static str {
    match kind {
        WatchSourceType::Postgres | WatchSourceType::Mysql => {
            "write `url: env:NAME` and put the connection URL in that environment variable"
        }
        WatchSourceType::Prometheus => "write `url: http://prometheus:9090` (or `url: env:NAME`)",
        WatchSourceType::Sqlite => {
            "write `path: data/events.sqlite`, relative to the workspace root"
        }
        WatchSourceType::Csv | WatchSourceType::Jsonl => {
            "write `path: data/events.csv` (relative to the workspace root) and `time_field: at`"
        }
    }
}

impl Lowerer<'_> {
    /// The query and its companions (`denominator`, `value`) fit the source and the unit.
    fn kpi_query(
        &mut self,
        w: &KpiWire,
        source: &m::WatchSource,
        compare: &m::Comparison,
    ) -> Option<()> {
        let before = self.diagnostics.len();
        let holdout = matches!(compare, m::Comparison::Holdout(_));
        if w.query.value.trim().is_empty() {
            self.invalid(w.query.span, "the query is empty");
            return None;
        }
        if let (m::KpiUnit::Count, m::Comparison::Holdout(h)) = (w.unit.value, compare) {
            if h.control_share.is_none() {
                self.invalid(
                    w.unit.span,
                    "a `count` KPI compared with a holdout needs `control_share` (the holdout's share of the audience) to weigh the two counts",
                );
            }
        }
        if source.is_sql() {
            self.sql_query(w, holdout);
        } else if source.is_file() {
            self.file_query(w);
        } else {
            self.promql_query(w, holdout);
        }
        (self.diagnostics.len() == before).then_some(())
    }

    fn sql_query(&mut self, w: &KpiWire, holdout: bool) {
        let q = &w.query;
        for (placeholder, needed) in [(":from", true), (":to", true), (":cohort", holdout)] {
            if needed && !has_placeholder(&q.value, placeholder) {
                let help = if placeholder == ":cohort" {
                    "select the cohort with a parameter, e.g. `AND cohort = :cohort`".to_owned()
                } else {
                    "bind the window as parameters, e.g. `WHERE at >= :from AND at < :to`; flowgate never splices times into SQL".to_owned()
                };
                self.error(
                    codes::INVALID_VALUE,
                    q.span,
                    format!(
                        "KPI `{}`: the SQL query does not use `{placeholder}`",
                        w.id.value
                    ),
                    Some(help),
                );
            }
        }
        if let Some(d) = &w.denominator {
            self.error(
                codes::INVALID_VALUE,
                d.span,
                format!("KPI `{}`: SQL sources have no `denominator`", w.id.value),
                Some("return both columns from the query: `SELECT COUNT(*) FILTER (WHERE …) AS events, COUNT(*) AS trials …`".into()),
            );
        }
        if let Some(v) = &w.value {
            self.error(
                codes::INVALID_VALUE,
                v.span,
                format!("KPI `{}`: SQL sources have no `value`", w.id.value),
                Some(
                    "return one row per observation with its duration in seconds as column `value`"
                        .into(),
                ),
            );
        }
    }

    fn promql_query(&mut self, w: &KpiWire, holdout: bool) {
        let unit = w.unit.value;
        let windowed = matches!(unit, m::KpiUnit::Count | m::KpiUnit::Rate);
        let queries = std::iter::once(&w.query).chain(w.denominator.as_ref());
        for q in queries {
            if windowed && !q.value.contains("$window") {
                self.error(
                    codes::INVALID_VALUE,
                    q.span,
                    format!(
                        "KPI `{}`: the PromQL query does not use `$window`",
                        w.id.value
                    ),
                    Some(
                        "count over the window, e.g. `sum(increase(email_bounces_total[$window]))`"
                            .into(),
                    ),
                );
            }
            if holdout && !q.value.contains("$cohort") {
                self.error(
                    codes::INVALID_VALUE,
                    q.span,
                    format!(
                        "KPI `{}`: the PromQL query does not use `$cohort`",
                        w.id.value
                    ),
                    Some("select the cohort by label, e.g. `{cohort=\"$cohort\"}`".into()),
                );
            }
        }
        self.companions(w, unit == m::KpiUnit::Rate, false);
    }

    fn file_query(&mut self, w: &KpiWire) {
        let queries = std::iter::once(&w.query).chain(w.denominator.as_ref());
        for q in queries {
            if let Err(e) = m::parse_file_filter(&q.value) {
                self.invalid(q.span, format!("KPI `{}`: {e}", w.id.value));
            }
        }
        let unit = w.unit.value;
        self.companions(w, unit == m::KpiUnit::Rate, unit == m::KpiUnit::Duration);
    }

    /// `denominator` exactly for rates, `value` exactly for file durations.
    fn companions(&mut self, w: &KpiWire, wants_denominator: bool, wants_value: bool) {
        match (&w.denominator, wants_denominator) {
            (None, true) => self.error(
                codes::MISSING_FIELD,
                w.unit.span,
                format!("KPI `{}`: a rate needs `denominator`, the query counting its trials", w.id.value),
                Some("e.g. `denominator: type = send` (files) or `sum(increase(email_sends_total[$window]))` (PromQL)".into()),
            ),
            (Some(d), false) => self.invalid(
                d.span,
                format!("KPI `{}`: only a `rate` has a `denominator`", w.id.value),
            ),
            _ => {}
        }
        match (&w.value, wants_value) {
            (None, true) => self.error(
                codes::MISSING_FIELD,
                w.unit.span,
                format!("KPI `{}`: a duration read from a file needs `value`, the field holding seconds", w.id.value),
                Some("e.g. `value: latency_seconds`".into()),
            ),
            (Some(v), false) => self.invalid(
                v.span,
                format!("KPI `{}`: only a duration read from a file has a `value`", w.id.value),
            ),
            _ => {}
        }
    }
}

/// Whether `sql` uses the named parameter `name` (`:from`), not as a prefix of a longer
/// name (`:from_date`) nor as a PostgreSQL cast (`::from`).
fn has_placeholder(sql: &str, name: &str) -> bool {
    sql.match_indices(name).any(|(i, _)| {
        let before = sql[..i].chars().next_back();
        let after = sql[i + name.len()..].chars().next();
        before != Some(':') && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}
