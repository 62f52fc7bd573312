//! Command-line interface (clap derive): flags only, no logic.

use std::num::{NonZeroU64, NonZeroUsize};
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::model::error::InputError;
use crate::model::units::ByteSize;
use crate::workload::trace::{Column, FormatChoice};

/// cachelab: measure caching strategies (in-memory policies, moka, Redis, files, tiers) on
/// your workload and pick one.
#[derive(Debug, Parser)]
#[command(name = "cachelab", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario file: replay its workload through every strategy and capacity, write
    /// DIR/<scenario name>/results.json and print a summary.
    Run(RunArgs),
    /// List every workload generator, eviction policy and strategy kind.
    List,
    /// Re-render the report (index.html, charts, summary.csv, summary.md) from a results.json
    /// alone, without re-running anything.
    Report(ReportArgs),
    /// Compare two runs' results.json: per strategy and capacity, the change in hit ratio,
    /// throughput and latency percentiles from A to B, flagged only beyond run-to-run noise.
    /// Simulation: any change in the exact counts. Load: the runs' bands do not overlap
    /// (per-interval p10-p90 of hit ratio and throughput; for a latency percentile p, the
    /// percentiles whose share of slower requests is within 1.25x of 1-p, or the 95% confidence
    /// band over requests / concurrency if wider) and the change is at least what a re-run
    /// shows: 3 points of hit ratio and 6 binomial standard errors, 2x throughput, 2x and 1 ms
    /// latency; a percentile with fewer than 10 x concurrency requests beyond it is not judged.
    /// Refuses runs of different workloads unless --force.
    Compare(CompareArgs),
    /// Replay a trace through eviction policies at one or more cache sizes, exactly and fast:
    /// every (policy, size) pair runs in parallel, each streaming the trace (bounded memory).
    /// Prints one row per pair: policy, cache_size, requests, hits, misses, miss_ratio,
    /// byte_miss_ratio.
    Simulate(SimulateArgs),
    /// Miss-ratio curves of a trace in one pass: exact LRU curves from reuse distances,
    /// SHARDS-sampled LRU curves, or miniature simulations of any policy over sampled keys.
    /// Prints one row per (policy, size): policy, method, cache_size, miss_ratio (and
    /// sample_rate for sampled methods); says on stderr which method ran and, for sampled
    /// ones, the rate and the expected error.
    Mrc(MrcArgs),
    /// Join the results.json files of the shards of one sweep (`simulate --shard I/N
    /// --export-json FILE`, one per shard) into the results of the whole sweep, as a single
    /// process would have written them. Refuses files from other traces or settings, a shard
    /// given twice or a shard missing.
    Merge(MergeArgs),
    /// Generate, inspect and convert trace files (CSV, libCacheSim oracleGeneral and lcs; also
    /// read: Twitter, Meta KV, vscsi and web access logs).
    Trace(TraceArgs),
    /// Run just the caching HTTP server of HTTP mode with one strategy of a scenario, so
    /// external tools (wrk, oha, curl) can drive it: prints `listening on http://ADDR`, serves
    /// GET /obj/<key> (the scenario's objects, after its origin latency on a miss) and
    /// GET /_cachelab/stats, and shuts down cleanly on Ctrl-C.
    Serve(ServeArgs),
    /// Serve only the scenario's simulated origin over HTTP/1.1, as the upstream of a cache
    /// cachelab does not own (nginx, Varnish, an app): GET /obj/<key> returns the key's
    /// deterministic body at its workload size after the [origin] latency, with Cache-Control
    /// (max-age from the workload's ttl, no-store for the uncacheable share), Content-Length
    /// and an ETag; GET /_cachelab/origin returns its counters as JSON (requests, objects,
    /// bytes, by_status). Prints `listening on http://ADDR`; stops cleanly on Ctrl-C or SIGTERM.
    Origin(OriginArgs),
    /// Remove the keys a killed run left on a Redis or memcached server: only keys under
    /// cachelab's namespace (`cachelab:`, or one run's prefix as printed at its start and
    /// recorded in its results.json as `key_prefix`), with SCAN and UNLINK on Redis, with
    /// `lru_crawler metadump all` and `delete` on memcached (1.4.31 or later, crawler
    /// enabled; a server without it cannot list its keys and is refused); never FLUSHDB or
    /// flush_all. Keys on servers cachelab did not start also expire on their own after the
    /// strategy's `safety_ttl`.
    Cleanup(CleanupArgs),
}

