use super::cross_flow::{start_span, workspace_flows, writes, DmlOperation, SfFlow, Write};
use super::entry_conditions::{BeforeSaveWrites, EntryConditions};
use super::support::start;
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};
use flowgate_model::flow::FlowTrigger;
use std::collections::{BTreeSet, VecDeque};

declare_rule! {
    /// ## What it does
    /// Flags after-save record-triggered Salesforce flows that start each other in a loop
    /// through the records they write: flow A, on `Contact`, updates `Account` records;
    /// flow B, on `Account`, updates `Contact` records, which starts A again.
    ///
    /// A flow starts another when it creates records of the other's object and the other
    /// runs on create, or updates them and the other runs on update. What a Create or Update
    /// Records element writes is read off the XML: its `<object>`, or the type of the record
    /// it saves (`$Record` is the flow's own object; a variable or Transform element states
    /// its `<objectType>`, a Get Records element its `<object>`); writes through
    /// relationships (`$Record.Account`) are not followed. Only elements a path from the
    /// start reaches count. Each loop of two or more flows is reported once, at the write of
    /// its first flow (by API name); a flow updating its own triggering records is
    /// `recursive-after-update` (FG811).
    ///
    /// Entry conditions break a link only when they certainly keep the write from starting
    /// the other flow. That needs to know which fields the write sets: the
    /// `<inputAssignments>` of an element that updates the records it filters, creates
    /// records of an `<object>`, or updates `$Record` (with every field the flow assigns to
    /// `$Record`). A record variable may carry any field, so a write that saves one always
    /// starts the other flow. Before-save flows on the object run in the same save: the
    /// fields they assign to `$Record` count as written with unknown values, and one that
    /// replaces `$Record` as a whole leaves nothing known. Salesforce itself sets
    /// `LastModifiedDate`, `LastModifiedById` and `SystemModstamp` on every update. Then
    /// the other flow's conditions (`<filters>` in its `<start>`; a `<filterFormula>` is
    /// not evaluated and never breaks a link) rule the write out when:
    ///
    /// - a condition that must hold (all of them under `and`, or those of custom logic made
    ///   of `AND` only) is false on the literal value the write sets: `Status EqualTo
    ///   Accepted` when the write sets `Status` to `Draft` (text compared ignoring case),
    ///   `NotEqualTo` the very value set, `IsNull` against a value or its absence;
    /// - the write is an update, the flow runs "only when a record is updated to meet the
    ///   condition requirements" (`doesRequireRecordChangedToMeetCriteria`), every
    ///   condition compares a field with a literal, and the write sets none of those
    ///   fields: the conditions are as true or false after the update as before, so the
    ///   update does not make them true, whatever the logic;
    /// - the write is an update, a condition that must hold is `IsChanged` true, and the
    ///   write does not set that field.
    ///
    /// What flowgate cannot see is assumed not to interfere: Apex triggers, workflow field
    /// updates and Process Builder processes that set the tested fields in the same save,
    /// and formula or roll-up summary fields computed from the fields the write sets (the
    /// object's schema is not read). A condition on such a field can be met by a write that
    /// does not name it; if a loop runs through one, the rule does not see it.
    ///
    /// ## Why is this bad?
    /// Each save starts the next flow in the same transaction, which saves again, and so on:
    /// the loop runs until Salesforce stops it at the trigger depth or a governor limit, and
    /// the whole transaction, the user's original save included, fails. Split across two
    /// flows the loop is invisible when reviewing either of them.
    ///
    /// ## Example
    /// ```xml
    /// <!-- Contact_Rollup.flow-meta.xml: after-save on Contact -->
    /// <recordUpdates>
    ///     <name>Update_Account_Totals</name>
    ///     <object>Account</object>
    /// </recordUpdates>
    /// <!-- Account_Sync.flow-meta.xml: after-save on Account update -->
    /// <recordUpdates>
    ///     <name>Update_Contacts</name>
    ///     <object>Contact</object>
    /// </recordUpdates>
    /// ```
    ///
    /// ## How to fix
    /// Break the loop: give one of the flows entry conditions that the other's update cannot
    /// meet (for example only when a field it does not set changes, with
    /// `<doesRequireRecordChangedToMeetCriteria>true</doesRequireRecordChangedToMeetCriteria>`),
    /// or move the work into one flow. If the entry conditions already make the loop
    /// impossible, add an exception saying so.
    pub struct CrossFlowRecursion {
        code: "FG817",
        name: "cross-flow-recursion",
        category: Salesforce,
        severity: Warning,
        summary: "after-save Salesforce flows start each other in a loop through the records they update",
    }
}

