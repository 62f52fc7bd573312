//! The fast lane for profilers that need only each request's key and size (SHARDS sampling
//! drops all but a share of the keys at once): oracleGeneral records are scanned in place
//! in the reader's buffer ([`FixedRecords::visit_batch`]), without building a
//! [`TraceRecord`](super::TraceRecord) for each; every other format goes
//! through its reader. Next-access times and operations are not read here (a profiler that
//! looks at keys only counts every request alike).

use super::binary::{FixedRecords, u32_at, u64_at};
use super::input;
use super::oracle_general::RECORD;
use super::{BATCH, TraceFormat, TraceSource};
use crate::model::error::InputError;

/// Calls `visit(key, size)` for every request of `source` in order; returns how many there
/// were. Bad input is reported as the format's reader reports it (a truncated oracleGeneral
/// record by its number and byte offset).
pub fn for_each_key(source: &TraceSource, mut visit: impl FnMut(u64, u32)) -> Result<u64, InputError> {
    if source.format != TraceFormat::OracleGeneral {
        let mut reader = source.open()?;
        let mut batch = Vec::with_capacity(BATCH);
        let mut requests = 0u64;
        loop {
            reader.read_batch(&mut batch)?;
            if batch.is_empty() {
                return Ok(requests);
            }
            requests += batch.len() as u64;
            batch.iter().for_each(|r| visit(r.key, r.size));
        }
    }
    let mut records = FixedRecords::new(input::open(&source.path)?, &source.path, RECORD, 0);
    let mut requests = 0u64;
    loop {
        let n = records.visit_batch(|rec, _| {
            visit(u64_at(rec, 4), u32_at(rec, 12));
            Ok(())
        })?;
        if n == 0 {
            return Ok(requests);
        }
        requests += n as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::trace::{CsvOptions, TraceRecord, write_trace};

    fn written(dir: &std::path::Path, name: &str, n: u64) -> TraceSource {
        let path = dir.join(name);
        let records: Vec<TraceRecord> =
            (0..n).map(|i| TraceRecord::read(i, i * 7 % 1001, 1 + (i % 13) as u32)).collect();
        write_trace(&path, records.iter().copied().map(Ok)).unwrap();
        TraceSource::new(&path, None, CsvOptions::default()).unwrap()
    }

    #[test]
    fn every_format_gives_the_same_keys_as_its_reader() {
        let dir = tempfile::tempdir().unwrap();
        let n = (BATCH * 2 + 5) as u64;
        for name in ["t.oracleGeneral.bin", "t.oracleGeneral.bin.zst", "t.csv"] {
            let source = written(dir.path(), name, n);
            let mut fast = Vec::new();
            assert_eq!(for_each_key(&source, |k, s| fast.push((k, s))).unwrap(), n, "{name}");
            let slow: Vec<(u64, u32)> =
                source.records().unwrap().map(|r| r.map(|r| (r.key, r.size)).unwrap()).collect();
            assert_eq!(fast, slow, "{name}");
        }
    }

    #[test]
    fn a_truncated_record_is_named_with_its_offset() {
        let dir = tempfile::tempdir().unwrap();
        let source = written(dir.path(), "t.oracleGeneral.bin", 10);
        let mut bytes = std::fs::read(&source.path).unwrap();
        bytes.truncate(bytes.len() - 5);
        std::fs::write(&source.path, bytes).unwrap();
        let err = for_each_key(&source, |_, _| {}).unwrap_err().to_string();
        assert!(err.contains("record 10") && err.contains("byte offset 216"), "{err}");
    }
}