/// Flags of `cachelab cleanup`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("server").required(true).args(["redis", "memcached"])))]
pub struct CleanupArgs {
    /// The Redis server (redis://, rediss://, unix://; a password shows as ****); for a Redis
    /// Cluster, any node's URL (every master is cleaned).
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
    /// The memcached server (memcache://HOST:PORT).
    #[arg(long, value_name = "URL")]
    pub memcached: Option<String>,
    /// Remove only keys starting with this prefix (a run's `key_prefix`); it must start with
    /// `cachelab:`.
    #[arg(long, value_name = "PREFIX", default_value = "cachelab:")]
    pub prefix: String,
    /// Count the keys that would be removed, and remove nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Flags of `cachelab serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Scenario file: its workload (object sizes, time to live), [origin] and [http] settings
    /// and strategies.
    pub scenario: PathBuf,
    /// Name of the scenario's [[strategy]] to serve with.
    #[arg(long, value_name = "NAME", required_unless_present = "kind", conflicts_with = "kind")]
    pub strategy: Option<String>,
    /// Serve with a strategy of this kind (moka, lru, ...) and that kind's defaults instead of
    /// one of the scenario's; --capacity sets its size.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Capacity: an object count, a byte size (64MiB) or a share of the workload's keys (5%)
    /// [default: the strategy's first capacity].
    #[arg(long, value_name = "CAPACITY")]
    pub capacity: Option<String>,
    /// Address to listen on (port 0: a free port).
    #[arg(long, value_name = "IP:PORT", default_value = "127.0.0.1:0")]
    pub addr: std::net::SocketAddr,
    /// Fetch misses from the origin at this URL (http://IP:PORT: a `cachelab origin`, or the
    /// origin a run serves at [origin] listen) instead of simulating it in this process; a run
    /// can then measure this server as a kind = "http" target, its hits counted at that origin.
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,
}

/// Flags of `cachelab origin`.
#[derive(Debug, clap::Args)]
pub struct OriginArgs {
    /// Scenario file: its workload (keys, value sizes, ttl), [origin] latency and uncacheable
    /// share, and seed.
    pub scenario: PathBuf,
    /// Address to listen on (port 0: a free port) [default: the scenario's [origin] listen,
    /// else 127.0.0.1:0].
    #[arg(long, value_name = "IP:PORT")]
    pub addr: Option<std::net::SocketAddr>,
}

/// Flags of `cachelab run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (TOML); see scenarios/reference.toml for every key and its default.
    pub scenario: PathBuf,
    /// Output directory; results go to DIR/<scenario name>/.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub out: PathBuf,
    /// Print results.json to stdout instead of the summary table.
    #[arg(long)]
    pub json: bool,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// mode = "http" only: drive the caching server already listening at IP:PORT (e.g. a
    /// `cachelab serve` of the same scenario) instead of starting one per strategy. The results
    /// then hold one row, `target`, measured by the client alone: hit ratio from X-Cache,
    /// origin fetches from misses not marked X-Coalesced, every body verified.
    #[arg(long, value_name = "IP:PORT")]
    pub target: Option<std::net::SocketAddr>,
    /// Use the scenario's [objectives] as a gate: exit with code 3 when no strategy meets every
    /// objective (the closest is named), 0 when one does. The scenario must state objectives.
    #[arg(long)]
    pub check: bool,
    /// Extra exports of the results.
    #[command(flatten)]
    pub export: ExportArgs,
}

/// Export flags shared by `run` and `simulate`; `-` writes to standard output.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ExportArgs {
    /// Write the full results as JSON to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Write the summary (one row per strategy and capacity) as CSV to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub export_csv: Option<PathBuf>,
    /// Write the summary as a Markdown table to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
}

impl ExportArgs {
    /// Whether any export was asked for.
    pub fn any(&self) -> bool {
        self.export_json.is_some() || self.export_csv.is_some() || self.export_markdown.is_some()
    }

    /// Whether any export goes to standard output (`-`).
    pub fn to_stdout(&self) -> bool {
        self.flags_to_stdout().next().is_some()
    }

    /// Refuses what would mix two documents on standard output: two exports to `-`, or one
    /// beside `--json` (`json`), which prints the results there too.
    pub fn check_stdout(&self, json: bool) -> Result<(), InputError> {
        let flags: Vec<&str> = self.flags_to_stdout().collect();
        let clash = match (flags.as_slice(), json) {
            ([], _) | ([_], false) => return Ok(()),
            ([one], true) => format!("--json and {one} - both write to stdout"),
            (many, _) => format!(
                "{} all write to stdout",
                many.iter().map(|f| format!("{f} -")).collect::<Vec<_>>().join(", ")
            ),
        };
        Err(InputError::Flag {
            flag: flags[0].into(),
            message: format!("{clash}; give all but one of them a file name"),
        })
    }