/// An after-save record-triggered flow.
struct Node<'a> {
    name: &'a str,
    flow: SfFlow<'a>,
    object: &'a str,
    on_create: bool,
    on_update: bool,
    entry: EntryConditions<'a>,
    writes: Vec<Write<'a>>,
}

impl Node<'_> {
    /// Whether `write`, a write of flow `writer`, starts this flow.
    fn started_by(&self, write: &Write<'_>, writer: &Node<'_>, before: &BeforeSaveWrites) -> bool {
        let operation = match write.operation {
            DmlOperation::Create => self.on_create,
            DmlOperation::Update => self.on_update,
            DmlOperation::Delete => false,
        };
        operation
            && write
                .object
                .is_some_and(|o| o.eq_ignore_ascii_case(self.object))
            && !self.entry.rules_out(write, writer.flow.root, before)
    }

    /// "runs after `Account` records are updated", for messages.
    fn describe(&self) -> String {
        let event = match (self.on_create, self.on_update) {
            (true, true) => "created or updated",
            (true, false) => "created",
            _ => "updated",
        };
        format!("runs after `{}` records are {event}", self.object)
    }
}

impl Rule for CrossFlowRecursion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        let flows = workspace_flows(ctx);
        let mut nodes: Vec<Node<'_>> = flows
            .iter()
            .filter_map(|(name, flow)| {
                let FlowTrigger::Record {
                    object: Some(object),
                    timing,
                    event,
                    ..
                } = &flow.flow.trigger
                else {
                    return None;
                };
                if timing != "RecordAfterSave" {
                    return None;
                }
                let (on_create, on_update) = match event.as_deref().map(str::trim) {
                    Some("Create") => (true, false),
                    Some("Update") => (false, true),
                    Some("CreateAndUpdate") => (true, true),
                    _ => return None,
                };
                Some(Node {
                    name,
                    flow: *flow,
                    object: object.trim(),
                    on_create,
                    on_update,
                    entry: start(flow.root)
                        .map(EntryConditions::of)
                        .unwrap_or_default(),
                    writes: writes(flow.flow, flow.root),
                })
            })
            .collect();
        nodes.sort_by(|a, b| a.name.cmp(b.name));
        let edges = edges(&nodes, &BeforeSaveWrites::of_workspace(ctx));
        for cycle in loops(&edges) {
            report(sink, &nodes, &cycle);
        }
    }
}

/// `edges[a]` = `(b, index of a's first write that starts b)`, for every `b != a`.
fn edges(nodes: &[Node<'_>], before: &BeforeSaveWrites) -> Vec<Vec<(usize, usize)>> {
    nodes
        .iter()
        .enumerate()
        .map(|(a, from)| {
            nodes
                .iter()
                .enumerate()
                .filter(|(b, _)| *b != a)
                .filter_map(|(b, to)| {
                    let write = from
                        .writes
                        .iter()
                        .position(|w| to.started_by(w, from, before))?;
                    Some((b, write))
                })
                .collect()
        })
        .collect()
}

/// The shortest loop through each flow, each loop once, starting from its lowest flow (the
/// first by name), in order.
fn loops(edges: &[Vec<(usize, usize)>]) -> BTreeSet<Vec<(usize, usize)>> {
    let mut loops = BTreeSet::new();
    for start in 0..edges.len() {
        let Some(mut cycle) = shortest_cycle(edges, start) else {
            continue;
        };
        let lowest = (0..cycle.len()).min_by_key(|&k| cycle[k].0).unwrap_or(0);
        cycle.rotate_left(lowest);
        loops.insert(cycle);
    }
    loops
}

/// The shortest loop of two or more flows from `first` back to it, as hops `(flow, index of
/// the write of that flow that starts the next one)`, starting with `first`.
fn shortest_cycle(edges: &[Vec<(usize, usize)>], first: usize) -> Option<Vec<(usize, usize)>> {
    // Breadth-first from `first`; `came_from[b] = (a, write)` for the hop a -> b.
    let mut came_from: Vec<Option<(usize, usize)>> = vec![None; edges.len()];
    let mut queue = VecDeque::from([first]);
    let mut closing = None;
    'search: while let Some(a) = queue.pop_front() {
        for &(b, write) in &edges[a] {
            if b == first {
                closing = Some((a, write));
                break 'search;
            }
            if came_from[b].is_none() {
                came_from[b] = Some((a, write));
                queue.push_back(b);
            }
        }
    }
    let (mut at, write) = closing?;
    let mut hops = vec![(at, write)];
    while at != first {
        let (previous, write) = came_from[at]?;
        hops.push((previous, write));
        at = previous;
    }
    hops.reverse();
    Some(hops)
}

