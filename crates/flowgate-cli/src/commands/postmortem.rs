//! `flowgate postmortem INCIDENT [--out FILE]`: the blameless post-mortem as Markdown.

use super::incident::{incident_error, refuse_remote};
use super::store::with_promotions;
use crate::cli::GlobalArgs;
use crate::exit::Exit;
use crate::incident_args::PostmortemArgs;
use crate::output::out;
use flowgate_incidents::{postmortem, Incidents};
use flowgate_store::{OperationFilter, Store};

/// `flowgate postmortem`.
pub fn run(args: &PostmortemArgs, global: &GlobalArgs) -> crate::error::CommandResult {
    refuse_remote(global, "incident")?;
    with_promotions(global, |session| async move {
        let result = async {
            let incidents = Incidents::new(&session.store, session.now);
            let incident = incidents
                .get(&args.incident)
                .await
                .map_err(incident_error)?;
            let log = session
                .store
                .operations(&OperationFilter::default())
                .await?;
            let text = postmortem(&incident, &log, session.now.date_naive());
            match &args.out {
                None => out(&text),
                Some(path) => {
                    crate::write::write_output(path, text.as_bytes())?;
                    out(&format!(
                        "Wrote the post-mortem of {} to {}\n",
                        incident.id,
                        path.display()
                    ));
                }
            }
            Ok(Exit::Success)
        }
        .await;
        (session, result)
    })
}
