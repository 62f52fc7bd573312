# start_nginx ORIGIN_PORT PORT MIB: nginx proxy_cache (max_size MIB MiB) on 127.0.0.1:PORT in
# front of cachelab's origin at 127.0.0.1:ORIGIN_PORT; X-Cache-Status from
# $upstream_cache_status. Sourced by run.sh after ../common.sh.
start_nginx() {
  local nginx
  nginx="$(command -v nginx || echo /usr/sbin/nginx)"
  [ -x "$nginx" ] || { apt_need nginx-light; nginx=/usr/sbin/nginx; }
  local prefix="$work/nginx"
  mkdir -p "$prefix"
  sed -e "s#@PREFIX@#$prefix#g" -e "s#@PORT@#127.0.0.1:$2#" -e "s#@ORIGIN@#127.0.0.1:$1#" \
    -e "s#@MAX_SIZE@#${3}m#" "$examples/nginx/nginx.conf.template" >"$prefix/nginx.conf"
  # As root nginx's workers switch to the conf's `user`; otherwise they stay this user.
  [ "$(id -u)" -eq 0 ] || sed -i '/^user /d' "$prefix/nginx.conf"
  start nginx "$nginx" -e "$prefix/error.log" -p "$prefix" -c "$prefix/nginx.conf"
  wait_port "$2"
}
