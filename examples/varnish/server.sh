# start_varnish ORIGIN_PORT PORT MIB: varnishd -s malloc,MIB m on 127.0.0.1:PORT in front of
# cachelab's origin at 127.0.0.1:ORIGIN_PORT; X-Cache from obj.hits. Sourced by run.sh after
# ../common.sh.
start_varnish() {
  local varnishd
  varnishd="$(command -v varnishd || echo /usr/sbin/varnishd)"
  [ -x "$varnishd" ] || { apt_need varnish; varnishd=/usr/sbin/varnishd; }
  local dir="$work/varnish"
  mkdir -p "$dir"
  sed -e "s/@ORIGIN_HOST@/127.0.0.1/" -e "s/@ORIGIN_PORT@/$1/" \
    "$examples/varnish/default.vcl.template" >"$dir/default.vcl"
  # -F: foreground (stopped with the script); -t: the default TTL for responses without
  # max-age (the origin sends one only when the workload has a ttl).
  start varnish "$varnishd" -F -a "127.0.0.1:$2" -f "$dir/default.vcl" -s "malloc,${3}m" \
    -n "$dir/work" -P "$dir/varnishd.pid" -t 86400
  wait_port "$2"
}
