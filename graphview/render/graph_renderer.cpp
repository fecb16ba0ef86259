#include "render/graph_renderer.h"

#include "render/graph_shaders.h"

#include <algorithm>
#include <cmath>

namespace orch::graphview {
namespace {

constexpr int kNodeFloats = 9;
constexpr int kEdgeFloats = 12;
constexpr int kLabelFloats = 14;
constexpr int kMaxLabels = 1500;
constexpr int kMaxLabelChars = 28;
constexpr float kMinRadiusPx = 1.5f;
constexpr float kLabelMinRadiusPx = 7.0f;  // labels appear once nodes are this big on screen
constexpr float kArrowMinRadiusPx = 3.0f;
// Above this many traffic edges in the cached area, dashes are drawn static (baked into the
// layer): animating them would re-rasterise that many wide edges every frame.
constexpr int kMaxAnimatedEdges = 3000;
// Content changes closer together than this mean the graph is moving (see render()).
constexpr qint64 kChangingMs = 500;

QString buildProgram(QOpenGLShaderProgram& program, const char* vertex, const char* fragment,
                     const char* name) {
  if (!program.addShaderFromSourceCode(QOpenGLShader::Vertex, vertex) ||
      !program.addShaderFromSourceCode(QOpenGLShader::Fragment, fragment) || !program.link()) {
    return QStringLiteral("graphview: %1 shader failed: %2").arg(QLatin1String(name), program.log());
  }
  return {};
}

void uploadStatic(QOpenGLBuffer& buffer, const std::vector<float>& data) {
  buffer.create();
  buffer.bind();
  buffer.setUsagePattern(QOpenGLBuffer::StaticDraw);
  buffer.allocate(data.data(), static_cast<int>(data.size() * sizeof(float)));
}

void uploadDynamic(QOpenGLBuffer& buffer, const std::vector<float>& data) {
  buffer.bind();
  const int bytes = static_cast<int>(data.size() * sizeof(float));
  if (buffer.size() < bytes) {
    buffer.allocate(data.data(), bytes);
  } else {
    buffer.write(0, data.data(), bytes);
  }
}

}  // namespace

GraphRenderer::GraphRenderer() = default;
GraphRenderer::~GraphRenderer() = default;

QString GraphRenderer::initialize() {
  initializeOpenGLFunctions();
  layer_.release();  // a re-initialisation (new context) starts without a cached layer
  layerKey_ = {};
  for (auto [program, vs, fs, name] :
       {std::tuple{&nodeProgram_, shaders::kNodeVertex, shaders::kNodeFragment, "node"},
        std::tuple{&edgeProgram_, shaders::kEdgeVertex, shaders::kEdgeFragment, "edge"},
        std::tuple{&arrowProgram_, shaders::kArrowVertex, shaders::kArrowFragment, "arrow"},
        std::tuple{&labelProgram_, shaders::kLabelVertex, shaders::kLabelFragment, "label"},
        std::tuple{&compositeProgram_, shaders::kCompositeVertex, shaders::kCompositeFragment, "composite"}}) {
    if (QString error = buildProgram(*program, vs, fs, name); !error.isEmpty()) return error;
  }

  uploadStatic(quadCorners_, {-1, -1, 1, -1, -1, 1, 1, 1});
  uploadStatic(edgeCorners_, {0, -1, 1, -1, 0, 1, 1, 1});
  uploadStatic(arrowCorners_, {0, 0, -1, -1, -1, 1});
  uploadStatic(lineCorners_, {0, 0, 1, 0});
  uploadStatic(labelCorners_, {0, 0, 1, 0, 0, 1, 1, 1});
  for (QOpenGLBuffer* b : {&nodeInstances_, &edgeInstances_, &labelInstances_}) {
    b->create();
    b->setUsagePattern(QOpenGLBuffer::DynamicDraw);
  }

  auto attribute = [this](int location, int size, int stride, int offset, bool instanced) {
    glEnableVertexAttribArray(location);
    glVertexAttribPointer(location, size, GL_FLOAT, GL_FALSE, stride * static_cast<int>(sizeof(float)),
                          reinterpret_cast<const void*>(static_cast<intptr_t>(offset * sizeof(float))));
    glVertexAttribDivisor(location, instanced ? 1 : 0);
  };

  nodeVao_.create();
  nodeVao_.bind();
  quadCorners_.bind();
  attribute(0, 2, 2, 0, false);
  nodeInstances_.bind();
  attribute(1, 2, kNodeFloats, 0, true);
  attribute(2, 1, kNodeFloats, 2, true);
  attribute(3, 4, kNodeFloats, 3, true);
  attribute(4, 2, kNodeFloats, 7, true);
  nodeVao_.release();

  for (auto [vao, corners] : {std::pair{&edgeVao_, &edgeCorners_}, std::pair{&arrowVao_, &arrowCorners_},
                              std::pair{&lineVao_, &lineCorners_}}) {
    vao->create();
    vao->bind();
    corners->bind();
    attribute(0, 2, 2, 0, false);
    edgeInstances_.bind();
    attribute(1, 4, kEdgeFloats, 0, true);
    attribute(2, 4, kEdgeFloats, 4, true);
    attribute(3, 4, kEdgeFloats, 8, true);
    vao->release();
  }

  labelVao_.create();
  labelVao_.bind();
  labelCorners_.bind();
  attribute(0, 2, 2, 0, false);
  labelInstances_.bind();
  attribute(1, 4, kLabelFloats, 0, true);
  attribute(2, 2, kLabelFloats, 4, true);
  attribute(3, 4, kLabelFloats, 6, true);
  attribute(4, 4, kLabelFloats, 10, true);
  labelVao_.release();

  compositeVao_.create();
  compositeVao_.bind();
  labelCorners_.bind();
  attribute(0, 2, 2, 0, false);
  compositeVao_.release();

  atlasTexture_ = std::make_unique<QOpenGLTexture>(atlas_.image(), QOpenGLTexture::DontGenerateMipMaps);
  atlasTexture_->setMinificationFilter(QOpenGLTexture::Linear);
  atlasTexture_->setMagnificationFilter(QOpenGLTexture::Linear);
  atlasTexture_->setWrapMode(QOpenGLTexture::ClampToEdge);
  initialized_ = true;
  return {};
}

void GraphRenderer::release() {
  if (!initialized_) return;
  atlasTexture_.reset();
  layer_.release();
  layerKey_ = {};
  for (QOpenGLVertexArrayObject* v : {&nodeVao_, &edgeVao_, &arrowVao_, &lineVao_, &labelVao_, &compositeVao_}) {
    v->destroy();
  }
  for (QOpenGLBuffer* b : {&quadCorners_, &edgeCorners_, &arrowCorners_, &lineCorners_, &labelCorners_, &nodeInstances_,
                           &edgeInstances_, &labelInstances_}) {
    b->destroy();
  }
  initialized_ = false;
}

void GraphRenderer::setCamera(QOpenGLShaderProgram& program, const ViewCamera& camera) {
  program.setUniformValue("uCentre", camera.centre().toPointF());
  program.setUniformValue("uZoom", camera.zoom());
  program.setUniformValue("uViewport", QPointF(camera.viewport().width(), camera.viewport().height()));
  program.setUniformValue("uMinRadiusPx", kMinRadiusPx);
}

GraphRenderer::Lod GraphRenderer::levelOfDetail(const NodeVisuals& visuals, const ViewCamera& camera) const {
  // Typical on-screen node size decides the level of detail.
  float meanRadius = 0.0f;
  for (float r : visuals.radius) meanRadius += r;
  meanRadius /= static_cast<float>(std::max<size_t>(visuals.radius.size(), 1));
  const float meanRadiusPx = meanRadius * camera.zoom();
  Lod lod;
  lod.arrows = meanRadiusPx >= kArrowMinRadiusPx;
  lod.arrowPx = std::clamp(meanRadiusPx * 0.9f, 5.0f, 11.0f);
  lod.edgeScale = std::clamp(meanRadiusPx / 6.0f, 0.6f, 1.5f);
  return lod;
}

bool GraphRenderer::hasTraffic(const VisibleGraph& graph) {
  if (trafficGraph_ != &graph || trafficVersion_ != graph.version) {
    trafficGraph_ = &graph;
    trafficVersion_ = graph.version;
    traffic_ = std::any_of(graph.edges.begin(), graph.edges.end(),
                           [](const VisibleEdge& e) { return !e.containment && e.traffic > 0.0f; });
  }
  return traffic_;
}

bool GraphRenderer::sameLayerContent(const LayoutSnapshot& snapshot, const NodeVisuals& visuals, QColor background,
                                     bool wantAnimation) const {
  const LayerKey& k = layerKey_;
  return layer_.valid() && k.graph == snapshot.graph.get() && k.graphVersion == snapshot.graph->version &&
         k.generation == snapshot.generation && k.background == background.rgba() && k.wantAnimation == wantAnimation &&
         k.visuals.hovered == visuals.hovered && k.visuals.flags == visuals.flags &&
         k.visuals.radius == visuals.radius && k.visuals.shape == visuals.shape && k.visuals.color == visuals.color;
}

void GraphRenderer::render(const LayoutSnapshot& snapshot, const NodeVisuals& visuals, const ViewCamera& camera,
                           const RenderOptions& options, QColor background) {
  glClearColor(background.redF(), background.greenF(), background.blueF(), 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  stats_ = {};
  if (!initialized_ || !snapshot.graph) return;
  const VisibleGraph& graph = *snapshot.graph;
  const int n = graph.nodeCount();
  if (n == 0 || static_cast<int>(snapshot.positions.size()) != n ||
      static_cast<int>(visuals.radius.size()) != n || static_cast<int>(visuals.flags.size()) != n) {
    return;
  }
  glDisable(GL_DEPTH_TEST);
  glEnable(GL_BLEND);
  glBlendFunc(GL_ONE, GL_ONE_MINUS_SRC_ALPHA);

  const Lod lod = levelOfDetail(visuals, camera);
  // Dashes only move where they can be seen; zoomed out (1-px lines) the edge layer is static.
  const bool wantAnimation = options.animateTraffic && lod.arrows && hasTraffic(graph);
  const bool contentChanged = !sameLayerContent(snapshot, visuals, background, wantAnimation);
  if (contentChanged || !layer_.covers(camera, options.scaledZoomRatio)) {
    // While the content keeps changing (the layout is moving nodes) the margin would be redrawn
    // every frame for nothing: cache just the view until it settles.
    const bool changing = contentChanged && lastRebuildForContent_ && sinceRebuild_.isValid() &&
                          sinceRebuild_.elapsed() < kChangingMs;
    rebuildLayer(snapshot, visuals, camera, background, wantAnimation, changing ? 0.0f : LayerCache::kMargin);
    lastRebuildForContent_ = contentChanged;
    sinceRebuild_.start();
    stats_.layerRebuilt = true;
  }
  const bool animating = layerAnimated_ && layerMovingEdges_ > 0;
  if (animating) {
    // Live traffic edges (instance data covers the cached area) under the cached layer.
    Lod live = layerLod_;
    live.arrowPx = lod.arrowPx;
    drawEdges(camera, live, options.timeSeconds, layerEdges_ - layerMovingEdges_, layerMovingEdges_);
  }
  composite(camera);
  stats_.nodes = layerNodes_;
  stats_.edges = layerEdges_;
  stats_.labels = layerLabels_;
  stats_.arrows = layerLod_.arrows;
  stats_.animating = animating;
  stats_.movingEdges = animating ? layerMovingEdges_ : 0;
  stats_.scaled = !layer_.exactZoom(camera);
}

void GraphRenderer::rebuildLayer(const LayoutSnapshot& snapshot, const NodeVisuals& visuals,
                                 const ViewCamera& camera, QColor background, bool wantAnimation, float margin) {
  const ViewCamera cam = LayerCache::cacheCamera(camera, margin);
  layerLod_ = levelOfDetail(visuals, cam);
  buildEdges(snapshot, visuals, cam, layerLod_);
  buildNodes(snapshot, visuals);
  buildLabels(snapshot, visuals, cam);
  layerAnimated_ = wantAnimation && layerMovingEdges_ <= kMaxAnimatedEdges;
  // Animated: the layer holds the static edges only; the moving ones are drawn every frame.
  const int layerEdgeCount = layerAnimated_ ? layerEdges_ - layerMovingEdges_ : layerEdges_;

  // Static layer: the whole picture on an opaque background, so a frame can be a plain copy.
  // Animated: transparent, composited over the live edges.
  const float clear[4] = {layerAnimated_ ? 0.0f : background.redF(), layerAnimated_ ? 0.0f : background.greenF(),
                          layerAnimated_ ? 0.0f : background.blueF(), layerAnimated_ ? 0.0f : 1.0f};
  layer_.begin(*this, camera, cam, clear);
  if (layerEdgeCount > 0) drawEdges(cam, layerLod_, 0.0f, 0, layerEdgeCount);
  drawNodes(cam, background);
  drawLabels(cam);
  layer_.end(*this);

  layerKey_.graph = snapshot.graph.get();
  layerKey_.graphVersion = snapshot.graph->version;
  layerKey_.generation = snapshot.generation;
  layerKey_.background = background.rgba();
  layerKey_.wantAnimation = wantAnimation;
  layerKey_.visuals = visuals;
}

void GraphRenderer::buildEdges(const LayoutSnapshot& snapshot, const NodeVisuals& visuals, const ViewCamera& camera,
                               const Lod& lod) {
  const VisibleGraph& graph = *snapshot.graph;
  const auto& pos = snapshot.positions;
  edgeData_.clear();
  movingData_.clear();
  const QRectF view = camera.visibleWorld();
  const float viewLeft = static_cast<float>(view.left());
  const float viewRight = static_cast<float>(view.right());
  const float viewTop = static_cast<float>(view.top());
  const float viewBottom = static_cast<float>(view.bottom());
  const float zoom = camera.zoom();
  for (const VisibleEdge& edge : graph.edges) {
    const QVector2D a = pos[edge.source];
    const QVector2D b = pos[edge.target];
    // Cull edges whose bounding box misses the view.
    if (std::max(a.x(), b.x()) < viewLeft || std::min(a.x(), b.x()) > viewRight ||
        std::max(a.y(), b.y()) < viewTop || std::min(a.y(), b.y()) > viewBottom) {
      continue;
    }
    const float ra = visuals.radius[edge.source];
    const float rb = visuals.radius[edge.target];
    if (!lod.arrows) {
      // Zoomed out: an edge hidden under its two end nodes (or shorter than a pixel) draws nothing.
      const float visiblePx = (b - a).length() * zoom - std::max(ra * zoom, kMinRadiusPx) -
                              std::max(rb * zoom, kMinRadiusPx);
      if (visiblePx < 1.0f) continue;
    }
    const bool incident = visuals.hovered >= 0 && (edge.source == visuals.hovered || edge.target == visuals.hovered);
    const bool dimmed = ((visuals.flags[edge.source] | visuals.flags[edge.target]) & shaders::kFlagDimmed) != 0;
    QVector4D color = edge.containment ? QVector4D(0.55f, 0.6f, 0.7f, 0.35f) : QVector4D(0.7f, 0.75f, 0.85f, 0.7f);
    if (incident) color = QVector4D(1.0f, 0.85f, 0.4f, 1.0f);
    if (dimmed && !incident) color.setW(color.w() * 0.15f);
    const float width = (edge.containment ? 1.0f : 1.2f + 2.5f * std::min(edge.traffic, 1.0f)) * lod.edgeScale +
                        (incident ? 1.0f : 0.0f);
    const float traffic = edge.containment ? -1.0f : std::min(edge.traffic, 1.0f);
    const float params[kEdgeFloats] = {a.x(), a.y(), b.x(), b.y(), color.x(), color.y(), color.z(), color.w(),
                                       width, traffic, ra, rb};
    // Edges whose dashes move go last, so they can be drawn on their own.
    std::vector<float>& out = traffic > 0.0f ? movingData_ : edgeData_;
    out.insert(out.end(), params, params + kEdgeFloats);
  }
  layerMovingEdges_ = static_cast<int>(movingData_.size() / kEdgeFloats);
  edgeData_.insert(edgeData_.end(), movingData_.begin(), movingData_.end());
  layerEdges_ = static_cast<int>(edgeData_.size() / kEdgeFloats);
  if (layerEdges_ > 0) uploadDynamic(edgeInstances_, edgeData_);
}

void GraphRenderer::buildNodes(const LayoutSnapshot& snapshot, const NodeVisuals& visuals) {
  const int n = snapshot.graph->nodeCount();
  const auto& pos = snapshot.positions;
  nodeData_.resize(static_cast<size_t>(n) * kNodeFloats);
  float* d = nodeData_.data();
  for (int i = 0; i < n; ++i) {
    const QVector4D& c = visuals.color[i];
    const float values[kNodeFloats] = {pos[i].x(), pos[i].y(), visuals.radius[i], c.x(), c.y(), c.z(), c.w(),
                                       visuals.shape[i], static_cast<float>(visuals.flags[i])};
    std::copy(values, values + kNodeFloats, d);
    d += kNodeFloats;
  }
  uploadDynamic(nodeInstances_, nodeData_);
  layerNodes_ = n;
}

void GraphRenderer::pointEdgeInstances(QOpenGLVertexArrayObject& vao, int first) {
  vao.bind();
  edgeInstances_.bind();
  for (int location = 1; location <= 3; ++location) {
    const size_t offset = (static_cast<size_t>(first) * kEdgeFloats + static_cast<size_t>(location - 1) * 4) * sizeof(float);
    glVertexAttribPointer(location, 4, GL_FLOAT, GL_FALSE, kEdgeFloats * static_cast<int>(sizeof(float)),
                          reinterpret_cast<const void*>(static_cast<intptr_t>(offset)));
  }
  vao.release();
}

void GraphRenderer::drawEdges(const ViewCamera& camera, const Lod& lod, float timeSeconds, int first, int count) {
  if (count <= 0) return;
  for (QOpenGLVertexArrayObject* vao : {&edgeVao_, &arrowVao_, &lineVao_}) pointEdgeInstances(*vao, first);
  edgeProgram_.bind();
  setCamera(edgeProgram_, camera);
  edgeProgram_.setUniformValue("uArrowPx", lod.arrows ? lod.arrowPx : 0.0f);
  edgeProgram_.setUniformValue("uTime", timeSeconds);
  if (lod.arrows) {
    edgeVao_.bind();
    glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, count);
    edgeVao_.release();
    arrowProgram_.bind();
    setCamera(arrowProgram_, camera);
    arrowProgram_.setUniformValue("uArrowPx", lod.arrowPx);
    arrowVao_.bind();
    glDrawArraysInstanced(GL_TRIANGLES, 0, 3, count);
    arrowVao_.release();
  } else {
    // Level of detail: zoomed out, edges are one-pixel lines (a third of the fragments).
    lineVao_.bind();
    glDrawArraysInstanced(GL_LINES, 0, 2, count);
    lineVao_.release();
  }
}

void GraphRenderer::drawNodes(const ViewCamera& camera, QColor background) {
  nodeProgram_.bind();
  setCamera(nodeProgram_, camera);
  nodeProgram_.setUniformValue("uBackground", QVector4D(background.redF(), background.greenF(), background.blueF(), 1.0f));
  nodeVao_.bind();
  glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, layerNodes_);
  nodeVao_.release();
}

