//! `cachelab cleanup`: remove the keys a killed run left on a Redis server.

use anyhow::Context;

use crate::cli::CleanupArgs;
use crate::strategy::{RedisCache, redact_redis_url};

/// Runs `cachelab cleanup`.
pub fn execute(args: &CleanupArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    let found = runtime.block_on(RedisCache::remove_leftovers(&args.redis, &args.prefix, args.dry_run))?;
    let server = redact_redis_url(&args.redis);
    if args.dry_run {
        println!("{found} keys under {} on {server} (dry run: nothing removed)", args.prefix);
    } else {
        println!("removed {found} keys under {} from {server}", args.prefix);
    }
    Ok(())
}
