//! Opening a trace file as a byte stream, decompressing zstd on the fly when the file starts
//! with a zstd frame (whatever its name).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::InputError;

/// The magic number that starts every zstd frame (little-endian 0xFD2FB528).
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

/// Read buffer for the file itself.
const FILE_BUFFER: usize = 1 << 18;

/// A byte stream over the file's (decompressed) content.
pub type Input = Box<dyn Read + Send>;

/// Opens `path`, streaming its content through a zstd decoder if it is zstd-compressed.
pub fn open(path: &Path) -> Result<Input, InputError> {
    let io = |e| InputError::Io { path: path.to_path_buf(), source: e };
    let file = File::open(path).map_err(io)?;
    let mut buffered = BufReader::with_capacity(FILE_BUFFER, file);
    let head = buffered.fill_buf().map_err(io)?;
    if head.starts_with(&ZSTD_MAGIC) {
        let decoder = zstd::stream::read::Decoder::with_buffer(buffered).map_err(io)?;
        Ok(Box::new(decoder))
    } else {
        Ok(Box::new(buffered))
    }
}

/// Reads into `buf` until it is full or the stream ends; returns the bytes read.
pub fn read_full(input: &mut Input, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}
