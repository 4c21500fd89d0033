//! The command-line surface (clap derive).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::builder::{OsStringValueParser, PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{ArgGroup, Args, Parser, Subcommand};
use eac_app::{
    EacFilter, ExportProfile, FieldMatch, MatchField, SettableField, SortField, SortSpec,
    SummaryKey,
};
use eac_model::{BeneficiaryType, Date, EnergyUnit, RetiredState, SpecEnum, TechnologyType};

/// Keep Energy Attribute Certificates in a local database, browse them, edit
/// beneficiaries (audited) and export them per the LF Energy CDS spec.
#[derive(Debug, Parser)]
#[command(name = "eacdesk", version, propagate_version = true, after_help = EXIT_CODES)]
pub struct Cli {
    /// Database file, or a server database (postgres://USER@HOST/DATABASE,
    /// or libpq settings "host=… user=… dbname=…") [default: $EACDESK_DB,
    /// else the desktop app's file in the platform data folder]
    #[arg(long, global = true, value_name = "PATH", value_parser = database_path())]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The exit codes every command keeps to (README.md's "Exit codes"), for
/// `eacdesk --help`: a script learns them where it learns the commands.
const EXIT_CODES: &str = "Exit codes: 0 done; 1 the data breaks a rule (nothing was written), a \
    document is not one EAC Desk reads, the EACs lie in a closed reporting period, `check` found \
    double counting, `claims check` found a failed criterion or consumption already claimed \
    (`claims create` refused for it too), `audit verify` found a broken chain (or a history \
    changed after an evidence pack was made), a pack does not verify or `pack diff` found changes \
    since the pack; 2 anything else (usage, a \
    file that cannot be read or written, a refused destination; `audit verify`, `check`, `claims \
    check`, `claims report` and `pack diff` when there is no database at --db); 130 interrupted \
    (Ctrl-C, SIGTERM, SIGHUP: the change under way is rolled back); 141 the reader of the output \
    went away (`eacdesk ls | head`). `--json` output is JSON or nothing; messages go to stderr.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import registry documents (Ofgem, I-REC, GO, M-RETS, EnergyTag, mapped
    /// CSV), P1 listing files, P2 listings or P2 bundle folders; each file is
    /// imported whole or not at all (`eacdesk formats` lists what is read)
    Import(ImportArgs),
    /// List the formats `import` reads, and whether each is found from the
    /// file's content
    Formats {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// List stored EACs, with the count and exact total of the filtered set
    /// (or write them as CSV or an Excel workbook)
    Ls(LsArgs),
    /// Quantities of the matching EACs, in total or grouped (--by) by
    /// technology, year, quarter, month, source (registry) and retirement,
    /// exact, in one unit
    Summary(SummaryArgs),
    /// Show every field and value of one EAC, the fields it still lacks and
    /// the documents it came from (or save one of them)
    Show(ShowArgs),
    /// Change who EACs are attributed to (every change is audited)
    Beneficiaries {
        #[command(subcommand)]
        action: BeneficiariesCommand,
    },
    /// Show the audit log, newest first (all EACs or one), or check its hash chain (`audit verify`)
    #[command(args_conflicts_with_subcommands = true)]
    Audit {
        #[command(subcommand)]
        check: Option<AuditCommand>,
        /// The EAC whose changes to show (an EAC whose id is `verify`: `audit -- verify`)
        cds_eac_id: Option<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Export stored EACs to a listing file (written whole or not at all)
    Export(ExportArgs),
    /// Check a listing file (P1) or a P2 listing or bundle folder against a profile without importing it
    Validate(ValidateArgs),
    /// Record that EACs were checked against their source just now (sets `cds_synced`;
    /// more than one EAC needs --yes)
    Verify(VerifyArgs),
    /// Generate realistic sample EACs into the database (or a file)
    Sample(SampleArgs),
    /// Copy a whole database (EACs, documents, reference data, claims, audit
    /// log with its chain) between files and PostgreSQL databases: into an
    /// empty server database set up by `server init`, or into a new file;
    /// verified table by table, all or nothing
    Copy(CopyArgs),
    /// Team mode: make a PostgreSQL database ready for EAC Desk (schema and
    /// the analyst and auditor roles; see docs/team.md)
    Server {
        #[command(subcommand)]
        action: ServerCommand,
    },
    /// Reference data behind beneficiaries: accounts, service contracts, programs
    Refdata {
        #[command(subcommand)]
        action: RefdataCommand,
    },
    /// Complete or correct fields of one EAC or of every matching EAC
    /// (audited with a reason; more than one EAC needs --yes)
    Set(SetFieldsArgs),
    /// Enter the emission factors of one EAC (audited; needed before a P1
    /// export when they were imported as "TODO")
    ///
    /// Like `eacdesk set ID emissions_factor_direct=D
    /// emissions_factor_lca=L --reason TEXT`, except that entering the
    /// factors the EAC already has is still recorded, as a review of them
    /// (decision 15), where `set` changes nothing and records nothing.
    SetEmissions(SetEmissionsArgs),
    /// Find the same certificates counted twice: overlapping ranges of one
    /// registry, certificates claimed for two beneficiaries, retired twice;
    /// also stored documents another program changed and stored EACs every
    /// export refuses (text over 4096 characters stored before that cap)
    /// (exit 0 when none, 1 when any, 2 when there is no database at --db)
    Check(CheckArgs),
    /// Saved column mappings for registry CSVs without a reader of their own
    /// (`import --mapping NAME`)
    Mapping {
        #[command(subcommand)]
        action: MappingCommand,
    },
    /// Consumption per beneficiary, the basis of claims (`consumption import FILE`, `consumption ls`)
    Consumption {
        #[command(subcommand)]
        action: ConsumptionCommand,
    },
    /// Claims: match retired EAC values to consumption, check them against the GHG Protocol
    /// Scope 2, RE100 and EnergyTag criteria (`claims check`, exit 1 when any fails), report
    /// Scope 2 both ways (`claims report`), record claims and enter emission factors
    Claims {
        #[command(subcommand)]
        action: ClaimsCommand,
    },
    /// Closed reporting periods: EACs whose period lies inside cannot be changed until reopened
    Period {
        #[command(subcommand)]
        action: PeriodCommand,
    },
    /// Write a signed evidence pack of the matching EACs to a folder (`pack
    /// --out DIR`), check one anywhere (`pack verify`), say what changed in
    /// the database since one was made (`pack diff`) or list those made
    /// (`pack ls`)
    Pack(PackArgs),
    /// Show your signing key for evidence packs (created on first use): its
    /// algorithm, public key, fingerprint and where it is kept, never the
    /// secret
    Key {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Delete EACs by id or every matching EAC (audited, all or nothing;
    /// more than one needs --yes)
    Delete(DeleteArgs),
    /// List imports (files and sample loads) with their numbers, for undo-import
    Imports {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Undo an import: remove the EACs it added, restore the ones it replaced
    /// (audited, all or nothing; more than one EAC needs --yes)
    UndoImport(UndoImportArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "Several files: each file is its own transaction. A file refused leaves the files \
                  before it imported, and the files after it are still tried; the report says \
                  which were imported, and when any was refused stderr ends with a line naming \
                  the files imported and those not.\n\n\
                  Exit codes: 0 every file imported; 1 a file broke a rule or is not a document \
                  EAC Desk reads (nothing from it was imported); 2 a file could not be read, or \
                  usage (2 outweighs 1 when files fail each way)."
)]
pub struct ImportArgs {
    /// Accept the technologies not in the 2024-08-29 draft (nuclear, marine, storage)
    #[arg(long)]
    pub allow_extended_technologies: bool,
    /// P2: the folder detail files may also be read from (a listing outside
    /// its bundle reads none without it; `file:` URIs must point inside it)
    #[arg(long, value_name = "FOLDER", value_parser = input_path())]
    pub details_from: Option<PathBuf>,
    /// Read every file as this format instead of finding it from the content
    /// (an id of `eacdesk formats`: cds-p1, cds-p2, ofgem-csv, irec-pdf, …)
    #[arg(long, value_name = "NAME", value_parser = parse_format)]
    pub format: Option<String>,
    /// Read the files as CSV with this saved column mapping (`eacdesk mapping ls`)
    #[arg(long, value_name = "NAME")]
    pub mapping: Option<String>,
    /// Only report what importing would add, replace and skip; nothing is written
    #[arg(long)]
    pub dry_run: bool,
    /// Print the import report as JSON
    #[arg(long)]
    pub json: bool,
    /// The files (or P2 bundle folders) to import; `-` (standard input) is
    /// not read
    #[arg(required = true, value_name = "FILE", value_parser = input_path())]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub cds_eac_id: String,
    /// Write the original bytes of source document N (as numbered by `show`)
    /// to the file given with --out
    #[arg(long, value_name = "N", requires = "out")]
    pub save_source: Option<usize>,
    /// Where --save-source writes (replaced only when the copy is complete)
    #[arg(long, value_name = "PATH", requires = "save_source", value_parser = output_path())]
    pub out: Option<PathBuf>,
    /// Read each source document's stored bytes and mark any whose SHA-256 another program changed (reads every document whole)
    #[arg(long)]
    pub verify: bool,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// Which EACs: every set option narrows the set.
#[derive(Debug, Args, Default)]
pub struct FilterArgs {
    /// Text in the EAC or value numbers, id, asset, source, destination or beneficiaries, or in the station, beneficiary or holder names of a registry statement (any case)
    #[arg(long, value_name = "TEXT")]
    pub search: Option<String>,
    /// Technology type (nuclear, marine and storage are outside the draft list)
    #[arg(long, value_name = "T", value_parser = spec_parser::<TechnologyType>())]
    pub technology: Option<TechnologyType>,
    /// Current beneficiary type
    #[arg(long, value_name = "T", value_parser = spec_parser::<BeneficiaryType>())]
    pub beneficiary_type: Option<BeneficiaryType>,
    /// Periods overlapping this day or later (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<String>,
    /// Periods overlapping this day or earlier (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<String>,
    /// Whether the values are retired: all (yes), none (no) or some (partly)
    #[arg(long, value_name = "yes|no|partly", value_parser = spec_parser::<RetiredState>())]
    pub retired: Option<RetiredState>,
    /// Issuing organisation id (exact)
    #[arg(long, value_name = "ID")]
    pub source: Option<String>,
    /// Retiring organisation id (exact)
    #[arg(long, value_name = "ID")]
    pub destination: Option<String>,
    /// Only EACs missing an emission factor (imported as "TODO"; they block a P1 export)
    #[arg(long)]
    pub missing_emissions: bool,
    /// Only EACs lacking a field the spec requires (they block P1 and P2
    /// exports; `eacdesk show ID` names the fields)
    #[arg(long, conflicts_with = "complete")]
    pub incomplete: bool,
    /// Only EACs lacking no required field
    #[arg(long)]
    pub complete: bool,
    /// Only EACs whose FIELD is exactly VALUE (`FIELD=` : the field is
    /// missing); repeatable. Fields: eac_number, technology, source,
    /// destination, beneficiary_type, beneficiary, retired, asset,
    /// asset_commissioned, issuance (technology_type and retired_state, as
    /// --sort took them, are technology and retired)
    #[arg(long = "where", value_name = "FIELD=VALUE", value_parser = parse_match_only)]
    pub only: Vec<FieldMatch>,
    /// No EAC whose FIELD is exactly VALUE (EACs missing the field stay);
    /// repeatable, same fields as --where
    #[arg(long, value_name = "FIELD=VALUE", value_parser = parse_match_exclude)]
    pub exclude: Vec<FieldMatch>,
}

impl FilterArgs {
    pub fn to_filter(&self) -> EacFilter {
        EacFilter {
            // A search of nothing (`--search ''`, white space) searches for
            // nothing: no filter, as the store, the app's filter bar and
            // the words of a selection read it; so `ls` counts the EACs
            // stored without values as an unfiltered export takes them.
            search: self.search.clone().filter(|s| !s.trim().is_empty()),
            technology: self.technology,
            beneficiary_type: self.beneficiary_type,
            from: self.from.clone(),
            to: self.to.clone(),
            retired: self.retired,
            source: self.source.clone(),
            destination: self.destination.clone(),
            missing_emissions: self.missing_emissions.then_some(true),
            incomplete: match (self.incomplete, self.complete) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            matches: (!self.only.is_empty() || !self.exclude.is_empty())
                .then(|| self.only.iter().chain(&self.exclude).cloned().collect()),
            ..EacFilter::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        self.to_filter() == EacFilter::default()
    }

    /// The store's one validation of the filter ([`eac_store::check_filter`]),
    /// asked before the database is opened and said with the options.
    pub fn check(&self) -> Result<(), eac_app::AppError> {
        eac_store::check_filter(&self.to_filter()).map_err(filter_refusal)
    }
}

/// The store's refusal of a filter said with the command's options; any
/// other refusal (a day that is not a date) as the app says it.
pub fn filter_refusal(e: eac_store::StoreError) -> eac_app::AppError {
    use eac_store::FilterProblem;
    match e {
        eac_store::StoreError::Filter(FilterProblem::SearchTooLong { chars }) => {
            eac_app::AppError::invalid_input(format!(
                "--search: the search text is {chars} characters; at most {} are searched for; nothing was done. Search for a shorter part of it",
                eac_store::SEARCH_MAX_CHARS
            ))
        }
        eac_store::StoreError::Filter(FilterProblem::FromAfterTo { from, to }) => {
            eac_app::AppError::invalid_input(format!(
                "--from {from} is after --to {to}: no EAC's period could match; nothing was done. Give the first day with --from and the last with --to"
            ))
        }
        e => e.into(),
    }
}

#[derive(Debug, Args)]
pub struct LsArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Sort by FIELD, ascending unless `:desc` follows
    /// (eac_number, technology, period_start, period_end, source,
    /// destination, beneficiary_type, quantity, retired, issuance,
    /// cds_eac_id, cds_modified; technology_type and retired_state are
    /// technology and retired)
    #[arg(long, value_name = "FIELD[:desc]", value_parser = parse_sort)]
    pub sort: Option<SortSpec>,
    /// Rows to show (default 50; at most 1000 at a time, in text and
    /// --json alike: more is cut to 1000, saying so on stderr); --csv and
    /// --xlsx write every matching row, or with --limit/--offset exactly
    /// those rows (any number). --limit 0 shows no row, only the count and
    /// total (with --xlsx it is refused: the workbook would hold no EAC)
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Rows to skip
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub offset: usize,
    /// The unit quantities and the total are shown in (exact conversion)
    #[arg(long, default_value = "MWh", value_name = "Wh|kWh|MWh", value_parser = parse_unit)]
    pub unit: EnergyUnit,
    /// Print `{ rows, summary, envelope_only }` as JSON: the rows shown,
    /// the count and exact totals of every matching EAC, and
    /// `envelope_only` `{ matching, stored }`: the EACs stored without
    /// values (not in rows nor summary) that the filter also selects (all
    /// of them without a filter, none with one), and how many are stored.
    /// With --envelope-only: `{ rows, count }` of those EACs
    #[arg(long, conflicts_with_all = ["csv", "xlsx"])]
    pub json: bool,
    /// Print the rows as CSV: every column of the app's table and of
    /// --json's rows (ids, number, technology, period, issuance, source,
    /// destination, beneficiaries, retired state, value count, quantities
    /// exact as imported per unit and the total in --unit, what is
    /// missing, then asset_id, asset_commissioned, both emission factors
    /// as exact text, cds_created and cds_modified). Unfiltered, the EACs
    /// stored without values are not in it (they have none): stderr says
    /// how many
    #[arg(long, conflicts_with = "xlsx")]
    pub csv: bool,
    /// Write the rows to an Excel workbook FILE (replaced only when
    /// complete), with --csv's columns (dates as date cells, the total also
    /// as a number) and a sheet "Filter and totals": which rows (the
    /// filter in words; a page as "rows 3–5 of 9 EACs with …, by …"), the
    /// EACs stored without values left out, the sort, count and totals
    #[arg(long, value_name = "FILE", value_parser = workbook_path())]
    pub xlsx: Option<PathBuf>,
    /// List the EACs stored without values instead (envelope-only: from a
    /// P2 listing whose detail data EAC Desk does not read), in P2 order.
    /// The filters do not apply to them; an unfiltered export takes them
    #[arg(long, conflicts_with_all = ["sort", "csv", "xlsx"])]
    pub envelope_only: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Time keys (year, quarter, month) are of each VALUE's period (its start, \
                        else its EAC's period start), in UTC: an EAC whose values span two months \
                        adds to both, and counts as one EAC in each. The filters select EACs; \
                        all of their values are grouped."
)]
pub struct SummaryArgs {
    /// Group by these keys, in this order (comma-separated): technology,
    /// year, quarter, month, source, retired. Without --by: the total of
    /// the matching EACs alone, one row labelled Total (--json and --csv
    /// give it as one group without keys, then the total)
    #[arg(long, value_name = "KEY[,KEY…]", value_delimiter = ',', value_parser = parse_summary_key)]
    pub by: Vec<SummaryKey>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// The unit totals are shown in (exact conversion)
    #[arg(long, default_value = "MWh", value_name = "Wh|kWh|MWh", value_parser = parse_unit)]
    pub unit: EnergyUnit,
    /// Print the groups as JSON (with the exact sums per unit)
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the groups as CSV
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Subcommand)]
pub enum BeneficiariesCommand {
    /// Set the beneficiary type and ids of one EAC or of every matching EAC
    Set(SetArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).args(["cds_eac_id", "all_matching"])))]
pub struct SetArgs {
    /// The EAC to change
    pub cds_eac_id: Option<String>,
    /// Change every EAC matching the filters below instead of one
    #[arg(long)]
    pub all_matching: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// New beneficiary type
    #[arg(long = "type", value_name = "TYPE", value_parser = spec_parser::<BeneficiaryType>())]
    pub kind: BeneficiaryType,
    /// A beneficiary id (repeat for several; none for `general`)
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<String>,
    /// Why (kept in the audit log; may be left out with --dry-run)
    #[arg(long, value_name = "TEXT", required_unless_present = "dry_run")]
    pub reason: Option<String>,
    /// Refuse the change if the EAC is no longer at this version (the
    /// `version` that `show --json` printed): someone changed it since
    #[arg(long, value_name = "N", conflicts_with = "all_matching")]
    pub if_version: Option<i64>,
    /// Only say whether (with --all-matching: how many) EACs would change;
    /// nothing is written
    #[arg(long)]
    pub dry_run: bool,
    /// With --all-matching: confirm changing more than one EAC (without
    /// it, nothing is changed)
    #[arg(long, requires = "all_matching")]
    pub yes: bool,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum RefdataCommand {
    /// Import CDS accounts / service contracts listings and programs lists
    /// (CSV or JSON), detected from their content; each file whole or not at all
    #[command(
        after_help = "Several files: each file is its own transaction, and the import stops at the \
                      first file refused: the files before it stay imported, the files after it \
                      are not tried (they are named). A database that did not exist yet is kept \
                      only when every file was imported: a refused file leaves no new database, \
                      so the files before it are read but not saved (they are named so).\n\n\
                      Exit codes: 0 every file imported; 1 the file refused breaks the \
                      reference-data format or is not reference data; 2 it could not be read, or \
                      usage."
    )]
    Import {
        /// Print the reports as JSON
        #[arg(long)]
        json: bool,
        #[arg(required = true, value_name = "FILE", value_parser = input_path())]
        files: Vec<PathBuf>,
    },
    /// Remove reference-data ids of one type (audited with a reason). EACs
    /// that still name a removed id are named in a warning; they are not
    /// changed
    Rm {
        /// Their beneficiary type
        #[arg(value_name = "TYPE", value_parser = spec_parser::<BeneficiaryType>())]
        kind: BeneficiaryType,
        /// The ids, exactly as stored (`refdata ls`)
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
        /// Why (kept in the audit log; may be left out with --dry-run)
        #[arg(long, value_name = "TEXT", required_unless_present = "dry_run")]
        reason: Option<String>,
        /// Only say what would be removed; nothing is written
        #[arg(long)]
        dry_run: bool,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// List imported reference data
    Ls {
        /// Only this beneficiary type
        #[arg(long = "type", value_name = "T", value_parser = spec_parser::<BeneficiaryType>())]
        kind: Option<BeneficiaryType>,
        /// Text in the id or label (any case)
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// What to copy: a database file or postgres://USER@HOST/DATABASE
    /// (default: --db)
    #[arg(long, value_name = "FILE_OR_URL", value_parser = copy_source())]
    pub from: Option<String>,
    /// Where to: postgres://USER@HOST/DATABASE (or key=value settings), or
    /// a new file
    #[arg(long, value_name = "FILE_OR_URL", value_parser = copy_destination())]
    pub to: String,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Bring the database's schema to this version and grant the roles
    /// `eacdesk_analyst` (read and change; the audit log only grows) and
    /// `eacdesk_auditor` (read only); run again after each upgrade. The
    /// password, when not in the address, comes from PGPASSWORD.
    Init {
        /// The database: postgres://USER@HOST/DATABASE (or key=value settings)
        #[arg(value_name = "URL")]
        url: String,
        /// Print the report as JSON
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Re-compute the audit log's hash chain: exit 0 when intact, 1 naming the first record
    /// another program edited, deleted, inserted or moved, 2 when there is no database at --db
    Verify {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct SetEmissionsArgs {
    /// The EAC to change
    pub cds_eac_id: String,
    /// Direct emission factor (a number, 0 or more; exact decimal text)
    #[arg(long, value_name = "D", allow_hyphen_values = true)]
    pub direct: String,
    /// Life-cycle (LCA) emission factor (a number, 0 or more)
    #[arg(long, value_name = "L", allow_hyphen_values = true)]
    pub lca: String,
    /// Why (kept in the audit log)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// Refuse the change if the EAC is no longer at this version (the
    /// `version` that `show --json` printed): someone changed it since
    #[arg(long, value_name = "N")]
    pub if_version: Option<i64>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// `eacdesk set`: the fields it writes, with what each expects, for `--help`.
fn set_fields_help() -> String {
    let mut text = String::from(
        "Fields (FIELD=VALUE; `issued` fills the values without an issue date, and on an EAC named by\n\
         its id corrects one entered with `set` (never a date the imported document gave); `retired`\n\
         dates the values proven retired without a date: it never makes a value retired):\n",
    );
    for f in SettableField::ALL {
        text.push_str(&format!("  {:<24} {}\n", f.as_str(), f.expects()));
    }
    text.push_str(
        "\nnuclear, marine and storage are outside the 2024-08-29 draft list: `set` stores them \
         with a warning,\nand `validate` and `import` accept an export holding them only with \
         --allow-extended-technologies.\n\
         \nThe beneficiaries are set with `eacdesk beneficiaries set`.\n\nExamples:\n  \
         eacdesk set 'irec:0000-0000-6529-5750.000000..0000-0000-6529-5761.999999' retired=2021-03-31 --reason \"statement of 2021-04-02\"\n  \
         eacdesk set --all-matching --incomplete --source ofgem asset_origination=grid asset_destination=grid --reason \"UK grid\" --yes",
    );
    text
}

#[derive(Debug, Args)]
#[command(
    override_usage = "eacdesk set <CDS_EAC_ID> <FIELD=VALUE>... --reason <TEXT>\n       \
                      eacdesk set --all-matching [FILTERS] <FIELD=VALUE>... --reason <TEXT> [--yes]",
    after_help = set_fields_help()
)]
pub struct SetFieldsArgs {
    /// The EAC's id followed by the fields to set; with --all-matching, only
    /// the fields
    #[arg(required = true, value_name = "CDS_EAC_ID | FIELD=VALUE")]
    pub args: Vec<String>,
    /// Set the fields of every EAC matching the filters below instead of one
    #[arg(long)]
    pub all_matching: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Why (kept in the audit log; may be left out with --dry-run)
    #[arg(long, value_name = "TEXT", required_unless_present = "dry_run")]
    pub reason: Option<String>,
    /// Only say how many EACs would change and be complete; nothing is written
    #[arg(long)]
    pub dry_run: bool,
    /// Refuse the change if the EAC is no longer at this version (the
    /// `version` that `show --json` printed): someone changed it since
    #[arg(long, value_name = "N", conflicts_with = "all_matching")]
    pub if_version: Option<i64>,
    /// Confirm changing more than one EAC (without it, nothing is changed)
    #[arg(long)]
    pub yes: bool,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Print `{ ranges, matching_ranges, findings, documents, violations }`
    /// as JSON: the stored ranges compared, of them those of the matching
    /// EACs (only with a filter), the double counting found, the stored
    /// documents another program changed, and the rule violations of
    /// stored EACs every export refuses. Exit 1 when any of findings,
    /// documents and violations is not empty (`findings` may be empty)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum PeriodCommand {
    /// Close the days FROM..=TO (UTC): every EAC whose whole period lies inside is frozen
    /// (beneficiaries, fields, emission factors, re-imports and deletion are refused), and the
    /// recorded claims and consumption rows sharing a moment with those days are held (recording
    /// or deleting such a claim, importing or deleting such consumption are refused); audited
    Close {
        /// First day, YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        from: String,
        /// Last day (inclusive), YYYY-MM-DD
        #[arg(long, value_name = "DATE")]
        to: String,
        /// Why it is closed (e.g. "2024 filed with the regulator"); kept in the audit log
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Reopen a closed period (its EACs can be changed again); audited
    Reopen {
        /// The period's number (`eacdesk period ls`)
        id: i64,
        /// Why it is reopened; kept in the audit log
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// List closed periods (also those reopened), with who, when and why
    Ls {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
}

/// `eacdesk pack`: make a pack, or one of its subcommands.
#[derive(Debug, Args)]
#[command(
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true,
    override_usage = "eacdesk pack --out <DIR> [FILTERS] [--title <TEXT>] [--json]\n       \
                      eacdesk pack verify <DIR> [--key <FINGERPRINT>] [--json]\n       \
                      eacdesk pack diff <DIR> [--json]\n       \
                      eacdesk pack ls [--json]",
    after_help = "A pack holds the EACs as a P1 listing and a P2 bundle, the registry documents they \
                  came from, the audit log (with its hash chain), a claim statement (PDF and CSV) \
                  and MANIFEST.json (every file with its SHA-256), signed with your key \
                  (`eacdesk key`). Only complete EACs can be packed; nothing is written when any \
                  selected EAC is incomplete (`--complete` leaves them out).\n\n\
                  Exit codes: 0 written; 1 the selected EACs cannot be packed (incomplete); \
                  2 usage, no EAC selected, a folder holding files EAC Desk did not write, I/O."
)]
pub struct PackArgs {
    #[command(subcommand)]
    pub action: Option<PackCommand>,
    /// The folder to write (created, or an empty folder, or an earlier pack,
    /// which is replaced only when the new one is complete)
    #[arg(long, value_name = "DIR", required = true, value_parser = pack_folder())]
    pub out: Option<PathBuf>,
    /// A title for the pack (shown in its claim statement and `pack ls`;
    /// kept in the audit log)
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum PackCommand {
    /// Check a pack on its own, without any database: its signature, every
    /// file's SHA-256, that no file was added or removed, the audit chain it
    /// holds and its CDS files against the schemas
    #[command(
        after_help = "Exit codes: 0 the pack is intact; 1 something does not hold (each file or \
                      audit record named); 2 DIR is not a pack (a file, or a folder with \
                      none of a pack's files), cannot be read, or --key is no fingerprint."
    )]
    Verify {
        /// The pack's folder
        #[arg(value_name = "DIR", value_parser = input_path())]
        dir: PathBuf,
        /// The fingerprint of the key the pack must be signed with (as
        /// `eacdesk key` shows it: 32 hex digits, the dashes optional); a
        /// pack signed by any other key fails
        #[arg(long, value_name = "FINGERPRINT")]
        key: Option<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// What changed in this database since a pack was made: EACs added,
    /// removed and edited, with their audit records
    #[command(
        after_help = "Exit codes (as `diff`): 0 nothing changed since the pack; 1 EACs were added, \
                      removed or edited since, or the pack itself does not verify; 2 DIR is not a \
                      pack, there is no database at --db, or usage or I/O."
    )]
    Diff {
        /// The pack's folder
        #[arg(value_name = "DIR", value_parser = input_path())]
        dir: PathBuf,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// List the packs made from this database, newest first
    Ls {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
}

/// `mapping save --help`: the keys of a mapping file, and where else one
/// comes from (no user document said them; docs/mapping.md says each).
const MAPPING_KEYS_HELP: &str = "The file is one JSON object (docs/mapping.md describes each key, \
with examples). A field is {\"column\": \"HEADER\"}, {\"column_number\": N} (from 1, files \
without a header) or {\"value\": \"TEXT\"} (the same on every row).\n\
  Required: registry, source_id, source_name, time_zone (IANA), the certificate numbers (first \
and last, or range {\"field\": …, \"separator\": \" - \"}), per_certificate or \
total_energy, unit, status, the period (period_start and period_end, or month), device_id.\n\
  Optional: delimiter, skip_lines, has_header, number_style (decimal_point, decimal_comma), \
date_order (iso, dmy, mdy), count, claim_date, issue_date, device_name, technology, \
technology_table {\"WORDING\": \"wind\"}, beneficiary_name, holder, facts [{\"name\": …, \
\"field\": …}].\n\n\
The desktop app builds and saves a mapping for you: Import…, format “Any registry's CSV, with a \
saved column mapping”; `eacdesk mapping show NAME` prints a saved one as JSON.";

#[derive(Debug, Subcommand)]
pub enum MappingCommand {
    /// Save a column mapping (JSON) under NAME, replacing one of that name
    #[command(after_help = MAPPING_KEYS_HELP)]
    Save {
        name: String,
        #[arg(value_name = "FILE.json", value_parser = input_path())]
        file: PathBuf,
    },
    /// List the saved mappings
    Ls {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Print a saved mapping (JSON)
    Show { name: String },
    /// Remove a saved mapping
    Rm { name: String },
    /// Show a CSV's header and first rows as a mapping splits them, which
    /// column feeds which field, and what import would refuse (exit 1 if
    /// anything)
    #[command(group(ArgGroup::new("which").required(true).args(["mapping", "mapping_file"])))]
    Preview {
        #[arg(value_parser = input_path())]
        file: PathBuf,
        /// A saved mapping
        #[arg(long, value_name = "NAME")]
        mapping: Option<String>,
        /// A mapping file not saved yet
        #[arg(long, value_name = "F.json", value_parser = input_path())]
        mapping_file: Option<PathBuf>,
        /// How many rows to show
        #[arg(long, default_value_t = 5, value_name = "N")]
        rows: usize,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).args(["cds_eac_ids", "all_matching"])))]
pub struct DeleteArgs {
    /// The EACs to delete (full or envelope-only), by exact id
    #[arg(value_name = "CDS_EAC_ID")]
    pub cds_eac_ids: Vec<String>,
    /// Delete every EAC matching the filters below (no filter: every EAC,
    /// envelope-only ones included)
    #[arg(long)]
    pub all_matching: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Why (kept in the audit log; may be left out with --dry-run)
    #[arg(long, value_name = "TEXT", required_unless_present = "dry_run")]
    pub reason: Option<String>,
    /// Only say what would be deleted
    #[arg(long)]
    pub dry_run: bool,
    /// Confirm deleting more than one EAC (without it, nothing is deleted)
    #[arg(long)]
    pub yes: bool,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UndoImportArgs {
    /// The import's number (see `eacdesk imports`)
    #[arg(value_name = "IMPORT")]
    pub batch_id: i64,
    /// Why (kept in the audit log; may be left out with --dry-run)
    #[arg(long, value_name = "TEXT", required_unless_present = "dry_run")]
    pub reason: Option<String>,
    /// Only say what would be removed and restored
    #[arg(long)]
    pub dry_run: bool,
    /// Confirm an undo that removes or restores more than one EAC
    #[arg(long)]
    pub yes: bool,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Each EAC is checked against the profile's rules before the file is written, as \
                  `eacdesk validate` checks a file. A technology outside the 2024-08-29 draft \
                  list (nuclear, marine, storage: imported with --allow-extended-technologies, or \
                  set by hand) is written as stored, with a warning on stderr (`warnings` under \
                  --json): `validate` and `import` accept such a file only with \
                  --allow-extended-technologies."
)]
pub struct ExportArgs {
    /// The export profile
    #[arg(long, value_name = "PROFILE", value_parser = spec_parser::<ExportProfile>())]
    pub profile: ExportProfile,
    /// The file (P1) or bundle folder (P2) to write (replaced only when the export succeeds), in
    /// a folder that exists; a new P2 folder is not named *.json (a bundle is a folder)
    #[arg(long, value_name = "FILE|DIR", value_parser = export_path())]
    pub out: PathBuf,
    /// P2: the https URL the bundle will be published at, published as typed with only a closing
    /// / added (default: file: URIs of the folder). Refused: a user name or password
    /// (https://user:pw@…, which every URL of the bundle would publish), a query or fragment, no
    /// host (https:///eacs/), and what a URL parser would rewrite (dot segments such as .. or
    /// %2e%2e, an upper-case host or scheme, the default port :443), naming what it would become
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 valid for the profile (warnings alone leave it valid); 1 not valid: \
                  it breaks a rule (each error listed with its place); 2 it cannot be read (not \
                  there, no permission), or usage."
)]
pub struct ValidateArgs {
    /// The profile to check against (a file of the other one is named so)
    #[arg(long, value_name = "PROFILE", value_parser = validate_profile())]
    pub profile: ExportProfile,
    /// Accept the technologies not in the 2024-08-29 draft (nuclear, marine, storage)
    #[arg(long)]
    pub allow_extended_technologies: bool,
    /// P2: the folder detail files may also be read from (a listing outside
    /// its bundle reads none without it; `file:` URIs must point inside it)
    #[arg(long, value_name = "FOLDER", value_parser = input_path())]
    pub details_from: Option<PathBuf>,
    /// Print `{ errors, warnings }` as JSON
    #[arg(long)]
    pub json: bool,
    #[arg(value_name = "FILE|FOLDER", value_parser = input_path())]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).args(["cds_eac_id", "all_matching"])))]
pub struct VerifyArgs {
    /// The EAC that was checked
    pub cds_eac_id: Option<String>,
    /// Every EAC matching the filters below instead of one
    #[arg(long)]
    pub all_matching: bool,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// A note kept in the audit log (default: "checked against its source")
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Only say how many EACs would be marked; nothing is written
    #[arg(long)]
    pub dry_run: bool,
    /// With --all-matching: confirm marking more than one EAC (without
    /// it, nothing is changed)
    #[arg(long, requires = "all_matching")]
    pub yes: bool,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// How many EACs (about ten values each)
    #[arg(long, value_name = "N")]
    pub eacs: usize,
    /// The same seed always gives the same EACs
    #[arg(long, default_value_t = 1, value_name = "S")]
    pub seed: u64,
    /// Write a P1 listing file instead of loading the database
    #[arg(long, value_name = "FILE", value_parser = output_path())]
    pub out: Option<PathBuf>,
    /// Write the sample's values as CSV (benchmark comparison with sqlite3)
    #[arg(long, value_name = "FILE", hide = true, value_parser = output_path())]
    pub values_csv: Option<PathBuf>,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// Any spec enumeration as a value parser: clap lists its spellings in
/// errors and `-h`, each with its help text in `--help`, and hands the
/// command the parsed value. Any case is taken ([`AnyCase`]).
fn spec_parser<T: SpecEnum>() -> impl TypedValueParser<Value = T> {
    AnyCase(PossibleValuesParser::new(
        T::ALL
            .iter()
            .map(|v| PossibleValue::new(v.as_str()).help(v.help())),
    ))
    .map(|s| <T as SpecEnum>::parse(&s).expect("a listed value"))
}

/// A closed list's value in any case (`Wind`, `PARTLY`), handed on in its
/// listed spelling: one rule for every option that takes a word from a
/// list, as `--where` values, `--unit`, `--sort` and `--by` take them
/// (decision 265). The list in help and errors stays as it is spelt.
#[derive(Clone)]
struct AnyCase(PossibleValuesParser);

impl TypedValueParser for AnyCase {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        let listed = value.to_str().and_then(|text| {
            self.0
                .possible_values()?
                .find(|v| {
                    v.get_name_and_aliases()
                        .any(|n| n.eq_ignore_ascii_case(text))
                })
                .map(|v| v.get_name().to_owned())
        });
        match listed {
            Some(name) => Ok(name),
            None => self.0.parse_ref(cmd, arg, value),
        }
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        self.0.possible_values()
    }
}

/// `validate --profile`: the profiles with what `validate` takes of each
/// (the export's help of p2, "a FOLDER, not a single file", is true of
/// what an export writes, not of what `validate` reads).
fn validate_profile() -> impl TypedValueParser<Value = ExportProfile> {
    AnyCase(PossibleValuesParser::new([
        PossibleValue::new(ExportProfile::P1.as_str()).help(
            "A P1 listing: one JSON file with the certificates and all their values (the \
             CDSC-WG3-01 draft of 2024-08-29, as amended).",
        ),
        PossibleValue::new(ExportProfile::P2.as_str()).help(
            "A P2 bundle folder (eacs.json, one detail file per EAC, server-metadata.json; \
             CDS-WG3-01 v1), or a P2 listing file (an eacs.json), its detail files read where \
             its eac_data_url points (or --details-from).",
        ),
    ]))
    .map(|s| <ExportProfile as SpecEnum>::parse(&s).expect("a listed value"))
}

/// Where an output is written (`--out`, `--xlsx`, `--values-csv`, `copy
/// --to`): a file or folder. `-`, which many tools take for standard
/// output, is refused, so that no file named `-` is made (awkward to
/// remove) and no export is recorded under it; `ls --csv` and the
/// reports' `--csv`/`--json` print to standard output. A name that is not
/// UTF-8 is refused naming the option (clap said only "invalid UTF-8 was
/// detected in one or more arguments").
fn output_path() -> impl TypedValueParser<Value = PathBuf> {
    OsStringValueParser::new().try_map(|name| output_name(name, ""))
}

/// [`output_path`]'s check; `where_else` follows the refusal of `-`.
fn output_name(name: OsString, where_else: &str) -> Result<PathBuf, String> {
    match name.to_str() {
        Some("-") => Err(format!("{NO_STDOUT}{where_else}")),
        Some(_) => Ok(PathBuf::from(name)),
        None => Err(NOT_UTF8.to_owned()),
    }
}

/// Why `-` is refused as an output ([`output_path`]).
const NO_STDOUT: &str = "write to a file; `-` (standard output) is not supported for this output";

/// Why a name that is not UTF-8 is refused as an output ([`output_path`]):
/// the audit log, the reports and the app name what was written as text.
const NOT_UTF8: &str = "the name is not valid UTF-8 text, which EAC Desk needs to record and \
                        show where it wrote; give a name in UTF-8";

/// `ls --xlsx`: as [`output_path`], saying where the table goes to
/// standard output.
fn workbook_path() -> impl TypedValueParser<Value = PathBuf> {
    OsStringValueParser::new()
        .try_map(|name| output_name(name, " (`ls --csv` prints the table to standard output)"))
}

/// `copy --to`: a database file or a server's address, never `-`.
fn copy_destination() -> impl TypedValueParser<Value = String> {
    OsStringValueParser::new()
        .try_map(|name| output_name(name, "").map(|path| path.to_string_lossy().into_owned()))
}

/// `pack --out`: a folder of many files, which `-` cannot be; said so,
/// where [`output_path`] said "write to a file".
fn pack_folder() -> impl TypedValueParser<Value = PathBuf> {
    output_not_dash(NO_STDOUT_PACK)
}

/// Why `-` is refused as `pack --out`.
const NO_STDOUT_PACK: &str = "a pack is a folder of files (the listings, the registry \
    documents, the audit log, the claim statement and the signed manifest), which standard output \
    (`-`) cannot hold; give the folder to write, e.g. --out evidence-pack";

/// `export --out`: a P1 file or a P2 folder, never `-`.
fn export_path() -> impl TypedValueParser<Value = PathBuf> {
    output_not_dash(NO_STDOUT_EXPORT)
}

/// An output path ([`output_name`]'s check) whose `-` is refused saying
/// `why`, instead of [`NO_STDOUT`]'s "write to a file".
fn output_not_dash(why: &'static str) -> impl TypedValueParser<Value = PathBuf> {
    OsStringValueParser::new().try_map(move |name| match name.to_str() {
        Some("-") => Err(why.to_owned()),
        _ => output_name(name, ""),
    })
}

/// Why `-` is refused as `export --out`.
const NO_STDOUT_EXPORT: &str = "an export is written whole to a file (P1) or a bundle folder \
    (P2) and recorded under its path, and standard output (`-`) is neither; give the file or \
    folder to write";

/// Where an input is read from (the files `import`, `validate`, `refdata
/// import`, `consumption import` and `mapping` read, `pack verify|diff`'s
/// folder, `--details-from`): a file or folder named by its path. `-`,
/// which many tools take for standard input, is refused as a usage error
/// saying so (it was looked for as a file and "does not exist"): an import
/// records each file by its name and keeps its bytes, and a P2 listing
/// reads its detail files beside it, neither of which standard input has.
fn input_path() -> impl TypedValueParser<Value = PathBuf> {
    path_not_dash(NO_STDIN)
}

/// A path whose `-` is refused saying `why`.
fn path_not_dash(why: &'static str) -> impl TypedValueParser<Value = PathBuf> {
    OsStringValueParser::new().try_map(move |name| match name.to_str() {
        Some("-") => Err(why.to_owned()),
        _ => Ok(PathBuf::from(name)),
    })
}

/// Why `-` is refused as an input ([`input_path`]).
const NO_STDIN: &str = "reading standard input (`-`) is not supported; give the path of the \
    file or folder to read (a file named `-`: ./-)";

/// `--db`: a database file or a server's address. `-` is neither (it made
/// a database file named `-`).
fn database_path() -> impl TypedValueParser<Value = PathBuf> {
    path_not_dash(NO_STDIO_DATABASE)
}

/// `copy --from`: as [`database_path`].
fn copy_source() -> impl TypedValueParser<Value = String> {
    OsStringValueParser::new().try_map(|name| match name.to_str() {
        Some("-") => Err(NO_STDIO_DATABASE.to_owned()),
        Some(text) => Ok(text.to_owned()),
        None => Err("the name is not valid UTF-8 text; give a name in UTF-8".to_owned()),
    })
}

/// Why `-` is refused as a database.
const NO_STDIO_DATABASE: &str = "a database is a file or a server's address, and standard \
    input or output (`-`) is neither; give the database file's path (a file named `-`: ./-)";

/// `--format`: an id `eacdesk formats` lists.
fn parse_format(text: &str) -> Result<String, String> {
    let formats = eac_app::formats();
    if formats.iter().any(|f| f.id == text) {
        Ok(text.to_owned())
    } else {
        let ids: Vec<&str> = formats.iter().map(|f| f.id.as_str()).collect();
        Err(format!(
            "`{text}` is not a format EAC Desk reads; use one of {} (`eacdesk formats` says what each reads)",
            ids.join(", ")
        ))
    }
}

/// `--unit`: Wh, kWh or MWh, in any case.
fn parse_unit(text: &str) -> Result<EnergyUnit, String> {
    EnergyUnit::parse_lenient(text)
        .ok_or_else(|| format!("`{text}` is not an energy unit; use Wh, kWh or MWh"))
}

/// Field names spelt in two ways across `ls --sort`, `--where`/`--exclude`
/// and `summary --by`, each taken by all three: the CDS field name (which
/// `--sort` took) and the short name (which `--where` and `--by` took), so
/// that a name from one option is not refused by the next.
const FIELD_ALIASES: &[(&str, &str)] = &[
    ("technology_type", "technology"),
    ("retired_state", "retired"),
];

/// `name` in the short spelling of [`FIELD_ALIASES`] (any other name as
/// it is).
fn short_field_name(name: &str) -> &str {
    (FIELD_ALIASES.iter())
        .find(|(long, _)| *long == name)
        .map_or(name, |(_, short)| short)
}

/// `--by`: one summary key.
fn parse_summary_key(text: &str) -> Result<SummaryKey, String> {
    SummaryKey::parse(short_field_name(&text.trim().to_ascii_lowercase())).ok_or_else(|| {
        let keys: Vec<&str> = SummaryKey::ALL.iter().map(|k| k.as_str()).collect();
        format!(
            "`{text}` is not a summary key; use one of {}",
            keys.join(", ")
        )
    })
}

fn parse_match(text: &str, exclude: bool) -> Result<FieldMatch, String> {
    let (field, value) = text.split_once('=').ok_or_else(|| {
        format!("`{text}` is not FIELD=VALUE (e.g. source=ofgem, asset= for a missing asset)")
    })?;
    let field = MatchField::parse(short_field_name(&field.trim().to_ascii_lowercase()))
        .ok_or_else(|| {
            let names: Vec<&str> = MatchField::ALL.iter().map(|f| f.as_str()).collect();
            format!(
                "`{field}` is not a field to match; use one of {}",
                names.join(", ")
            )
        })?;
    let value = match value.is_empty() {
        true => None,
        false => Some(match_value(field, value)?),
    };
    Ok(FieldMatch {
        field,
        value,
        exclude,
    })
}

/// A `--where`/`--exclude` value as the store spells it: a field of a
/// closed list (technology, beneficiary type, retired) takes its spec
/// spelling in any case and refuses another word, naming the list; a
/// date field must be a date. (A value no EAC could hold matched nothing
/// without a word.)
fn match_value(field: MatchField, value: &str) -> Result<String, String> {
    fn one_of<E: SpecEnum>(field: MatchField, value: &str) -> Result<String, String> {
        E::ALL
            .iter()
            .map(|e| e.as_str())
            .find(|name| name.eq_ignore_ascii_case(value.trim()))
            .map(str::to_owned)
            .ok_or_else(|| {
                let names: Vec<&str> = E::ALL.iter().map(|e| e.as_str()).collect();
                format!(
                    "`{value}` is not a {} value; use one of {}",
                    field.as_str(),
                    names.join(", ")
                )
            })
    }
    match field {
        MatchField::Technology => one_of::<TechnologyType>(field, value),
        MatchField::BeneficiaryType => one_of::<BeneficiaryType>(field, value),
        MatchField::Retired => one_of::<RetiredState>(field, value),
        MatchField::AssetCommissioned | MatchField::Issuance => Date::parse(value.trim())
            .map(|d| d.to_string())
            .map_err(|e| e.not_a_day(&format!(" for {}", field.as_str()))),
        _ => Ok(value.to_owned()),
    }
}

fn parse_match_only(text: &str) -> Result<FieldMatch, String> {
    parse_match(text, false)
}

fn parse_match_exclude(text: &str) -> Result<FieldMatch, String> {
    parse_match(text, true)
}

/// `--from`/`--to`: a day, said as the store says a filter's day (spaces
/// around it ignored as there), the calendar's reason kept.
fn parse_date(text: &str) -> Result<String, String> {
    Date::parse(text.trim())
        .map(|d| d.to_string())
        .map_err(|e| e.not_a_day(""))
}

/// The `--sort` field names, as `--where` spells them (the store's
/// `technology_type` and `retired_state` are aliases: [`FIELD_ALIASES`]).
pub const SORT_FIELDS: &[&str] = &[
    "eac_number",
    "technology",
    "period_start",
    "period_end",
    "source",
    "destination",
    "beneficiary_type",
    "quantity",
    "retired",
    "issuance",
    "cds_eac_id",
    "cds_modified",
];

fn parse_sort(text: &str) -> Result<SortSpec, String> {
    let (name, direction) = match text.split_once(':') {
        Some((name, direction)) => (name, direction),
        None => (text, "asc"),
    };
    // Field and direction in any case, as every closed list (`AnyCase`).
    let lower = name.to_ascii_lowercase();
    let name = lower.as_str();
    let descending = match direction.to_ascii_lowercase().as_str() {
        "asc" => false,
        "desc" => true,
        _ => {
            return Err(format!(
                "`{direction}` is not a direction; use `:asc` or `:desc`"
            ))
        }
    };
    // The store spells them as the CDS field: the short names are its
    // aliases here.
    let stored = (FIELD_ALIASES.iter())
        .find(|(_, short)| *short == name)
        .map_or(name, |(long, _)| long);
    let field: SortField = serde_json::from_value(serde_json::Value::String(stored.to_owned()))
        .map_err(|_| {
            format!(
                "`{name}` is not a sort field; use one of {}",
                SORT_FIELDS.join(", ")
            )
        })?;
    Ok(SortSpec { field, descending })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_sort_field_parses() {
        for name in SORT_FIELDS {
            assert!(!parse_sort(name).unwrap().descending);
            assert!(parse_sort(&format!("{name}:desc")).unwrap().descending);
        }
        assert_eq!(
            parse_sort("quantity:desc").unwrap().field,
            SortField::Quantity
        );
        assert!(parse_sort("size").is_err());
        assert!(parse_sort("quantity:down").is_err());
        // Both spellings of the two fields spelt two ways, in each option.
        for (long, short) in FIELD_ALIASES {
            assert_eq!(parse_sort(long).unwrap(), parse_sort(short).unwrap());
            assert_eq!(
                parse_match(&format!("{long}=yes"), false).map(|m| m.field),
                parse_match(&format!("{short}=yes"), false).map(|m| m.field)
            );
            assert_eq!(
                parse_summary_key(long).unwrap(),
                parse_summary_key(short).unwrap()
            );
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ConsumptionCommand {
    /// Import a consumption CSV (header beneficiary_type,beneficiary,start,end,value,unit; dates
    /// or RFC 3339, end exclusive); all rows or none, every problem located
    Import {
        #[arg(value_parser = input_path())]
        file: PathBuf,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// List stored consumption
    Ls {
        #[arg(long, value_name = "TYPE")]
        beneficiary_type: Option<String>,
        /// A beneficiary id (repeat for several)
        #[arg(long, value_name = "ID")]
        beneficiary: Vec<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Delete every stored consumption row of one beneficiary (to import a corrected file);
    /// refused while a recorded claim is for it; audited
    Delete {
        #[arg(long, value_name = "TYPE")]
        beneficiary_type: String,
        #[arg(long, value_name = "ID")]
        beneficiary: String,
        /// Why; kept in the audit log
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

/// A claim given in full: the options `claims check`, `claims report` and
/// `claims create` share (each required unless `--claim N` names a
/// recorded claim, which `create` refuses).
#[derive(Debug, Args)]
pub struct ClaimGiven {
    /// The claimant's beneficiary type (customer, account, servicecontract, rateplan, program, general)
    #[arg(long, value_name = "TYPE", required_unless_present = "claim")]
    pub beneficiary_type: Option<String>,
    /// The claimant's id (repeat for several of one type)
    #[arg(long, value_name = "ID")]
    pub beneficiary: Vec<String>,
    /// First day of the reporting period, YYYY-MM-DD
    #[arg(long, value_name = "DATE", required_unless_present = "claim")]
    pub from: Option<String>,
    /// Last day of the reporting period (inclusive), YYYY-MM-DD
    #[arg(long, value_name = "DATE", required_unless_present = "claim")]
    pub to: Option<String>,
    /// annual (default), monthly or hourly
    #[arg(long, value_name = "G")]
    pub granularity: Option<String>,
    /// The market the consumption is in (as the EACs' eacdesk_market / eacdesk_device_country and the factors name it)
    #[arg(long, value_name = "MARKET")]
    pub market: Option<String>,
    /// The bidding zone of the consumption (EnergyTag)
    #[arg(long, value_name = "ZONE")]
    pub bidding_zone: Option<String>,
    /// Allocate only values passing every criterion of this rule set
    #[arg(long, value_name = "RULESET")]
    pub only_passing: Option<String>,
}

/// Which claim: a recorded one (`--claim N`) or one given in full.
#[derive(Debug, Args)]
pub struct ClaimArgs {
    /// A recorded claim's number (`eacdesk claims ls`)
    #[arg(long, value_name = "N", conflicts_with_all = ["beneficiary_type", "beneficiary", "from", "to", "granularity", "market", "bidding_zone", "only_passing"])]
    pub claim: Option<i64>,
    #[command(flatten)]
    pub given: ClaimGiven,
    /// Rule sets to check, comma-separated (default: ghg-scope2-2015,re100,energytag)
    #[arg(long, value_name = "IDS")]
    pub rules: Option<String>,
    /// Unit of the report: MWh (default), kWh, Wh
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,
}

/// A claim to record, given in full (`claims create`): the options of
/// [`ClaimArgs`] without `--claim` and `--rules`, which `create` does not
/// take (still read, hidden, to say why).
#[derive(Debug, Args)]
pub struct NewClaimArgs {
    #[arg(long, value_name = "N", hide = true)]
    pub claim: Option<i64>,
    #[command(flatten)]
    pub given: ClaimGiven,
    #[arg(long, value_name = "IDS", hide = true)]
    pub rules: Option<String>,
    /// Unit of the claim's report: MWh (default), kWh, Wh
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,
}

impl From<NewClaimArgs> for ClaimArgs {
    fn from(a: NewClaimArgs) -> ClaimArgs {
        ClaimArgs {
            claim: a.claim,
            given: a.given,
            rules: a.rules,
            unit: a.unit,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ClaimsCommand {
    /// Each EAC value of the claim with each criterion's result and reason (exit 0 when nothing
    /// fails, 1 when something does, 2 when there is no database at --db)
    Check {
        #[command(flatten)]
        claim: ClaimArgs,
        /// Show only values with a failed (fail) or unknown (unknown) criterion
        #[arg(long, value_name = "fail|unknown")]
        only: Option<String>,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// The Scope 2 report: consumption, matched, coverage, market- and location-based tCO2e
    /// (hourly claims: the hourly matching score; exit 2 when there is no database at --db)
    Report {
        #[command(flatten)]
        claim: ClaimArgs,
        /// Print JSON instead of text
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print CSV instead of text
        #[arg(long)]
        csv: bool,
    },
    /// Record a claim: allocate its values (only what other claims left of them) and keep the
    /// allocation, so no value is counted twice; audited (exit 1 when the stored data refuses it,
    /// as `claims check` finds it: consumption a recorded claim counts already, a row not fitting
    /// the matching, a closed period; 2 when its beneficiary has no consumption in its days)
    Create {
        #[command(flatten)]
        claim: NewClaimArgs,
        /// A name for the claim
        #[arg(long, value_name = "TEXT", default_value = "")]
        name: String,
        /// Why it is recorded; kept in the audit log
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// List recorded claims; FACTORS says whether a claim's report uses the emission factors
    /// recorded with it or, recorded before schema 22, those stored now
    Ls {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Delete a recorded claim (its values are free again); audited
    Delete {
        id: i64,
        /// Why; kept in the audit log
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Emission factors per market: residual mix (market-based) and grid (location-based)
    Factor {
        #[command(subcommand)]
        action: FactorCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum FactorCommand {
    /// Enter (or replace) a market's factor for a year, with its source; audited
    Set {
        #[arg(long, value_name = "MARKET")]
        market: String,
        /// residual_mix or grid
        #[arg(long, value_name = "KIND")]
        kind: String,
        #[arg(long, value_name = "YEAR")]
        year: i32,
        /// tCO2e per MWh, exact (0.354)
        // A negative number reaches the rule's message, not clap's.
        #[arg(long, value_name = "NUMBER", allow_hyphen_values = true)]
        factor: String,
        /// Where the number comes from (e.g. "AIB European Residual Mixes 2024")
        #[arg(long, value_name = "TEXT")]
        source: String,
        /// Why it is entered; kept in the audit log
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// List the factors entered
    Ls {
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
}
