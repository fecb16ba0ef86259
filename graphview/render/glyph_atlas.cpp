#include "render/glyph_atlas.h"

#include <QFont>
#include <QFontMetricsF>
#include <QPainter>

#include <cmath>

namespace orch::graphview {

GlyphAtlas::GlyphAtlas(int pixelSize) {
  QFont font(QStringLiteral("DejaVu Sans"));
  font.setPixelSize(pixelSize);
  font.setStyleStrategy(QFont::PreferAntialias);
  const QFontMetricsF metrics(font);
  lineHeight_ = static_cast<float>(std::ceil(metrics.height()));
  const int cellH = static_cast<int>(lineHeight_) + 2;
  const int columns = 16;
  int cellW = 0;
  for (int c = kFirst; c <= kLast; ++c) {
    cellW = std::max(cellW, static_cast<int>(std::ceil(metrics.horizontalAdvance(QChar(c)))) + 2);
  }
  const int rows = (kLast - kFirst + columns) / columns;
  image_ = QImage(columns * cellW, rows * cellH, QImage::Format_RGBA8888_Premultiplied);
  image_.fill(Qt::transparent);
  QPainter painter(&image_);
  painter.setFont(font);
  painter.setPen(Qt::white);
  painter.setRenderHint(QPainter::TextAntialiasing);
  for (int c = kFirst; c <= kLast; ++c) {
    const int k = c - kFirst;
    const int x = (k % columns) * cellW;
    const int y = (k / columns) * cellH;
    painter.drawText(QPointF(x + 1, y + 1 + metrics.ascent()), QString(QChar(c)));
    Glyph& g = glyphs_[k];
    g.advance = static_cast<float>(metrics.horizontalAdvance(QChar(c)));
    g.width = static_cast<float>(cellW);
    g.uv = QRectF(static_cast<double>(x) / image_.width(), static_cast<double>(y) / image_.height(),
                  static_cast<double>(cellW) / image_.width(), static_cast<double>(cellH) / image_.height());
  }
  lineHeight_ = static_cast<float>(cellH);
}

const GlyphAtlas::Glyph& GlyphAtlas::glyph(QChar c) const {
  const int u = c.unicode();
  if (u < kFirst || u > kLast) return glyphs_['?' - kFirst];
  return glyphs_[u - kFirst];
}

float GlyphAtlas::textWidth(const QString& text) const {
  float w = 0;
  for (QChar c : text) w += glyph(c).advance;
  return w;
}

}  // namespace orch::graphview
