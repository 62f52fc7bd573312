//! Signals for CLI tests: send SIGINT (Ctrl-C) or SIGTERM to a child process and wait,
//! bounded, for it to exit.

use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

/// Sends SIGINT to `child` and waits up to `limit` for it to exit; kills it and panics if it
/// does not.
pub fn interrupt_and_wait(child: &mut Child, limit: Duration) -> ExitStatus {
    signal_and_wait(child, "INT", limit)
}

/// Sends signal `name` (`INT`, `TERM`, `KILL`) to `child` and waits up to `limit` for it to
/// exit; kills it and panics if it does not.
pub fn signal_and_wait(child: &mut Child, name: &str, limit: Duration) -> ExitStatus {
    let sent = Command::new("kill").arg(format!("-{name}")).arg(child.id().to_string()).status().unwrap();
    assert!(sent.success(), "kill -{name} {}", child.id());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("no exit {limit:?} after SIG{name}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