void GraphRenderer::drawLabels(const ViewCamera& camera) {
  if (labelData_.empty()) return;
  uploadDynamic(labelInstances_, labelData_);
  labelProgram_.bind();
  setCamera(labelProgram_, camera);
  glActiveTexture(GL_TEXTURE0);
  atlasTexture_->bind(0);
  labelProgram_.setUniformValue("uAtlas", 0);
  labelVao_.bind();
  glDrawArraysInstanced(GL_TRIANGLE_STRIP, 0, 4, static_cast<int>(labelData_.size() / kLabelFloats));
  labelVao_.release();
  atlasTexture_->release();
}

void GraphRenderer::composite(const ViewCamera& camera) {
  if (layer_.blit(*this, camera)) {
    stats_.blitted = true;
    return;
  }
  compositeProgram_.bind();
  setCamera(compositeProgram_, camera);
  const QRectF& r = layer_.world();
  compositeProgram_.setUniformValue("uRect", QVector4D(static_cast<float>(r.left()), static_cast<float>(r.top()),
                                                       static_cast<float>(r.right()), static_cast<float>(r.bottom())));
  compositeProgram_.setUniformValue("uLayer", 0);
  glActiveTexture(GL_TEXTURE0);
  glBindTexture(GL_TEXTURE_2D, layer_.texture());
  // Same zoom: texels map 1:1 onto pixels; scaled (during a zoom gesture): filter.
  const GLint filter = layer_.exactZoom(camera) ? GL_NEAREST : GL_LINEAR;
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  // An opaque layer replaces what is below it: no blending needed.
  if (!layerAnimated_) glDisable(GL_BLEND);
  compositeVao_.bind();
  glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
  compositeVao_.release();
  glEnable(GL_BLEND);
  glBindTexture(GL_TEXTURE_2D, 0);
  glBindBuffer(GL_ARRAY_BUFFER, 0);
}

