//! `[[strategy]]` tables through the whole scenario parser: each backend's fields, and the
//! errors that name the field at fault.

use std::path::Path;

use crate::scenario::Scenario;
use crate::strategy::BackendSpec;

fn parse(strategies: &str) -> Result<Scenario, String> {
    let text = format!("name = \"s\"\n[workload]\nrequests = 10\n{strategies}");
    Scenario::parse(&text, Path::new("s.toml")).map_err(|e| e.to_string())
}

fn rejects(strategies: &str, fragment: &str) {
    let err = parse(strategies).expect_err(strategies);
    assert!(err.contains(fragment), "expected `{fragment}` in: {err}");
}

#[test]
fn backends_parse_with_their_fields() {
    let s = parse(
        r#"
[[strategy]]
name = "ext"
kind = "redis"
url = "redis://:hunter2@127.0.0.1:6379/0"
connections = 4
timeout = "50ms"
[[strategy]]
name = "own"
kind = "redis"
spawn = true
maxmemory_policy = "allkeys-lfu"
capacity = ["1MiB", "4MiB"]
[[strategy]]
name = "cl"
kind = "redis"
cluster = ["redis://127.0.0.1:7000", "redis://127.0.0.1:7001"]
[[strategy]]
name = "disk"
kind = "file"
dir = "cache/disk"
policy = "LRU"
fsync = true
capacity = "1GiB"
[[strategy]]
name = "both"
kind = "tiered"
l1 = { kind = "moka", capacity = "16MiB" }
l2 = { kind = "file", dir = "cache/l2", capacity = "1GiB" }
"#,
    )
    .unwrap();
    assert_eq!(s.strategies.len(), 5);
    let BackendSpec::Redis(external) = &s.strategies[0].backend else { panic!("{:?}", s.strategies[0]) };
    assert_eq!(external.timeout.unwrap().0, std::time::Duration::from_millis(50));
    assert_eq!(s.strategies[1].capacities().len(), 2);
    assert_eq!(s.strategies[2].capacities(), vec![None]);
    assert_eq!(s.strategies[4].capacities(), vec![None]);
    let echoed = serde_json::to_string(&s).unwrap();
    assert!(!echoed.contains("hunter2") && echoed.contains("redis://:****@127.0.0.1:6379/0"), "{echoed}");
}

#[test]
fn misplaced_or_missing_fields_are_named() {
    rejects(
        "[[strategy]]\nname = \"m\"\nkind = \"moka\"\ncapacity = 10\ndir = \"x\"\n",
        "`dir` does not apply to kind `moka`",
    );
    rejects("[[strategy]]\nname = \"r\"\nkind = \"redis\"\n", "needs exactly one of url");
    rejects(
        "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nspawn = true\nurl = \"redis://h\"\ncapacity = \"1MiB\"\n",
        "exactly one of",
    );
    rejects("[[strategy]]\nname = \"r\"\nkind = \"redis\"\nurl = \"http://h\"\n", "is not a Redis URL");
    rejects(
        "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nspawn = true\ncapacity = 1000\n",
        "needs a byte capacity",
    );
    rejects(
        "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nurl = \"redis://h\"\ncapacity = \"1MiB\"\n",
        "never reconfigures",
    );
    rejects(
        "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nurl = \"redis://h\"\nmaxmemory_policy = \"allkeys-lru\"\n",
        "needs spawn = true",
    );
    rejects(
        "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nspawn = true\ncapacity = \"1MiB\"\nmaxmemory_policy = \"most-lru\"\n",
        "allkeys-lfu",
    );
    rejects(
        "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nurl = \"redis://h\"\nconnections = 0\n",
        "between 1 and",
    );
    rejects(
        "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nurl = \"redis://h\"\ntimeout = \"soon\"\n",
        "not a duration",
    );
    rejects("[[strategy]]\nname = \"f\"\nkind = \"file\"\ncapacity = \"1MiB\"\n", "needs dir");
    rejects("[[strategy]]\nname = \"f\"\nkind = \"file\"\ndir = \"d\"\n", "needs a capacity");
    rejects("[[strategy]]\nname = \"f\"\nkind = \"file\"\ndir = \"d\"\ncapacity = [1, 2]\n", "cannot sweep");
    rejects(
        "[[strategy]]\nname = \"f\"\nkind = \"file\"\ndir = \"d\"\ncapacity = 1\npolicy = \"nope\"\n",
        "unknown policy",
    );
    rejects(
        "[[strategy]]\nname = \"a\"\nkind = \"file\"\ndir = \"d\"\ncapacity = 1\n[[strategy]]\nname = \"b\"\nkind = \"tiered\"\nl1 = { kind = \"lru\", capacity = 5 }\nl2 = { kind = \"file\", dir = \"d\", capacity = 9 }\n",
        "both use d",
    );
    rejects("[[strategy]]\nkind = \"none\"\n", "needs a name");
}

