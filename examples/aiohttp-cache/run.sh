#!/usr/bin/env bash
# The seed stack: an aiohttp app cached by aiohttp-cache, once with its memory backend and
# once with its Redis backend (a private redis-server whose maxmemory is the scenario's
# capacity), in front of cachelab's origin. Creates the venv from requirements.txt (pinned),
# starts both apps on free loopback ports, runs examples/aiohttp-cache/scenario.toml and stops
# them. Extra arguments go to `cachelab run`. Set CACHELAB to use a built binary.
source "$(dirname "$0")/../common.sh"
source "$examples/aiohttp-cache/server.sh"

scenario="$examples/aiohttp-cache/scenario.toml"
cachelab="$(cachelab_bin)"
origin=$(free_port) memory=$(free_port) redis=$(free_port)
start_aiohttp_memory "$origin" "$memory"
start_aiohttp_redis "$origin" "$redis" "$(capacity_mib "$scenario" aiohttp-cache-redis)"
"$cachelab" run "$(scenario_copy "$scenario" 18080="$origin" 18083="$memory" 18084="$redis")" "$@"