fn report(sink: &mut Sink, nodes: &[Node<'_>], cycle: &[(usize, usize)]) {
    let names: Vec<String> = cycle
        .iter()
        .map(|(node, _)| format!("`{}`", nodes[*node].name))
        .collect();
    let listed = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.join(""),
    };
    let hop = |k: usize| {
        let (from, write) = cycle[k];
        let to = cycle[(k + 1) % cycle.len()].0;
        (&nodes[from], &nodes[from].writes[write], &nodes[to])
    };
    let steps: Vec<String> = (0..cycle.len())
        .map(|k| {
            let (from, write, to) = hop(k);
            let again = if k + 1 == cycle.len() { " again" } else { "" };
            format!(
                "`{}` {} (`{}`), which starts `{}`{again}",
                from.name,
                write.describe(),
                write.element.name(),
                to.name
            )
        })
        .collect();
    let (first, first_write, _) = hop(0);
    let finding = sink.report(
        first.flow.asset,
        first_write.element.name_span(),
        format!(
            "after-save flows {listed} start each other in a loop: {}",
            steps.join("; ")
        ),
    );
    finding
        .help(
            "give one of these flows entry conditions that the other's write cannot meet (for example \
             only when a field the other does not set changes), or merge the work into one flow; if \
             the entry conditions already rule the loop out, add an exception saying so",
        )
        .element(first_write.element.name());
    for k in 0..cycle.len() {
        let (_, _, to) = hop(k);
        finding.related(
            to.flow.asset,
            start_span(to.flow.flow, to.flow.root),
            format!("`{}` {}", to.name, to.describe()),
        );
        if k + 1 < cycle.len() {
            let (from, write, next) = hop(k + 1);
            finding.related(
                from.flow.asset,
                write.element.name_span(),
                format!(
                    "`{}` {} here, which starts `{}`",
                    write.element.name(),
                    write.describe(),
                    next.name
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{loops, CrossFlowRecursion};
    use crate::rules::salesforce::support::testing::{flow_xml, run};
    use crate::CheckConfig;

    /// An after-save flow on `object` updates (`event`) whose start also holds `conditions`
    /// and which runs `update` (a `recordUpdates` element named `Write`).
    fn flow(object: &str, conditions: &str, update: &str) -> String {
        flow_xml(&format!(
            "<processType>AutoLaunchedFlow</processType>{update}\
             <start><connector><targetReference>Write</targetReference></connector>{conditions}\
             <object>{object}</object><recordTriggerType>Update</recordTriggerType>\
             <triggerType>RecordAfterSave</triggerType></start>"
        ))
    }

    /// Update Records of `object` records setting `field` to the text `value`.
    fn update(object: &str, field: &str, value: &str) -> String {
        format!(
            "<recordUpdates><name>Write</name><filterLogic>and</filterLogic><filters><field>Id</field>\
             <operator>EqualTo</operator><value><elementReference>$Record.ParentId__c</elementReference></value></filters>\
             <inputAssignments><field>{field}</field><value><stringValue>{value}</stringValue></value></inputAssignments>\
             <object>{object}</object></recordUpdates>"
        )
    }

    /// A `<filters>` condition with a text value.
    fn filter(field: &str, operator: &str, value: &str) -> String {
        format!(
            "<filters><field>{field}</field><operator>{operator}</operator>\
             <value><stringValue>{value}</stringValue></value></filters>"
        )
    }

    const CHANGED: &str =
        "<doesRequireRecordChangedToMeetCriteria>true</doesRequireRecordChangedToMeetCriteria>";

    /// How many loops between a Contact flow (setting `Note__c` on accounts, the update
    /// `account_update`) and an Account flow with `conditions`, plus `more` flows.
    fn loops_found(conditions: &str, account_update: &str, more: &[(&str, &str)]) -> usize {
        let contact = flow("Contact", "", account_update);
        let account = flow("Account", conditions, &update("Contact", "Note__c", "x"));
        let mut files = vec![
            ("Contact_Flow.flow-meta.xml", contact.as_str()),
            ("Account_Flow.flow-meta.xml", account.as_str()),
        ];
        files.extend_from_slice(more);
        run(&CrossFlowRecursion, &files, &CheckConfig::default()).len()
    }

    #[test]
    fn entry_conditions_the_write_cannot_meet_break_the_loop() {
        let stamp = update("Account", "Note__c", "synced");
        let status = filter("Status__c", "EqualTo", "Active");
        assert_eq!(loops_found("", &stamp, &[]), 1);
        // Only when updated to meet `Status__c = Active`: the contact flow never sets it.
        let only_when_changed = format!("{CHANGED}<filterLogic>and</filterLogic>{status}");
        assert_eq!(loops_found(&only_when_changed, &stamp, &[]), 0);
        // Every time the conditions hold: the status may already be Active.
        let every_time = format!("<filterLogic>and</filterLogic>{status}");
        assert_eq!(loops_found(&every_time, &stamp, &[]), 1);
        // The write sets the tested field.
        let sets_status = update("Account", "Status__c", "Active");
        assert_eq!(loops_found(&only_when_changed, &sets_status, &[]), 1);
        // The write sets it to a value the conditions refuse.
        let sets_closed = update("Account", "Status__c", "Closed");
        assert_eq!(loops_found(&every_time, &sets_closed, &[]), 0);
        let either = format!(
            "<filterLogic>or</filterLogic>{status}{}",
            filter("Type", "EqualTo", "Partner")
        );
        assert_eq!(loops_found(&either, &sets_closed, &[]), 1);
        // Only when a field the write leaves alone changes.
        let is_changed = "<filters><field>Status__c</field><operator>IsChanged</operator>\
             <value><booleanValue>true</booleanValue></value></filters>";
        assert_eq!(loops_found(is_changed, &stamp, &[]), 0);
        // A formula is not evaluated.
        let formula = format!(
            "{CHANGED}<filterFormula>ISPICKVAL({{!$Record.Status__c}}, 'Active')</filterFormula>"
        );
        assert_eq!(loops_found(&formula, &stamp, &[]), 1);
    }

    #[test]
    fn what_the_write_may_set_unnamed_keeps_the_loop() {
        let only_when_changed = format!(
            "{CHANGED}<filterLogic>and</filterLogic>{}",
            filter("Status__c", "EqualTo", "Active")
        );
        // A record variable may carry any field.
        let variable = "<recordUpdates><name>Write</name><inputReference>accounts</inputReference></recordUpdates>\
             <variables><name>accounts</name><dataType>SObject</dataType><isCollection>true</isCollection>\
             <objectType>Account</objectType></variables>";
        assert_eq!(loops_found(&only_when_changed, variable, &[]), 1);
        // A before-save flow on Account sets the tested field in the same save.
        let stamp = update("Account", "Note__c", "synced");
        let before_save = flow_xml(
            "<assignments><name>Activate</name><assignmentItems><assignToReference>$Record.Status__c</assignToReference>\
             <operator>Assign</operator><value><stringValue>Active</stringValue></value></assignmentItems></assignments>\
             <processType>AutoLaunchedFlow</processType>\
             <start><connector><targetReference>Activate</targetReference></connector><object>Account</object>\
             <recordTriggerType>Update</recordTriggerType><triggerType>RecordBeforeSave</triggerType></start>",
        );
        let more = [("Account_Before.flow-meta.xml", before_save.as_str())];
        assert_eq!(loops_found(&only_when_changed, &stamp, &more), 1);
    }

    /// The flows of each loop found, in order.
    fn flows(edges: &[Vec<(usize, usize)>]) -> Vec<Vec<usize>> {
        loops(edges)
            .into_iter()
            .map(|cycle| cycle.into_iter().map(|(flow, _)| flow).collect())
            .collect()
    }

    #[test]
    fn every_loop_once_from_its_lowest_flow() {
        // 0 <-> 1 and 1 <-> 2: from 1 and from 2 the shortest loop may be the other one,
        // both are reported.
        let two_pairs = [vec![(1, 0)], vec![(0, 0), (2, 1)], vec![(1, 0)]];
        assert_eq!(flows(&two_pairs), [vec![0, 1], vec![1, 2]]);
        // 2 -> 0 -> 1 -> 2, and a flow 3 that feeds it without being part of it.
        let triangle = [vec![(1, 0)], vec![(2, 0)], vec![(0, 0)], vec![(0, 0)]];
        assert_eq!(flows(&triangle), [vec![0, 1, 2]]);
        // A chain is no loop; self-loops are never edges.
        assert!(flows(&[vec![(1, 0)], vec![]]).is_empty());
    }
}
