//! Opening a trace file as a byte stream, decompressing it on the fly when it starts with a
//! zstd frame, a gzip member or an xz stream (whatever its name): every format is read the
//! same way compressed or not.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use crate::model::error::InputError;

/// The magic number that starts every zstd frame (little-endian 0xFD2FB528).
const ZSTD_MAGIC: &[u8] = &[0x28, 0xB5, 0x2F, 0xFD];

/// The first bytes of a gzip member (RFC 1952: ID1, ID2, CM = deflate).
const GZIP_MAGIC: &[u8] = &[0x1F, 0x8B, 0x08];

/// The first bytes of an xz stream (the xz file format, section 2.1.1.1).
const XZ_MAGIC: &[u8] = &[0xFD, b'7', b'z', b'X', b'Z', 0x00];

/// Read buffer for compressed input (decompressed output goes straight to the reader's buffer).
const COMPRESSED_INPUT_BUFFER: usize = 1 << 17;

/// A byte stream over the file's (decompressed) content.
pub type Input = Box<dyn Read + Send>;

/// How a trace file is compressed, told by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Not compressed (or not in a format cachelab knows).
    None,
    /// zstd (`.zst`).
    Zstd,
    /// gzip (`.gz`); concatenated members are read as one stream.
    Gzip,
    /// xz (`.xz`); concatenated streams are read as one.
    Xz,
}

impl Compression {
    /// The compression whose magic starts `head`.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(ZSTD_MAGIC) {
            Compression::Zstd
        } else if head.starts_with(GZIP_MAGIC) {
            Compression::Gzip
        } else if head.starts_with(XZ_MAGIC) {
            Compression::Xz
        } else {
            Compression::None
        }
    }

    /// The usual file-name suffix (`""` for none).
    pub fn suffix(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Zstd => ".zst",
            Compression::Gzip => ".gz",
            Compression::Xz => ".xz",
        }
    }
}

/// Opens `path`, streaming its content through a decoder if it is compressed (see
/// [`Compression`]). A plain file is returned unbuffered: every reader reads large blocks
/// into its own buffer.
pub fn open(path: &Path) -> Result<Input, InputError> {
    let io = |e| InputError::Io { path: path.to_path_buf(), cause: e };
    let mut file = File::open(path).map_err(io)?;
    let mut head = [0u8; 6];
    let (n, failure) = read_full(&mut file, &mut head);
    if let Some(e) = failure {
        return Err(io(e));
    }
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let compression = Compression::sniff(&head[..n]);
    if compression == Compression::None {
        return Ok(Box::new(file));
    }
    let buffered = BufReader::with_capacity(COMPRESSED_INPUT_BUFFER, file);
    Ok(match compression {
        Compression::None | Compression::Zstd => {
            Box::new(zstd::stream::read::Decoder::with_buffer(buffered).map_err(io)?)
        }
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
        Compression::Xz => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(buffered)),
    })
}

/// The compression of the file at `path`, from its first bytes.
pub fn compression(path: &Path) -> Result<Compression, InputError> {
    let mut file = File::open(path).map_err(|e| InputError::Io { path: path.to_path_buf(), cause: e })?;
    let mut head = [0u8; 6];
    let (n, _) = read_full(&mut file, &mut head);
    Ok(Compression::sniff(&head[..n]))
}

/// The first (at most) `n` bytes of the decompressed content of `path`, for format detection.
pub fn head(path: &Path, n: usize) -> Result<Vec<u8>, InputError> {
    let mut input = open(path)?;
    let mut buf = vec![0u8; n];
    let (got, failure) = read_full(&mut input, &mut buf);
    if let Some(e) = failure {
        return Err(InputError::Trace {
            path: path.to_path_buf(),
            location: "the start of the file".into(),
            message: format!("cannot read: {e}"),
        });
    }
    buf.truncate(got);
    Ok(buf)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers_name_the_compression() {
        assert_eq!(Compression::sniff(&[0x28, 0xB5, 0x2F, 0xFD, 0]), Compression::Zstd);
        assert_eq!(Compression::sniff(&[0x1F, 0x8B, 0x08, 0]), Compression::Gzip);
        assert_eq!(Compression::sniff(&[0xFD, b'7', b'z', b'X', b'Z', 0]), Compression::Xz);
        assert_eq!(Compression::sniff(b"time,obj_id"), Compression::None);
        assert_eq!(Compression::sniff(&[0x1F]), Compression::None);
    }
}