    fn flags_to_stdout(&self) -> impl Iterator<Item = &'static str> + '_ {
        [
            ("--export-json", &self.export_json),
            ("--export-csv", &self.export_csv),
            ("--export-markdown", &self.export_markdown),
        ]
        .into_iter()
        .filter(|(_, p)| p.as_deref() == Some(std::path::Path::new("-")))
        .map(|(flag, _)| flag)
    }
}

/// Flags of `cachelab report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A results.json written by `cachelab run` (possibly on another machine).
    pub results: PathBuf,
    /// Where to write the report; default: the directory holding results.json.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Flags of `cachelab compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The earlier run's results.json (A).
    pub a: PathBuf,
    /// The later run's results.json (B).
    pub b: PathBuf,
    /// Also write the comparison as a page, DIR/index.html.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Compare even when the runs used different workloads.
    #[arg(long)]
    pub force: bool,
}

/// How to read a trace file (shared by `simulate` and `trace`).
#[derive(Debug, Clone, clap::Args)]
pub struct TraceInputArgs {
    /// Trace format: csv, oracle-general, lcs, twitter, meta-kv, vscsi, access-log, or auto
    /// (detected from the lcs magic, the file name and the first line; the choice is printed
    /// on stderr) [default: from the file name (*.csv, *.oracleGeneral.bin, *.lcs, *.vscsi,
    /// *.log), detected when the name says nothing or says CSV]. zstd, gzip and xz compression
    /// are detected from the file's content whatever its name.
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<FormatChoice>,
    /// Replay every request as a read with no TTL, as libCacheSim's cachesim does (default:
    /// writes store the object afresh, deletes remove it, TTLs expire it).
    #[arg(long)]
    pub ignore_ops: bool,
    /// CSV: column of the request time: a header name, a 1-based index, or `none` (time = the
    /// request index). The file must have a header row.
    #[arg(long, value_name = "COLUMN", default_value = "time")]
    pub time_col: Column,
    /// CSV: column of the object id: a header name or a 1-based index.
    #[arg(long, value_name = "COLUMN", default_value = "obj_id")]
    pub id_col: Column,
    /// CSV: column of the object size in bytes: a header name, a 1-based index, or `none`
    /// (every object is 1 byte).
    #[arg(long, value_name = "COLUMN", default_value = "obj_size")]
    pub size_col: Column,
    /// CSV: ids are arbitrary strings, hashed to 64 bits (default: unsigned integers).
    #[arg(long)]
    pub string_ids: bool,
    /// CSV: give every request of an object the size of its first request, as libCacheSim's
    /// traceConv does, so a CSV trace simulates exactly like its oracleGeneral conversion
    /// (costs about 16 bytes of memory per distinct object; default: each row keeps its own
    /// size, in constant memory).
    #[arg(long)]
    pub first_size: bool,
    /// Access log: drop the query string from keys (`/p?a=1` and `/p?a=2` are one object).
    #[arg(long)]
    pub log_drop_query: bool,
    /// Access log: query parameters to drop from keys, comma-separated (e.g.
    /// utm_source,fbclid).
    #[arg(long, value_name = "NAME[,NAME...]", value_delimiter = ',')]
    pub log_drop_param: Vec<String>,
    /// Access log: methods to replay, comma-separated [default: GET,HEAD].
    #[arg(long, value_name = "METHOD[,METHOD...]", value_delimiter = ',')]
    pub log_methods: Vec<String>,
    /// Access log: response statuses to replay, comma-separated [default:
    /// 200,203,206,301,404, what a shared cache stores by default].
    #[arg(long, value_name = "STATUS[,STATUS...]", value_delimiter = ',')]
    pub log_statuses: Vec<u16>,
}

