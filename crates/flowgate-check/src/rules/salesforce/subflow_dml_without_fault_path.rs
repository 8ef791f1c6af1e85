use super::cross_flow::{by_api_name, reachable_elements, workspace_flows, writes, SfFlow, Write};
use super::support::SfElement;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::flow::ErrorHandling;

declare_rule! {
    /// ## What it does
    /// Flags Subflow elements (`<subflows>`) without a fault connector that call a flow of the
    /// workspace which creates, updates or deletes records without handling the failure
    /// itself: a Create / Update / Delete Records element with no fault connector, in the
    /// called flow or, through subflow elements without fault connectors, in a flow it calls.
    ///
    /// The called flow is found by its API name (`<flowName>`, the file name of a
    /// `*.flow-meta.xml`). A flow that is not in the workspace (from a managed package, or
    /// deployed separately) is not guessed at: no finding.
    ///
    /// ## Why is this bad?
    /// A save can fail for many reasons the flow does not control: a validation rule, a
    /// required field, a duplicate rule, record locking, a trigger's error. Inside a subflow
    /// nothing catches it, so the fault travels up to the calling element, and without a
    /// fault connector there the whole interview stops: the user sees "An unhandled fault has
    /// occurred in this flow", the admin gets an email, and the work done so far is rolled
    /// back. The DML is out of sight when reviewing the calling flow.
    ///
    /// ## Example
    /// ```xml
    /// <subflows>
    ///     <name>Create_Onboarding_Tasks</name>
    ///     <connector><targetReference>Thank_You_Screen</targetReference></connector>
    ///     <flowName>Onboarding_Task_Creator</flowName>
    /// </subflows>
    /// ```
    /// where `Onboarding_Task_Creator` has a `<recordCreates>` without a fault connector.
    ///
    /// ## How to fix
    /// Add a fault connector to the Subflow element, leading to elements that log the error
    /// or tell the user what happened:
    /// ```xml
    ///     <faultConnector><targetReference>Show_Error</targetReference></faultConnector>
    /// ```
    /// or handle the failure inside the called flow with fault connectors on its DML elements.
    pub struct SubflowDmlWithoutFaultPath {
        code: "FG819",
        name: "subflow-dml-without-fault-path",
        category: Salesforce,
        severity: Warning,
        summary: "a Salesforce subflow call without a fault path runs a flow that writes records",
    }
}

/// An unhandled write that a call leads to: the write, and the API names of the flows from
/// the called one down to the one holding the write.
#[derive(Clone)]
struct Reached<'f, 'a> {
    write: Write<'a>,
    flow: SfFlow<'a>,
    chain: Vec<&'f str>,
}

/// Finds, for each flow, the first write without a fault connector that running it can
/// reach, directly or through its subflow elements without fault connectors; each flow is
/// looked at once.
struct Resolver<'f, 'a> {
    flows: &'f [(String, SfFlow<'a>)],
    /// Per flow: not looked at yet (`None`), or what it reaches.
    memo: Vec<Option<Option<Reached<'f, 'a>>>>,
    /// Flows being looked at, to stop at flows that call each other.
    visiting: Vec<bool>,
}

impl<'f, 'a> Resolver<'f, 'a> {
    fn new(flows: &'f [(String, SfFlow<'a>)]) -> Self {
        Self {
            flows,
            memo: vec![None; flows.len()],
            visiting: vec![false; flows.len()],
        }
    }

    fn unhandled_write(&mut self, index: usize) -> Option<Reached<'f, 'a>> {
        if let Some(known) = &self.memo[index] {
            return known.clone();
        }
        if self.visiting[index] {
            return None;
        }
        let flows = self.flows;
        let (name, flow) = &flows[index];
        let direct = writes(flow.flow, flow.root)
            .into_iter()
            .find(|write| !write.handles_faults());
        let reached = match direct {
            Some(write) => Some(Reached {
                write,
                flow: *flow,
                chain: vec![name.as_str()],
            }),
            None => {
                self.visiting[index] = true;
                let reached = unhandled_calls(flows, flow)
                    .into_iter()
                    .find_map(|(_, called)| {
                        let mut reached = self.unhandled_write(called)?;
                        reached.chain.insert(0, name.as_str());
                        Some(reached)
                    });
                self.visiting[index] = false;
                reached
            }
        };
        self.memo[index] = Some(reached.clone());
        reached
    }
}

/// The subflow elements of `flow` that a path reaches and that have no fault connector,
/// with the index of the flow each calls, when it is in the workspace.
fn unhandled_calls<'a>(
    flows: &[(String, SfFlow<'a>)],
    flow: &SfFlow<'a>,
) -> Vec<(SfElement<'a>, usize)> {
    reachable_elements(flow.flow, flow.root)
        .into_iter()
        .filter(|element| {
            element.tag() == "subflows" && element.model.error_handling != ErrorHandling::Path
        })
        .filter_map(|element| {
            let called = element.xml.child_text("flowName")?;
            let (index, _) = by_api_name(flows, called)?;
            Some((element, index))
        })
        .collect()
}

impl Rule for SubflowDmlWithoutFaultPath {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let flows = workspace_flows(ctx);
        let mut resolver = Resolver::new(&flows);
        for (name, flow) in &flows {
            for (call, called) in unhandled_calls(&flows, flow) {
                let Some(reached) = resolver.unhandled_write(called) else {
                    continue;
                };
                let called_name = flows[called].0.as_str();
                let holder = reached.chain.last().copied().unwrap_or(called_name);
                let through = if reached.chain.len() > 1 {
                    format!(
                        " through {}",
                        reached.chain[1..]
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    String::new()
                };
                sink.report(
                    flow.asset,
                    call.name_span(),
                    format!(
                        "subflow `{}` of flow `{name}` has no fault connector, and the flow it calls, `{called_name}`, {}{through} without handling a failure: if that save fails, `{name}` stops with an unhandled fault",
                        call.name(),
                        reached.write.describe(),
                    ),
                )
                .help(format!(
                    "add a `<faultConnector>` to `{}` leading to elements that log the error or tell the user, or give `{}` in `{holder}` a fault connector of its own",
                    call.name(),
                    reached.write.element.name(),
                ))
                .related(
                    reached.flow.asset,
                    reached.write.element.name_span(),
                    format!(
                        "`{}` {} here, with no fault connector",
                        reached.write.element.name(),
                        reached.write.describe()
                    ),
                )
                .element(call.name());
            }
        }
    }
}
