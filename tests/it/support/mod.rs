//! Helpers shared by the integration tests.

pub mod background_run;
pub mod ctrl_c;
pub mod listening;
pub mod memcached_keys;
pub mod oracle_general;
pub mod png_check;
pub mod redis_keys;
pub mod replay;
pub mod stack;
pub mod svg_check;
