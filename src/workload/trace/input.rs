//! Opening a trace file as a byte stream, decompressing zstd on the fly when the file starts
//! with a zstd frame (whatever its name).

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::model::error::InputError;

/// The magic number that starts every zstd frame (little-endian 0xFD2FB528).
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xB5, 0x2F, 0xFD];

/// Read buffer for compressed input (decompressed output goes straight to the reader's buffer).
const ZSTD_INPUT_BUFFER: usize = 1 << 17;

/// A byte stream over the file's (decompressed) content.
pub type Input = Box<dyn Read + Send>;

/// Opens `path`, streaming its content through a zstd decoder if it is zstd-compressed. A plain
/// file is returned unbuffered: every reader reads large blocks into its own buffer.
pub fn open(path: &Path) -> Result<Input, InputError> {
    let io = |e| InputError::Io { path: path.to_path_buf(), cause: e };
    let mut file = File::open(path).map_err(io)?;
    let mut head = [0u8; 4];
    let (n, failure) = read_full(&mut file, &mut head);
    if let Some(e) = failure {
        return Err(io(e));
    }
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    if n == head.len() && head == ZSTD_MAGIC {
        let buffered = BufReader::with_capacity(ZSTD_INPUT_BUFFER, file);
        Ok(Box::new(zstd::stream::read::Decoder::with_buffer(buffered).map_err(io)?))
    } else {
        Ok(Box::new(file))
    }
}

/// Reads into `buf` until it is full or the stream ends; returns the bytes read and the error
/// that stopped it early, if any (the bytes before the error are valid).
pub fn read_full(input: &mut impl Read, buf: &mut [u8]) -> (usize, Option<std::io::Error>) {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (filled, Some(e)),
        }
    }
    (filled, None)
}