void GraphRenderer::buildLabels(const LayoutSnapshot& snapshot, const NodeVisuals& visuals,
                                const ViewCamera& camera) {
  labelData_.clear();
  const VisibleGraph& graph = *snapshot.graph;
  const QRectF view = camera.visibleWorld().adjusted(-50 / camera.zoom(), -50 / camera.zoom(),
                                                     50 / camera.zoom(), 50 / camera.zoom());
  int labels = 0;
  auto emitLabel = [&](int i) {
    const QVector2D p = snapshot.positions[i];
    const VisibleNode& node = graph.nodes[i];
    QString text = node.label.left(kMaxLabelChars);
    if (node.collapsed) text += QStringLiteral(" (+%1)").arg(node.hiddenCount);
    const float width = atlas_.textWidth(text);
    float x = -width * 0.5f;
    const float y = visuals.radius[i] * camera.zoom() + 3.0f;
    const bool dimmed = (visuals.flags[i] & shaders::kFlagDimmed) != 0;
    const float alpha = dimmed ? 0.25f : 0.95f;
    for (QChar ch : text) {
      const GlyphAtlas::Glyph& g = atlas_.glyph(ch);
      const float values[kLabelFloats] = {p.x(), p.y(), x, y, g.width, atlas_.lineHeight(),
                                          static_cast<float>(g.uv.x()), static_cast<float>(g.uv.y()),
                                          static_cast<float>(g.uv.width()), static_cast<float>(g.uv.height()),
                                          0.92f, 0.94f, 0.97f, alpha};
      labelData_.insert(labelData_.end(), values, values + kLabelFloats);
      x += g.advance;
    }
    ++labels;
  };
  // Highlighted nodes are always labelled; others only when zoomed in far enough.
  for (int i = 0; i < graph.nodeCount(); ++i) {
    if ((visuals.flags[i] & (shaders::kFlagSelected | shaders::kFlagHovered)) != 0) emitLabel(i);
  }
  for (int i = 0; i < graph.nodeCount() && labels < kMaxLabels; ++i) {
    if ((visuals.flags[i] & (shaders::kFlagSelected | shaders::kFlagHovered)) != 0) continue;
    if (visuals.radius[i] * camera.zoom() < kLabelMinRadiusPx) continue;
    const QVector2D p = snapshot.positions[i];
    if (!view.contains(QPointF(p.x(), p.y()))) continue;
    emitLabel(i);
  }
  layerLabels_ = labels;
}

}  // namespace orch::graphview
