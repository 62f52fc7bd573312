#!/usr/bin/env bash
# Runs scenarios/your-stack.toml: installs and starts nginx, Varnish, the aiohttp-cache app
# (memory, and Redis on a private redis-server) and `cachelab serve --kind moka` on free
# loopback ports in front of the origin `cachelab run` serves, runs the scenario, and stops
# every server. Extra arguments go to `cachelab run` (e.g. --out DIR). Set CACHELAB to use a
# built binary.
source "$(dirname "$0")/../common.sh"
source "$examples/nginx/server.sh"
source "$examples/varnish/server.sh"
source "$examples/aiohttp-cache/server.sh"

scenario="$repo/scenarios/your-stack.toml"
cachelab="$(cachelab_bin)"
origin=$(free_port) nginx=$(free_port) varnish=$(free_port) memory=$(free_port) redis=$(free_port)
moka=$(free_port)
copy="$(scenario_copy "$scenario" 18080="$origin" 18081="$nginx" 18082="$varnish" 18083="$memory" \
  18084="$redis" 18085="$moka")"
start_nginx "$origin" "$nginx" "$(capacity_mib "$scenario" nginx)"
start_varnish "$origin" "$varnish" "$(capacity_mib "$scenario" varnish)"
start_aiohttp_memory "$origin" "$memory"
start_aiohttp_redis "$origin" "$redis" "$(capacity_mib "$scenario" aiohttp-cache-redis)"
# cachelab's own moka, a server of its own like the others: its misses go to the run's origin.
start moka "$cachelab" serve "$copy" --kind moka --capacity "$(capacity_mib "$scenario" moka)MiB" \
  --addr "127.0.0.1:$moka" --upstream "http://127.0.0.1:$origin"
wait_port "$moka"
"$cachelab" run "$copy" "$@"
