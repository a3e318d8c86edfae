//! The project pass: what every file's facts tell about the others, built once after the
//! front-end and read by every per-site check — function summaries, folded constants and
//! table names, what includes may set, the fragments callers pass, parameter defaults and
//! each file's branches.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::facts::{BranchArm, FileFacts, FnKey, Template};
use crate::include::Includes;
use crate::resolve::Constants;
use crate::taint::Summaries;

/// The project-wide facts, borrowing the per-file facts they were built from.
pub struct Project<'a> {
    pub summaries: Summaries,
    pub constants: Constants,
    /// What the includes of each file may set, for variables unassigned on a path.
    pub includes: Includes,
    /// For each project function, the argument variants of calls that pass SQL-like text.
    pub fragment_callers: HashMap<FnKey, Vec<&'a Vec<Vec<Template>>>>,
    /// Default values of parameters, by function and index.
    pub param_defaults: HashMap<(FnKey, u32), &'a Vec<Template>>,
    /// Per file, the arms of its branches.
    pub branches: Vec<&'a [BranchArm]>,
}

impl<'a> Project<'a> {
    /// Build the project pass over `facts` (one per file, with its absolute path and its path
    /// as displayed); `tables` are the table names the configuration gives.
    pub fn build(
        facts: &'a [FileFacts],
        absolute_paths: &[PathBuf],
        displays: &[String],
        tables: &BTreeMap<String, String>,
    ) -> Project<'a> {
        // Which definitions a call may run is all constant folding needs of the summaries:
        // the summaries are solved and the constants folded side by side.
        let mut summaries = Summaries::index(facts);
        let calls = summaries.call_targets();
        let ((), constants) = rayon::join(
            || summaries.solve(facts),
            || Constants::build_project(facts, tables, &|callee| calls.targets(callee).to_vec()),
        );
        let includes = Includes::build(absolute_paths, displays, facts, &constants);
        let mut fragment_callers: HashMap<FnKey, Vec<&Vec<Vec<Template>>>> = HashMap::new();
        for call in facts.iter().flat_map(|f| &f.fragment_calls) {
            // Keyed by the definitions the call may run (`$this->list(…)` → `board::list`).
            for target in summaries.targets(&call.callee) {
                fragment_callers
                    .entry(target.clone())
                    .or_default()
                    .push(&call.args);
            }
        }
        let mut param_defaults: HashMap<(FnKey, u32), &Vec<Template>> = HashMap::new();
        for d in facts.iter().flat_map(|f| &f.param_defaults) {
            param_defaults.insert((d.function.clone(), d.index), &d.value);
        }
        let branches: Vec<&[BranchArm]> = facts.iter().map(|f| f.branches.as_slice()).collect();
        Project {
            summaries,
            constants,
            includes,
            fragment_callers,
            param_defaults,
            branches,
        }
    }
}
