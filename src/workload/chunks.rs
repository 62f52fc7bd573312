//! Read once, fan out: one thread decodes a trace (one reader, one zstd decoder) into large
//! chunks and hands them through a bounded queue to a consumer that replays each chunk into
//! every cell it drives (all sizes and policies of a sweep, every curve of `cachelab mrc`).
//! Decoding overlaps with replay, memory is at most [`QUEUE`] + 2 chunks, and chunk buffers
//! are recycled, so nothing is allocated per chunk after the first few.

use std::sync::mpsc;

use super::trace::{BATCH, TraceRecord, TraceSource};
use crate::model::error::InputError;

/// Records per chunk handed to the consumer (8 reader batches, 2 MiB of records).
pub const CHUNK: usize = 8 * BATCH;

/// Chunks decoded ahead of the consumer at most.
pub const QUEUE: usize = 4;

/// Decodes `source` once on a thread of its own and calls `consume` with each chunk of
/// records in order, with the 0-based index of the chunk's first record. Returns the number
/// of records. Stops at the first error of either side: a reading error is returned as is,
/// a consumer error likewise (the reader then stops at its next chunk).
pub fn read_once<E: From<InputError> + Send>(
    source: &TraceSource,
    mut consume: impl FnMut(&[TraceRecord], u64) -> Result<(), E>,
) -> Result<u64, E> {
    let mut reader = source.open()?;
    let (full_tx, full_rx) = mpsc::sync_channel::<Result<Vec<TraceRecord>, InputError>>(QUEUE);
    let (empty_tx, empty_rx) = mpsc::channel::<Vec<TraceRecord>>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut batch = Vec::with_capacity(BATCH);
            loop {
                let mut chunk = empty_rx.try_recv().unwrap_or_else(|_| Vec::with_capacity(CHUNK));
                chunk.clear();
                let mut end = false;
                while chunk.len() + BATCH <= CHUNK {
                    if let Err(e) = reader.read_batch(&mut batch) {
                        let _ = full_tx.send(Err(e));
                        return;
                    }
                    if batch.is_empty() {
                        end = true;
                        break;
                    }
                    chunk.extend_from_slice(&batch);
                }
                if (!chunk.is_empty() && full_tx.send(Ok(chunk)).is_err()) || end {
                    return;
                }
            }
        });
        let mut first = 0u64;
        for chunk in full_rx {
            let chunk = chunk?;
            consume(&chunk, first)?;
            first += chunk.len() as u64;
            let _ = empty_tx.send(chunk);
        }
        Ok(first)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::trace::{CsvOptions, TraceFormat};

    #[test]
    fn every_record_arrives_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let n = CHUNK * 2 + 77;
        let mut text = String::from("time,obj_id,obj_size\n");
        for i in 0..n {
            text.push_str(&format!("{i},{},{}\n", i * 7, 1 + i % 5));
        }
        std::fs::write(&path, text).unwrap();
        let source = TraceSource::new(&path, Some(TraceFormat::Csv), CsvOptions::default()).unwrap();
        let mut seen = Vec::new();
        let total = read_once::<InputError>(&source, |chunk, first| {
            assert_eq!(first as usize, seen.len());
            seen.extend(chunk.iter().map(|r| r.key));
            Ok(())
        })
        .unwrap();
        assert_eq!(total as usize, n);
        assert_eq!(seen, (0..n as u64).map(|i| i * 7).collect::<Vec<_>>());
    }

    #[test]
    fn a_consumer_error_stops_the_pass() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut text = String::from("time,obj_id,obj_size\n");
        for i in 0..CHUNK * 3 {
            text.push_str(&format!("{i},{i},1\n"));
        }
        std::fs::write(&path, text).unwrap();
        let source = TraceSource::new(&path, Some(TraceFormat::Csv), CsvOptions::default()).unwrap();
        let err =
            read_once(&source, |_, _| Err(InputError::Flag { flag: "x".into(), message: "stop".into() }));
        assert!(err.unwrap_err().to_string().contains("stop"));
    }
}
