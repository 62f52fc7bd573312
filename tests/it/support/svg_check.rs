//! Parsing rendered SVG charts as XML and measuring what they draw, shared by the report tests.

/// An SVG chart, parsed: its size, its texts and its coloured marks.
pub struct SvgChart {
    /// `width` of the root element, pixels.
    pub width: f64,
    /// `height` of the root element, pixels.
    pub height: f64,
    /// Every `<text>`, trimmed.
    pub texts: Vec<String>,
    marks: Vec<Mark>,
}

/// One drawn element: its colour (`#rrggbb`, lower case) and how much it covers.
struct Mark {
    colour: String,
    /// Length of a `<polyline>` or `<line>`, pixels.
    length: f64,
    /// Area of a `<rect>`, square pixels.
    area: f64,
}

/// How much a chart draws in some colours.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ink {
    /// Total length of lines, pixels.
    pub line_length: f64,
    /// Total area of rectangles (bars), square pixels.
    pub bar_area: f64,
}

/// Line length a chart's data must reach in its series' colours: a legend's line samples are
/// 28 pixels each, a curve across the plot several hundred.
pub const MIN_LINE_LENGTH: f64 = 300.0;

/// Bar area a chart's data must reach in its series' colours: a legend's swatches are 264
/// square pixels each, a bar thousands.
pub const MIN_BAR_AREA: f64 = 2000.0;

impl SvgChart {
    /// Parses `text`, panicking with the reason if it is not well-formed XML with an `<svg>`
    /// root.
    pub fn parse(text: &str) -> SvgChart {
        let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("not well-formed XML: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        let number = |node: roxmltree::Node, name: &str| -> f64 {
            node.attribute(name).and_then(|v| v.parse().ok()).unwrap_or(0.0)
        };
        let mut texts = Vec::new();
        let mut marks = Vec::new();
        for node in root.descendants().filter(|n| n.is_element()) {
            let colour = || {
                [node.attribute("stroke"), node.attribute("fill")]
                    .into_iter()
                    .flatten()
                    .find(|c| c.starts_with('#') && !c.eq_ignore_ascii_case("#ffffff"))
                    .map(str::to_lowercase)
            };
            match node.tag_name().name() {
                "text" => texts.push(node.text().unwrap_or_default().trim().to_string()),
                "polyline" => {
                    let points = node.attribute("points").unwrap_or_default();
                    let length = polyline_length(points);
                    marks.extend(colour().map(|colour| Mark { colour, length, area: 0.0 }));
                }
                "line" => {
                    let length = (number(node, "x2") - number(node, "x1"))
                        .hypot(number(node, "y2") - number(node, "y1"));
                    marks.extend(colour().map(|colour| Mark { colour, length, area: 0.0 }));
                }
                "rect" => {
                    let area = number(node, "width") * number(node, "height");
                    marks.extend(colour().map(|colour| Mark { colour, length: 0.0, area }));
                }
                _ => {}
            }
        }
        SvgChart { width: number(root, "width"), height: number(root, "height"), texts, marks }
    }

    /// What the chart draws in any of `colours` (`#rrggbb`, any case).
    pub fn ink(&self, colours: &[String]) -> Ink {
        let wanted: Vec<String> = colours.iter().map(|c| c.to_lowercase()).collect();
        let mine = self.marks.iter().filter(|m| wanted.contains(&m.colour));
        let (line_length, bar_area) = mine.fold((0.0, 0.0), |(l, a), m| (l + m.length, a + m.area));
        Ink { line_length, bar_area }
    }

    /// Whether the chart draws data in `colours`: lines or bars beyond what a legend takes.
    pub fn draws_data_in(&self, colours: &[String]) -> bool {
        let ink = self.ink(colours);
        ink.line_length >= MIN_LINE_LENGTH || ink.bar_area >= MIN_BAR_AREA
    }
}

/// Length of a polyline's `points` (`x,y x,y …`).
fn polyline_length(points: &str) -> f64 {
    let xy: Vec<(f64, f64)> = points
        .split_whitespace()
        .filter_map(|p| p.split_once(','))
        .filter_map(|(x, y)| Some((x.parse().ok()?, y.parse().ok()?)))
        .collect();
    xy.windows(2).map(|w| (w[1].0 - w[0].0).hypot(w[1].1 - w[0].1)).sum()
}
