//! hedui's integration tests: one binary (each links all of polars).

#[path = "it/support.rs"]
mod support;

#[path = "it/architecture.rs"]
mod architecture;
#[path = "it/bad_input.rs"]
mod bad_input;
#[path = "it/explain.rs"]
mod explain;
#[path = "it/fuzz_seeds.rs"]
mod fuzz_seeds;
#[path = "it/generated_truth.rs"]
mod generated_truth;
#[path = "it/kill.rs"]
mod kill;
#[path = "it/linkage.rs"]
mod linkage;
#[path = "it/malformed.rs"]
mod malformed;
#[path = "it/outputs.rs"]
mod outputs;
#[path = "it/report.rs"]
mod report;
#[path = "it/report_from.rs"]
mod report_from;
#[path = "it/scenarios.rs"]
mod scenarios;
#[path = "it/spark.rs"]
mod spark;