/// Flags of `cachelab simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Trace file to replay (any format of --format, optionally zstd-, gzip- or xz-compressed).
    #[arg(long, value_name = "FILE")]
    pub trace: PathBuf,
    /// How to read the trace.
    #[command(flatten)]
    pub input: TraceInputArgs,
    /// Eviction policies, comma-separated (names as in `cachelab list`), e.g. lru,s3fifo.
    #[arg(long, value_name = "POLICY[,POLICY...]", value_delimiter = ',', required = true)]
    pub policy: Vec<String>,
    /// Cache sizes, comma-separated: object counts (e.g. 1000), with --bytes byte sizes (e.g.
    /// 134217728 or 64MiB), or shares of the trace's footprint (e.g. 5%: of its distinct
    /// objects, or with --bytes of their bytes; costs one extra pass over the trace).
    #[arg(
        long,
        value_name = "N[,N...]",
        value_delimiter = ',',
        required_unless_present = "mrc",
        conflicts_with = "mrc"
    )]
    pub size: Vec<String>,
    /// Sizes are bytes and every object counts with its size (default: sizes are object
    /// counts and every object counts 1, like libCacheSim's --ignore-obj-size).
    #[arg(long)]
    pub bytes: bool,
    /// Put an admission filter in front of every --policy: bloom (admit on the second miss),
    /// size:max_size=BYTES, prob:p=P, adaptsize; parameters as KEY=VALUE after a colon,
    /// comma-separated (e.g. bloom:window=100000, prob:p=0.2,seed=7; see `cachelab list`).
    /// Rows name the pair, e.g. lru+bloom.
    #[arg(long, value_name = "FILTER[:KEY=VALUE,...]")]
    pub admission: Option<String>,
    /// Miss-ratio curve: 20 sizes spread geometrically from 0.1% to 100% of the footprint
    /// (instead of --size).
    #[arg(long)]
    pub mrc: bool,
    /// Print a JSON array of rows with fields policy, cache_size, requests, reads, hits,
    /// misses, writes, deletes, expired, miss_ratio (misses / reads), byte_miss_ratio instead
    /// of a table.
    #[arg(long)]
    pub json: bool,
    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N")]
    pub threads: Option<NonZeroUsize>,
    /// Run only shard I of N of the (policy, size) cells (those whose index in the sweep is I
    /// modulo N); join the shards' --export-json files with `cachelab merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::runner::shard::Shard>,
    /// Write a report folder to DIR: miss-ratio curves of every policy with Belady as the lower
    /// bound (added when not among --policy), the trace's statistics and popularity plot,
    /// results.json (re-render with `cachelab report`), summary.csv and summary.md.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Extra exports of the results.
    #[command(flatten)]
    pub export: ExportArgs,
}

/// Flags of `cachelab merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shards' results (JSON written by --export-json or a report's results.json).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Where to write the merged results.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Flags of `cachelab mrc`.
#[derive(Debug, clap::Args)]
pub struct MrcArgs {
    /// Trace file (any format of --format, optionally zstd-, gzip- or xz-compressed).
    #[arg(long, value_name = "FILE")]
    pub trace: PathBuf,
    /// How to read the trace.
    #[command(flatten)]
    pub input: TraceInputArgs,
    /// Policies, comma-separated (names as in `cachelab list`), e.g. lru,s3fifo.
    #[arg(long, value_name = "POLICY[,POLICY...]", value_delimiter = ',', required = true)]
    pub policy: Vec<String>,
    /// exact (LRU: every reuse distance, identical to separate LRU simulations), shards (LRU:
    /// sampled reuse distances) or minisim (any policy: miniature caches over sampled keys)
    /// [default: exact for lru, minisim for the others].
    #[arg(long, value_name = "METHOD")]
    pub method: Option<crate::mrc::Method>,
    /// Share of the keys sampled by shards and minisim, in (0, 1] [default: 0.01].
    #[arg(long, value_name = "R", conflicts_with = "samples")]
    pub rate: Option<f64>,
    /// Fixed-size sampling: keep at most N keys (shards lowers its rate as keys arrive;
    /// minisim samples N keys' worth of the footprint, found by a first pass).
    #[arg(long, value_name = "N")]
    pub samples: Option<NonZeroUsize>,
    /// Number of sizes, spread geometrically from 0.1% of the footprint to all of it
    /// [default: 100].
    #[arg(long, value_name = "N", conflicts_with = "size")]
    pub points: Option<NonZeroUsize>,
    /// Sizes, comma-separated: object counts, with --bytes byte sizes (64MiB), or shares of
    /// the footprint (5%; costs one extra pass over the trace).
    #[arg(long, value_name = "N[,N...]", value_delimiter = ',')]
    pub size: Vec<String>,
    /// Sizes are bytes and every object counts with its size (default: object counts).
    #[arg(long)]
    pub bytes: bool,
    /// Print a JSON array of rows (policy, method, cache_size, miss_ratio, sample_rate for
    /// sampled methods, misses for exact) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Draw only shard I of N of the (policy, size) cells (those whose index, curve by curve
    /// and sizes ascending, is I modulo N; each shard reads the whole trace); join the shards'
    /// --export-json files with `cachelab merge`. Sizes are then resolved before the pass.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<crate::runner::shard::Shard>,
    /// Write a report folder to DIR: the curves drawn on the miss-ratio chart (each labelled
    /// with its method and sampling rate), the trace's statistics, results.json (re-render
    /// with `cachelab report`); costs one more pass over the trace for its statistics.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
    /// Exports of the curves as results (the curves go in the JSON's `curves`).
    #[command(flatten)]
    pub export: ExportArgs,
}

