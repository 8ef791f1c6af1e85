use super::support::{declaration_at, flow_display_name, text_part_span, texts};
use crate::{declare_rule, CheckContext, Rule, RuleMeta, Sink};

declare_rule! {
    /// ## What it does
    /// Flags Salesforce record ids written literally anywhere in a flow (values, formulas,
    /// filters, text templates, default values; not in descriptions): a word of 15 or 18
    /// letters and digits whose sixth character is `0`, the shape of every Salesforce id.
    /// An 18-character word must also end with the checksum of its first 15 characters, as
    /// real ids do, so ordinary 18-letter words are not taken for ids.
    ///
    /// ## Why is this bad?
    /// Record ids are different in every org: an id copied from a sandbox points at nothing
    /// (or at something else) in production, and the flow fails or, worse, assigns records
    /// to the wrong owner, queue or record type. Even in one org the record can be deleted
    /// or replaced.
    ///
    /// ## Example
    /// ```xml
    /// <inputAssignments>
    ///     <field>OwnerId</field>
    ///     <value>
    ///         <stringValue>005Dn000006GuG4IAK</stringValue>
    ///     </value>
    /// </inputAssignments>
    /// ```
    ///
    /// ## How to fix
    /// Look the record up by something stable (a Get Records on the user name, queue or
    /// record type developer name), or pass the id in from custom metadata or a variable:
    /// ```xml
    ///     <value>
    ///         <elementReference>Get_Sales_Queue.Id</elementReference>
    ///     </value>
    /// ```
    pub struct HardcodedId {
        code: "FG807",
        name: "hardcoded-id",
        category: Salesforce,
        severity: Error,
        summary: "a Salesforce flow contains a literal record id",
        peer: "HardcodedId",
    }
}

impl Rule for HardcodedId {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &CheckContext<'_>, sink: &mut Sink) {
        for (asset, flow, root) in ctx.salesforce_flows() {
            for (xml, text) in texts(root) {
                // Documentation may quote an id; it does not make the flow org-specific.
                if xml.name.value == "description" {
                    continue;
                }
                for (offset, id) in record_ids(&text.value) {
                    let span = text_part_span(flow, text, offset, id);
                    let owner = declaration_at(flow, text.span);
                    let place = match owner {
                        Some(owner) => format!("`{}` of `{}`", xml.name.value, owner.value),
                        None => format!("`{}`", xml.name.value),
                    };
                    let finding = sink
                        .report(
                            asset,
                            span,
                            format!(
                                "flow `{}` hard-codes the record id `{id}` in {place}",
                                flow_display_name(ctx, asset)
                            ),
                        )
                        .help(
                            "ids differ between orgs: look the record up with Get Records by \
                             a stable name (user name, queue or record type developer name), \
                             or pass the id in from custom metadata or a variable",
                        );
                    if let Some(owner) = owner {
                        finding.element(owner.value.clone());
                    }
                }
            }
        }
    }
}

/// The Salesforce record ids in `text`, with their byte offsets: each word (a run of ASCII
/// letters and digits not touching another letter, digit or `_`) of 15 or 18 characters
/// whose sixth character is `0`; an 18-character word must end with the right checksum.
fn record_ids(text: &str) -> Vec<(usize, &str)> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut ids = Vec::new();
    let mut start = None;
    for (at, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (start, is_word(c)) {
            (None, true) => start = Some(at),
            (Some(from), false) => {
                let word = &text[from..at];
                if is_record_id(word) {
                    ids.push((from, word));
                }
                start = None;
            }
            _ => {}
        }
    }
    ids
}

/// Whether `word` has the shape of a 15- or 18-character record id.
fn is_record_id(word: &str) -> bool {
    let bytes = word.as_bytes();
    if !(bytes.len() == 15 || bytes.len() == 18)
        || !bytes.iter().all(u8::is_ascii_alphanumeric)
        || bytes[5] != b'0'
    {
        return false;
    }
    bytes.len() == 15 || bytes[15..] == checksum(&bytes[..15])
}

/// The three characters an 18-character id appends to its 15-character form: for each
/// block of five characters, the bits of its upper-case letters, as a letter or digit.
fn checksum(id: &[u8]) -> [u8; 3] {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    let mut out = [b'A'; 3];
    for (block, slot) in id.chunks(5).zip(out.iter_mut()) {
        let bits = block
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_ascii_uppercase())
            .fold(0usize, |bits, (i, _)| bits | 1 << i);
        *slot = ALPHABET[bits & 31];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_found_by_shape_and_checksum() {
        let found = |text: &str| -> Vec<(usize, String)> {
            record_ids(text)
                .into_iter()
                .map(|(at, id)| (at, id.to_owned()))
                .collect()
        };
        // 18 characters with the right checksum, and its 15-character form.
        assert_eq!(
            found("005Dn000006GuG4IAK"),
            [(0, "005Dn000006GuG4IAK".to_owned())]
        );
        assert_eq!(
            found("OwnerId = '005Dn000006GuG4'"),
            [(11, "005Dn000006GuG4".to_owned())]
        );
        // A wrong checksum, 18-letter words, digits-only numbers, ids inside API names.
        assert!(found("005Dn000006GuG4IAA").is_empty());
        assert!(found("CheckIfUserIsFound CurrentTransaction").is_empty());
        assert!(found("123450789012345678").is_empty());
        assert!(found("Owner_005Dn000006GuG4 005Dn000006GuG4_x").is_empty());
        // 16 characters, no `0` in sixth place.
        assert!(found("005Dn000006GuG4I 005Dn100006GuG4").is_empty());
        // Several in one text, after multi-byte characters.
        assert_eq!(
            found("é 001000000000001,a015e00000ABCDE"),
            [
                (3, "001000000000001".to_owned()),
                (19, "a015e00000ABCDE".to_owned())
            ]
        );
    }
}
