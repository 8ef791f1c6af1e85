//! Lowering of integrations: references, durations and defaults.

use super::Lowerer;
use crate::codes;
use crate::wire::*;
use flowgate_model as m;
use flowgate_model::Located;

impl Lowerer<'_> {
    pub(super) fn integration(&mut self, w: IntegrationWire) -> Option<m::Integration> {
        let purpose = w.purpose.value.trim().to_owned();
        if purpose.is_empty() {
            self.error(
                codes::MISSING_FIELD,
                w.purpose.span,
                "an integration's `purpose` is empty".to_owned(),
                Some("say in one sentence what the flow is for and who needs it".into()),
            );
        }
        let source = self.id(&w.source);
        let target = self.id(&w.target);
        let mut entities = Vec::new();
        for e in w.entities {
            let source_of_truth = match &e.source_of_truth {
                Some(raw) => Some(self.id(raw)?),
                None => None,
            };
            entities.push(m::EntityFlow {
                entity: Located::new(e.entity.value.trim().to_owned(), e.entity.span),
                source_of_truth,
                conflict_rule: e.conflict_rule,
                fields: e
                    .fields
                    .into_iter()
                    .map(|f| m::FieldMapping {
                        from: f.from,
                        to: f.to,
                        transform: f.transform,
                        default: f.default,
                    })
                    .collect(),
            });
        }
        let constraints = match w.constraints {
            Some(c) => m::Constraints {
                rate_limit: c.rate_limit,
                timeout: self.opt_duration(&c.timeout).ok()?,
                payload_limit: c.payload_limit,
                required_fields: c.required_fields,
                auth: c.auth,
            },
            None => m::Constraints::default(),
        };
        let errors = match w.errors {
            Some(e) => {
                let span = e.span;
                let e = e.value;
                let retries = match e.retries {
                    Some(r) => Some(m::IntegrationRetries {
                        max: r.max,
                        backoff: r.backoff.unwrap_or(m::Backoff::Exponential),
                        initial: self.opt_duration(&r.initial).ok()?,
                    }),
                    None => None,
                };
                Some(Located::new(
                    m::ErrorHandling {
                        retries,
                        dead_letter: e.dead_letter,
                        alert: e.alert,
                        log: e.log,
                        on_record_failure: e
                            .on_record_failure
                            .map(|v| Located::new(v.value, v.span)),
                        partial_failure: e.partial_failure.map(|v| Located::new(v.value, v.span)),
                    },
                    span,
                ))
            }
            None => None,
        };
        let mut depends_on = Vec::new();
        for raw in &w.depends_on {
            depends_on.push(self.id(raw)?);
        }
        let direction = Located::new(w.direction.value, w.direction.span);
        let lifecycle = match w.lifecycle {
            Some(l) => Located::new(l.value, l.span),
            None => Located::new(m::Lifecycle::Active, w.id.span),
        };
        Some(m::Integration {
            purpose,
            source: source?,
            target: target?,
            direction,
            hook: Located::new(w.hook.value, w.hook.span),
            escalation: w.escalation,
            trigger: w.trigger.map(|t| m::IntegrationTrigger {
                event: Located::new(t.event.value, t.event.span),
                timing: t
                    .timing
                    .filter(|timing| !timing.value.trim().is_empty())
                    .map(|timing| Located::new(timing.value, timing.span)),
            }),
            entities,
            constraints,
            volume: w.volume.map(|v| m::Volume {
                frequency: v.frequency,
                average_per_hour: v.average_per_hour,
                peak_per_hour: v.peak_per_hour,
                seasonal_peaks: v.seasonal_peaks,
            }),
            errors,
            observability: w.observability.map(|o| m::Observability {
                metrics: o.metrics,
                logs: o.logs,
                alerts: o.alerts,
                dashboard: o.dashboard,
            }),
            depends_on,
            safe_zone: w.safe_zone,
            criticality: w.criticality.unwrap_or(m::Criticality::Medium),
            customization: w.customization.unwrap_or(m::Customization::Custom),
            lifecycle,
            deprecated_apis: w
                .deprecated_apis
                .into_iter()
                .map(|d| m::DeprecatedApi {
                    api: Located::new(d.api.value, d.api.span),
                    replacement: d.replacement,
                    removed_in: d.removed_in,
                })
                .collect(),
            duplicates_native: w.duplicates_native.map(|d| Located::new(d.value, d.span)),
            platform: w.platform.map(|p| m::PlatformConstraint {
                name: p.name,
                min: p.min,
                max_verified: p.max_verified,
            }),
            validation: w.validation,
            api_calls: w.api_calls.into_iter().map(api_call).collect(),
            tables: w.tables.into_iter().map(table_use).collect(),
        })
    }
}

/// One `api_calls` entry.
fn api_call(c: ApiCallWire) -> m::ApiCall {
    m::ApiCall {
        system: Located::new(c.system.value, c.system.span),
        operation: Located::new(c.operation.value, c.operation.span),
        fields: c
            .fields
            .into_iter()
            .map(|f| Located::new(f.value, f.span))
            .collect(),
    }
}

/// One `tables` entry (read access unless it says otherwise).
fn table_use(t: TableUseWire) -> m::TableUse {
    m::TableUse {
        system: Located::new(t.system.value, t.system.span),
        table: Located::new(t.table.value, t.table.span),
        columns: t
            .columns
            .into_iter()
            .map(|c| Located::new(c.value, c.span))
            .collect(),
        access: t.access.unwrap_or(m::TableAccess::Read),
    }
}