#[test]
fn tiers_are_checked() {
    let l2 = "l2 = { kind = \"file\", dir = \"d\", capacity = \"1MiB\" }\n";
    rejects(
        "[[strategy]]\nname = \"t\"\nkind = \"tiered\"\nl1 = { kind = \"moka\", capacity = 10 }\n",
        "needs l1",
    );
    rejects(
        &format!("[[strategy]]\nname = \"t\"\nkind = \"tiered\"\nl1 = {{ kind = \"none\" }}\n{l2}"),
        "l1 must be an in-memory cache",
    );
    rejects(
        "[[strategy]]\nname = \"t\"\nkind = \"tiered\"\nl1 = { kind = \"moka\", capacity = 10 }\nl2 = { kind = \"moka\", capacity = 10 }\n",
        "l2 must be kind",
    );
    rejects(
        &format!(
            "[[strategy]]\nname = \"t\"\nkind = \"tiered\"\nl1 = {{ kind = \"moka\", capacity = \"5%\" }}\n{l2}"
        ),
        "not a share",
    );
    rejects(
        &format!(
            "[[strategy]]\nname = \"t\"\nkind = \"tiered\"\ncapacity = 5\nl1 = {{ kind = \"moka\", capacity = 5 }}\n{l2}"
        ),
        "no capacity of its own",
    );
    rejects(
        "[[strategy]]\nname = \"t\"\nkind = \"tiered\"\nl1 = { kind = \"moka\", capacity = 5 }\nl2 = { kind = \"file\", capacity = 5 }\n",
        "l2: kind = \"file\" needs dir",
    );
}