/// Flags of `cachelab trace`.
#[derive(Debug, clap::Args)]
pub struct TraceArgs {
    /// What to do with traces.
    #[command(subcommand)]
    pub command: TraceCommand,
}

/// Subcommands of `cachelab trace`.
#[derive(Debug, Subcommand)]
pub enum TraceCommand {
    /// Write a generated workload (the scenario generators) as a trace file; oracleGeneral
    /// output includes each request's next access.
    Gen(TraceGenArgs),
    /// Print a trace's requests (reads, writes, deletes, with a TTL), unique objects, footprint
    /// (objects, bytes), one-hit-wonder ratio and fitted Zipf alpha (one pass; memory grows
    /// with distinct objects only).
    Stats(TraceStatsArgs),
    /// Convert a trace to the format its output name implies (*.csv, *.oracleGeneral.bin or
    /// *.lcs, optionally .zst); oracleGeneral and lcs output get next-access times computed;
    /// only lcs keeps operations and TTLs.
    Convert(TraceConvertArgs),
}

/// Flags of `cachelab trace gen`.
#[derive(Debug, clap::Args)]
pub struct TraceGenArgs {
    /// Generator: zipf, scrambled_zipf, uniform, hot_set or shifting (see `cachelab list`).
    pub generator: String,
    /// Zipf exponent (zipf, scrambled_zipf, shifting); any number > 0.
    #[arg(long, default_value_t = 0.9)]
    pub alpha: f64,
    /// Number of distinct keys (ids 1..=keys).
    #[arg(long, default_value = "100000")]
    pub keys: NonZeroU64,
    /// Number of requests.
    #[arg(long, default_value = "1000000")]
    pub requests: NonZeroU64,
    /// Seed: the same seed gives the same trace.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Size of every object, in bytes or with a unit (e.g. 4KiB).
    #[arg(long, value_name = "BYTES", default_value = "1KiB", value_parser = ByteSize::parse)]
    pub value_size: ByteSize,
    /// hot_set: share of keys in the hot set, in [0, 1].
    #[arg(long, value_name = "SHARE", default_value_t = 0.2)]
    pub hot_keys: f64,
    /// hot_set: share of requests that go to the hot set, in [0, 1].
    #[arg(long, value_name = "SHARE", default_value_t = 0.8)]
    pub hot_share: f64,
    /// shifting: requests between two moves of the popular keys.
    #[arg(long, value_name = "REQUESTS", default_value = "100000")]
    pub shift_every: NonZeroU64,
    /// shifting: keys the popularity moves by at each shift [default: a tenth of the keys].
    #[arg(long, value_name = "KEYS")]
    pub shift_by: Option<u64>,
    /// Output file; its name sets the format: *.csv, *.oracleGeneral.bin or *.lcs, optionally .zst.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Flags of `cachelab trace stats`.
#[derive(Debug, clap::Args)]
pub struct TraceStatsArgs {
    /// Trace file.
    pub file: PathBuf,
    /// How to read the trace.
    #[command(flatten)]
    pub input: TraceInputArgs,
    /// Print the statistics as a JSON object.
    #[arg(long)]
    pub json: bool,
    /// Only count requests (no per-object table): the cost of reading the trace alone.
    #[arg(long)]
    pub requests_only: bool,
}

/// Flags of `cachelab trace convert`.
#[derive(Debug, clap::Args)]
pub struct TraceConvertArgs {
    /// Input trace.
    pub input: PathBuf,
    /// Output trace; its name sets the format: *.csv, *.oracleGeneral.bin or *.lcs (which keeps
    /// operations and TTLs), optionally .zst.
    pub output: PathBuf,
    /// How to read the input.
    #[command(flatten)]
    pub read: TraceInputArgs,
}
