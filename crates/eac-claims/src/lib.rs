//! Claims over EACs (issue 15): what a beneficiary consumed, which retired
//! EAC values back that consumption, whether each value meets the quality
//! criteria of a named, versioned rule set, and the Scope 2 figures.
//!
//! Four swappable pieces over one model, each pure:
//! - [`consumption`]: consumption intervals and their CSV reader (located
//!   errors, all or nothing, overlapping intervals refused);
//! - [`mod@allocate`]: values + consumption → allocations, surplus and
//!   shortfall per interval, exact (integer Wh arithmetic on decimals);
//! - [`rules`]: rule sets as data (id, version, parameters) whose
//!   criteria each name their source document and section and answer
//!   pass, fail or unknown with the missing data named;
//! - [`report`]: the Scope 2 report of a claim (coverage, market- and
//!   location-based emissions, the hourly matching score).
//!
//! This crate never does IO of its own, never touches SQLite, and never
//! turns a quantity or a factor into a float.

pub mod allocate;
pub mod consumption;
pub mod model;
pub mod report;
pub mod rules;

pub use allocate::{allocate, Allocation, Bucket, Matching};
pub use consumption::{read_consumption, read_consumption_all, ConsumptionError, ConsumptionRow};
pub use model::{ClaimSpec, Granularity, Interval, ValueFacts, ValueKey};
pub use report::{scope2_report, scope2_report_with, FactorFound, FactorUse, Scope2Report};
pub use rules::{rule_set, rule_sets, CriterionResult, RuleSet, Verdict};
