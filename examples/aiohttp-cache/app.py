"""A small aiohttp app in front of cachelab's origin, cached by aiohttp-cache.

Its one handler fetches /obj/<key> from the origin with aiohttp's client and returns the body;
aiohttp-cache's middleware keeps the response (memory backend, unbounded; or Redis, bounded by
the server's maxmemory) so a repeated request never reaches the handler.

    python app.py --port 8083 --origin http://127.0.0.1:8081 --backend memory
    python app.py --port 8084 --origin http://127.0.0.1:8081 --backend redis \
        --redis-url redis://127.0.0.1:6390
"""

import argparse
from urllib.parse import unquote, urlsplit

from aiohttp import ClientSession, TCPConnector, web
from aiohttp_cache import RedisConfig, cache, setup_cache


@cache(expires=24 * 3600)
async def obj(request: web.Request) -> web.Response:
    origin = request.app["origin"]
    url = f"{origin}/obj/{request.match_info['key']}"
    async with request.app["client"].get(url, params=request.query) as upstream:
        body = await upstream.read()
        return web.Response(
            body=body,
            status=upstream.status,
            content_type="application/octet-stream",
        )


def redis_config(url: str, prefix: str) -> RedisConfig:
    """aiohttp-cache's Redis settings for redis://[:PASSWORD@]HOST[:PORT][/DB]."""
    parts = urlsplit(url)
    if parts.scheme != "redis" or not parts.hostname:
        raise SystemExit(f"--redis-url must be redis://[:PASSWORD@]HOST[:PORT][/DB], got {url!r}")
    db = parts.path.strip("/")
    return RedisConfig(
        host=parts.hostname,
        port=parts.port or 6379,
        db=int(db) if db else 0,
        password=unquote(parts.password) if parts.password else None,
        key_prefix=prefix,
    )


async def open_client(app: web.Application) -> None:
    app["client"] = ClientSession(connector=TCPConnector(limit=0))


async def close_client(app: web.Application) -> None:
    await app["client"].close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--origin", required=True, help="cachelab's origin, http://IP:PORT")
    parser.add_argument("--backend", choices=["memory", "redis"], default="memory")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379")
    parser.add_argument("--redis-prefix", default="cachelab-aiohttp:")
    args = parser.parse_args()

    app = web.Application()
    app["origin"] = args.origin.rstrip("/")
    if args.backend == "redis":
        config = redis_config(args.redis_url, args.redis_prefix)
        setup_cache(app, cache_type="redis", backend_config=config)
    else:
        setup_cache(app, cache_type="memory")
    app.router.add_get("/obj/{key}", obj)
    app.on_startup.append(open_client)
    app.on_cleanup.append(close_client)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
