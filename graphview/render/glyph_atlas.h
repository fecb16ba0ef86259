#pragma once

#include <QImage>
#include <QRectF>
#include <QString>

#include <array>

namespace orch::graphview {

// Printable ASCII glyphs rendered once into an RGBA image (white, coverage in alpha) for the label
// shader. Characters outside ASCII draw as '?'.
class GlyphAtlas {
 public:
  struct Glyph {
    QRectF uv;          // normalised texture rectangle
    float width = 0;    // pixels of the glyph cell
    float advance = 0;  // pixels to the next glyph
  };

  // Renders the atlas with a font of `pixelSize` pixels.
  explicit GlyphAtlas(int pixelSize = 12);

  const QImage& image() const { return image_; }
  const Glyph& glyph(QChar c) const;
  float lineHeight() const { return lineHeight_; }
  // Width in pixels of `text` as the label shader lays it out.
  float textWidth(const QString& text) const;

 private:
  static constexpr int kFirst = 32;
  static constexpr int kLast = 126;
  QImage image_;
  std::array<Glyph, kLast - kFirst + 1> glyphs_{};
  float lineHeight_ = 0;
};

}  // namespace orch::graphview
