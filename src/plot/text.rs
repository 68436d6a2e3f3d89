//! Exact glyph placement for bitmap charts.
//!
//! plotters 0.3.7 draws ab_glyph text without each glyph's left side bearing and with its pen
//! position truncated, which spaces letters unevenly in a PNG ("m ember"). [`Crisp`] wraps a
//! backend and draws text itself — the same embedded DejaVu Sans, laid out with sub-pixel pen
//! positions, kerning and bearings — and passes every other call straight through. SVG charts
//! do not need it: their text is text.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind, FontStyle,
    text_anchor::{HPos, VPos},
};

struct Faces {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

fn faces() -> Option<&'static Faces> {
    static FACES: OnceLock<Option<Faces>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            Some(Faces {
                regular: FontRef::try_from_slice(dejavu::sans::regular()).ok()?,
                bold: FontRef::try_from_slice(dejavu::sans::bold()).ok()?,
            })
        })
        .as_ref()
}

/// Glyphs of `text` at `size` pixels: (glyph, pen x), the total advance, ascent and descent.
fn layout(font: &FontRef<'static>, size: f32, text: &str) -> (Vec<(ab_glyph::GlyphId, f32)>, f32, f32, f32) {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut x = 0.0f32;
    let mut prev = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            x += scaled.kern(p, id);
        }
        glyphs.push((id, x));
        x += scaled.h_advance(id);
        prev = Some(id);
    }
    (glyphs, x, scaled.ascent(), scaled.descent())
}

fn face<S: BackendTextStyle>(style: &S) -> Option<&'static FontRef<'static>> {
    let f = faces()?;
    Some(match style.style() {
        FontStyle::Bold => &f.bold,
        _ => &f.regular,
    })
}

/// A backend that draws text with exact glyph placement (see the module docs).
pub struct Crisp<DB>(pub DB);

impl<DB: DrawingBackend> DrawingBackend for Crisp<DB> {
    type ErrorType = DB::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.ensure_prepared()
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.present()
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_pixel(point, color)
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_line(from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }
    /// Thick lines as one quadrilateral per segment with round joins: plotters' own polygonised
    /// outline bends the ends of a straight thick line.
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let width = style.stroke_width();
        if width <= 1 || style.color().alpha < 1.0 {
            return self.0.draw_path(path, style);
        }
        let points: Vec<BackendCoord> = path.into_iter().collect();
        let half = f64::from(width) / 2.0;
        let color = style.color();
        for pair in points.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            let (dx, dy) = (f64::from(b.0 - a.0), f64::from(b.1 - a.1));
            let len = (dx * dx + dy * dy).sqrt();
            if len == 0.0 {
                continue;
            }
            let (nx, ny) = (-dy / len * half, dx / len * half);
            let at = |p: BackendCoord, s: f64| {
                (
                    (f64::from(p.0) + 0.5 + s * nx).floor() as i32,
                    (f64::from(p.1) + 0.5 + s * ny).floor() as i32,
                )
            };
            let quad = [at(a, 1.0), at(b, 1.0), at(b, -1.0), at(a, -1.0)];
            self.0.fill_polygon(quad, &color)?;
        }
        if width >= 3 {
            for p in points.iter().skip(1).take(points.len().saturating_sub(2)) {
                self.0.draw_circle(*p, (width / 2).saturating_sub(0), &color, true)?;
            }
        }
        Ok(())
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.draw_circle(center, radius, style, fill)
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.fill_polygon(vert, style)
    }
    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        let Some(font) = face(style) else {
            return self.0.estimate_text_size(text, style);
        };
        let (_, width, ascent, descent) = layout(font, style.size() as f32, text);
        Ok((width.ceil() as u32, (ascent - descent).ceil() as u32))
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let Some(font) = face(style) else {
            return self.0.draw_text(text, style, pos);
        };
        let size = style.size() as f32;
        let (glyphs, width, ascent, descent) = layout(font, size, text);
        let (width, height) = (width.ceil() as i32, (ascent - descent).ceil() as i32);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let trans = style.transform();
        let (w, h) = self.0.get_size();
        let mut pixels: Vec<(i32, i32, f32)> = Vec::new();
        for (id, x) in glyphs {
            let glyph = id.with_scale_and_position(PxScale::from(size), point(x, ascent));
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|gx, gy, c| {
                    if c > 0.0 {
                        pixels.push((b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32, c.min(1.0)));
                    }
                });
            }
        }
        for (x, y, c) in pixels {
            let (x, y) = trans.transform(x + dx, y + dy);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && y >= 0 && (x as u32) < w && (y as u32) < h {
                self.0.draw_pixel(
                    (x, y),
                    BackendColor {
                        alpha: color.alpha * f64::from(c),
                        rgb: color.rgb,
                    },
                )?;
            }
        }
        Ok(())
    }
}
