//! `cachelab cleanup`: remove the keys a killed run left on a Redis or memcached server.

use anyhow::Context;

use crate::cli::CleanupArgs;
use crate::strategy::{MemcachedCache, RedisCache, redact_redis_url};

/// Runs `cachelab cleanup`.
pub fn execute(args: &CleanupArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the tokio runtime")?;
    let (found, server) = match (&args.redis, &args.memcached) {
        (Some(redis), _) => (
            runtime.block_on(RedisCache::remove_leftovers(redis, &args.prefix, args.dry_run))?,
            redact_redis_url(redis),
        ),
        (None, Some(memcached)) => (
            runtime.block_on(MemcachedCache::remove_leftovers(memcached, &args.prefix, args.dry_run))?,
            memcached.clone(),
        ),
        (None, None) => anyhow::bail!("give the server with --redis URL or --memcached URL"),
    };
    if args.dry_run {
        println!("{found} keys under {} on {server} (dry run: nothing removed)", args.prefix);
    } else {
        println!("removed {found} keys under {} from {server}", args.prefix);
    }
    Ok(())
}
