//! Decoding and inspecting rendered PNG charts, shared by the chart and report tests.

use std::io::Cursor;

/// A decoded RGB image.
pub struct Image {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Pixels, row by row.
    pub pixels: Vec<[u8; 3]>,
}

impl Image {
    /// Decodes an RGB PNG, panicking with the reason if it does not decode.
    pub fn decode(png_bytes: &[u8]) -> Image {
        let mut reader = png::Decoder::new(Cursor::new(png_bytes)).read_info().expect("PNG header decodes");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("PNG data decodes");
        assert_eq!(info.color_type, png::ColorType::Rgb);
        let pixels = buf[..info.buffer_size()].chunks(3).map(|p| [p[0], p[1], p[2]]).collect();
        Image { width: info.width, height: info.height, pixels }
    }

    /// Number of distinct colours.
    pub fn colours(&self) -> usize {
        self.pixels.iter().copied().collect::<std::collections::HashSet<_>>().len()
    }

    /// Number of pixels that are not white.
    pub fn inked(&self) -> usize {
        self.pixels.iter().filter(|p| **p != [255, 255, 255]).count()
    }

    /// Number of pixels of exactly `rgb`.
    pub fn count(&self, rgb: [u8; 3]) -> usize {
        self.pixels.iter().filter(|p| **p == rgb).count()
    }

    /// Number of pixels of exactly any of `colours`.
    pub fn count_any(&self, colours: &[[u8; 3]]) -> usize {
        self.pixels.iter().filter(|p| colours.contains(p)).count()
    }
}

/// Pixels of one colour a chart's data must cover: its legend swatch alone takes under 150
/// (a single miss-ratio point and its swatch together take 141), a line across the plot or a
/// bar well over 1,300.
pub const MIN_DATA_PIXELS: usize = 1000;
