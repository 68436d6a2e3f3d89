//! `pactsim explain --proposal ID`: why states proposed a pact and why each invitee accepted or
//! declined (docs/MODEL.md §5b), from the terms the decisions were taken on; writes
//! `proposal.csv` (every step) into output/explain-<stem>-<ID>/.

use std::io::Write;

use anyhow::Result;

use super::{ExplainArgs, say_where};
use crate::output;
use crate::report::{self, Identity, Staging, outdir};
use crate::scenario::Scenario;
use crate::study;

pub(super) fn explain(args: &ExplainArgs, sc: &Scenario, id: &str) -> Result<()> {
    let (runs, seed) = args.replicates.resolve(sc)?;
    let default = output::default_dir_named(&format!(
        "explain-{}-{}",
        study::file_stem(&args.scenario.file),
        study::file_safe(id)
    ));
    let identity = Identity::new("explain-proposal")
        .with("scenario_hash", &sc.hash)
        .with("proposal", id)
        .with("seed", seed)
        .with("runs", runs)
        .command(outdir::command_line());
    let dest = outdir::choose(args.out.as_deref(), &default, identity, args.replace)?;
    let e =
        study::proposal::explain(sc, id, seed, u64::from(runs)).map_err(|e| anyhow::anyhow!("{}: {e}", args.scenario.file.display()))?;
    let staging = Staging::new(&dest)?;
    report::explain::write_proposal_csv(staging.path(), &e).map_err(|e| staging.user_error(e.into()))?;
    let committed = staging.commit()?;
    say_where(&dest, Some(&committed), false);
    let mut o = std::io::stdout().lock();
    write!(o, "{}", report::explain::proposal_table(&e))?;
    writeln!(o, "wrote {} (proposal.csv)", committed.path.display())?;
    Ok(())
}
