//! The address `cachelab serve` announces on its first line of stdout.

use std::io::BufRead;
use std::net::SocketAddr;

/// Reads the `listening on http://ADDR` line and returns ADDR.
pub fn address(stdout: &mut impl BufRead) -> SocketAddr {
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    line.trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line announces the address: {line:?}"))
        .parse()
        .unwrap()
}