#[test]
fn memcached_takes_a_url_or_a_spawned_server_within_its_limits() {
    let s = parse(
        "[[strategy]]\nname = \"ext\"\nkind = \"memcached\"\nurl = \"memcache://127.0.0.1:11211\"\nconnections = 4\ntimeout = \"50ms\"\nsafety_ttl = \"10m\"\n[[strategy]]\nname = \"own\"\nkind = \"memcached\"\nspawn = true\ncapacity = [\"2MiB\", \"64MiB\"]\n[[strategy]]\nname = \"big\"\nkind = \"memcached\"\nspawn = true\nitem_size = \"4MiB\"\ncapacity = \"8MiB\"\n[[strategy]]\nname = \"t\"\nkind = \"tiered\"\nl1 = { kind = \"lru\", capacity = 10 }\nl2 = { kind = \"memcached\", spawn = true, capacity = \"2MiB\" }\n",
    )
    .unwrap();
    let BackendSpec::Memcached(own) = &s.strategies[1].backend else { panic!("{:?}", s.strategies[1]) };
    assert_eq!(own.capacities().len(), 2);
    let config = own.config(Some(crate::model::Capacity::bytes(64 << 20))).unwrap();
    assert!(
        matches!(config.target, crate::strategy::MemcachedTarget::Spawn(o) if o.memory_mib == 64 && o.item_size.is_none())
    );
    let BackendSpec::Memcached(ext) = &s.strategies[0].backend else { panic!() };
    let config = ext.config(None).unwrap();
    assert_eq!(config.target, crate::strategy::MemcachedTarget::Addr("127.0.0.1:11211".into()));
    assert_eq!(config.safety_ttl, Some(std::time::Duration::from_secs(600)));
    // Written back as the user wrote it.
    let echoed = serde_json::to_value(&s.strategies[2]).unwrap();
    assert_eq!(echoed["item_size"], 4 << 20, "{echoed}");

    let mc = "[[strategy]]\nname = \"m\"\nkind = \"memcached\"\n";
    rejects(mc, "needs exactly one of url");
    rejects(&format!("{mc}url = \"memcache://h:1\"\nspawn = true\ncapacity = \"2MiB\"\n"), "exactly one of");
    rejects(&format!("{mc}url = \"redis://h:1\"\n"), "is not a memcached URL");
    rejects(&format!("{mc}url = \"memcache://h:1\"\ncapacity = \"2MiB\"\n"), "never reconfigures");
    rejects(&format!("{mc}url = \"memcache://h:1\"\nitem_size = \"2MiB\"\n"), "item_size needs spawn");
    rejects(&format!("{mc}spawn = true\ncapacity = 1000\n"), "needs a byte capacity");
    rejects(&format!("{mc}spawn = true\ncapacity = \"1500KiB\"\n"), "whole MiB");
    rejects(&format!("{mc}spawn = true\ncapacity = \"1MiB\"\n"), "at least twice its item size");
    rejects(&format!("{mc}spawn = true\ncapacity = \"4MiB\"\nitem_size = \"4MiB\"\n"), "at least twice");
    rejects(&format!("{mc}spawn = true\ncapacity = \"2MiB\"\nsafety_ttl = \"1h\"\n"), "url only");
    rejects(
        &format!("{mc}spawn = true\ncapacity = \"2MiB\"\nmaxmemory_policy = \"allkeys-lru\"\n"),
        "for kind = \"redis\"",
    );
    rejects(
        &format!("{mc}spawn = true\ncapacity = \"2MiB\"\ndir = \"d\"\n"),
        "does not apply to kind `memcached`",
    );
    rejects(
        "[[strategy]]\nname = \"r\"\nkind = \"redis\"\nspawn = true\ncapacity = \"2MiB\"\nitem_size = \"2MiB\"\n",
        "for kind = \"memcached\"",
    );
}

#[test]
fn workload_values_must_fit_a_spawned_memcacheds_items() {
    let scenario = |value: &str, extra: &str| {
        format!(
            "name = \"s\"\n[workload]\nrequests = 10\nvalue_size = {value}\n[[strategy]]\nname = \"m\"\nkind = \"memcached\"\nspawn = true\ncapacity = \"8MiB\"\n{extra}"
        )
    };
    let parse = |text: &str| Scenario::parse(text, Path::new("s.toml")).map_err(|e| e.to_string());
    // The default lognormal goes up to 1 MiB, which with key and header exceeds a 1 MiB item.
    let err = parse(&scenario("{ dist = \"lognormal\", median = \"4KiB\" }", "")).unwrap_err();
    assert!(err.contains("item_size") && err.contains("2MiB"), "{err}");
    parse(&scenario("{ dist = \"lognormal\", median = \"4KiB\" }", "item_size = \"2MiB\"\n")).unwrap();
    parse(&scenario("{ dist = \"fixed\", size = \"512KiB\" }", "")).unwrap();
    // A server at a url keeps its own limit: writes over it fail and are counted, not refused here.
    parse("name = \"s\"\n[workload]\nrequests = 10\n[[strategy]]\nname = \"m\"\nkind = \"memcached\"\nurl = \"memcache://h:1\"\n").unwrap();
}
