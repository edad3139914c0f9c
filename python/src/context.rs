//! What every task of a run needs of the roster: built by hedui's own
//! stages, once per Python process (the driver and each executor's worker),
//! from the run's arguments.

use hedui::calendar::RunMonth;
use hedui::link::{MemberIndex, Thresholds};
use hedui::load::{self, Discovered};
use hedui::normalise::{self, Roster};
use hedui::policy::{PolicySet, Resolved};
use hedui::quality::DataQuality;
use hedui::schema::Dataset;
use hedui::stages::{self, InputFiles, Kin};
use hedui::RunError;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A run's arguments: the same three as `hedui run`'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    pub data: PathBuf,
    pub policies: PathBuf,
    pub month: RunMonth,
}

/// The roster side of a run, as `hedui run` makes it up to the linking.
pub struct Context {
    pub args: Args,
    pub data: Discovered,
    pub policies: PolicySet,
    pub roster: Roster,
    pub params: Vec<Option<Arc<Resolved>>>,
    pub thresholds: Vec<Thresholds>,
    pub kin: Kin,
    /// The roster's and the registers' files (run.json `inputs`).
    pub inputs: InputFiles,
    /// The problems found so far: the roster's, duplicate ids, the registers'.
    pub quality: Vec<DataQuality>,
}

impl Context {
    /// The stages of `hedui run` before linking, in its order, with its
    /// errors (so bad input fails here, before any Spark stage).
    fn build(args: Args) -> Result<Context, RunError> {
        let policies = PolicySet::load_dir(&args.policies)?;
        let data = load::discover(&args.data)?;
        let mut quality = Vec::new();
        let tables = stages::load_roster(&data, &mut quality)?;
        let mut inputs = tables.files();
        let mut roster = normalise::roster(&tables.households, &tables.members, &mut quality);
        normalise::flag_implausible_births(&mut roster, args.month, &mut quality);
        drop(tables);
        let regions = roster.households.iter().map(|h| h.region_code.as_str());
        let params = policies.resolve_each(regions, args.month)?;
        let thresholds = stages::link_thresholds(&params);
        // Duplicate ids are reported and the registers joined here; the
        // extracts are linked by the job's joins, without this index.
        let index = MemberIndex::new(&roster, &mut quality);
        let mut kin = stages::near_relatives(&data, &roster, &index, &mut quality)?;
        inputs.extend(std::mem::take(&mut kin.files));
        Ok(Context {
            args,
            data,
            policies,
            roster,
            params,
            thresholds,
            kin,
            inputs,
            quality,
        })
    }

    /// The households of partition `p` of `partitions`: consecutive
    /// roster indices, so every partition is a batch of whole households.
    pub fn households_of(&self, p: usize, partitions: usize) -> std::ops::Range<usize> {
        let n = self.roster.households.len();
        p * n / partitions..(p + 1) * n / partitions
    }

    /// The partition of household `h` (the inverse of [`households_of`]).
    ///
    /// [`households_of`]: Context::households_of
    pub fn partition_of(&self, h: usize, partitions: usize) -> usize {
        let n = self.roster.households.len();
        // The largest p with p * n / partitions <= h.
        let mut p = (h * partitions) / n.max(1);
        while p + 1 < partitions && (p + 1) * n / partitions <= h {
            p += 1;
        }
        while p > 0 && p * n / partitions > h {
            p -= 1;
        }
        p
    }
}

/// The datasets every worker's context reads whole (the roster in
/// `load_roster`, the registers in `near_relatives`): all but the extracts,
/// which tasks read a file at a time. A job reading remote inputs fetches
/// these to every worker and an extract file only to the tasks that read it.
pub fn read_whole() -> Vec<&'static str> {
    Dataset::ALL
        .into_iter()
        .filter(|d| !Dataset::LINKED.contains(d))
        .map(Dataset::name)
        .collect()
}

/// The context of the last run asked for in this process.
static CONTEXT: Mutex<Option<Arc<Context>>> = Mutex::new(None);

/// The context for `args`, built on first use in this process.
pub fn context(args: Args) -> Result<Arc<Context>, RunError> {
    let mut cached = CONTEXT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = cached.as_ref().filter(|c| c.args == args) {
        return Ok(c.clone());
    }
    *cached = None;
    let built = Arc::new(Context::build(args)?);
    *cached = Some(built.clone());
    Ok(built)
}
