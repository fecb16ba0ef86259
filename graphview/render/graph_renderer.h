#pragma once

#include "layout/layout_thread.h"
#include "render/glyph_atlas.h"
#include "render/layer_cache.h"
#include "render/view_camera.h"

#include <QColor>
#include <QElapsedTimer>
#include <QOpenGLBuffer>
#include <QOpenGLExtraFunctions>
#include <QOpenGLShaderProgram>
#include <QOpenGLTexture>
#include <QOpenGLVertexArrayObject>
#include <QVector4D>

#include <memory>
#include <vector>

namespace orch::graphview {

// Per-node drawing inputs for one frame, aligned with the snapshot's graph.
struct NodeVisuals {
  std::vector<float> radius;      // world units
  std::vector<QVector4D> color;   // straight RGBA 0..1
  std::vector<float> shape;       // NodeShape as float
  std::vector<int> flags;         // shaders::kFlag* bits
  int hovered = -1;               // node whose incident edges are highlighted
};

// How a frame may be drawn.
struct RenderOptions {
  float timeSeconds = 0.0f;
  // Traffic dashes move (only where they are visible: zoomed in far enough for arrows).
  bool animateTraffic = true;
  // > 1: the cached layer may be composited scaled by a zoom ratio up to this (during a zoom
  // gesture); 1: the cached layer is re-rendered whenever the zoom changes.
  float scaledZoomRatio = 1.0f;
};

// Level of detail the renderer chose for the last frame, and how it was produced.
struct RenderStats {
  int nodes = 0;
  int edges = 0;
  int labels = 0;
  bool arrows = false;
  bool animating = false;     // dashes move: the caller should keep repainting
  int movingEdges = 0;        // edges drawn live each frame for their moving dashes
  bool layerRebuilt = false;  // the cached layer was rasterised again this frame
  bool scaled = false;        // the cached layer was drawn at another zoom than it was made for
  bool blitted = false;       // the cached layer was copied 1:1 (no shading)
};

// Draws a LayoutSnapshot with OpenGL 3.3 core: instanced SDF nodes, instanced edges with animated
// dashes, instanced arrowheads and glyph-atlas labels. Needs a current context for every call.
// Edges, nodes and labels are rasterised into a LayerCache larger than the view and re-rendered
// only when the snapshot, the visuals, the zoom or the viewport change or the view leaves the
// cached area; otherwise a frame is one textured quad. While traffic dashes animate, edges are
// drawn live each frame (from instance data built with the layer) under the cached nodes.
class GraphRenderer : protected QOpenGLExtraFunctions {
 public:
  GraphRenderer();
  ~GraphRenderer();

  // Compiles shaders and creates buffers; returns an error message on failure (empty when fine).
  QString initialize();
  void render(const LayoutSnapshot& snapshot, const NodeVisuals& visuals, const ViewCamera& camera,
              const RenderOptions& options, QColor background);
  // Frees GL objects; the context must be current.
  void release();
  const RenderStats& stats() const { return stats_; }

 private:
  // What the cached layer shows, apart from the camera.
  struct LayerKey {
    const VisibleGraph* graph = nullptr;
    uint64_t graphVersion = 0;
    uint64_t generation = 0;
    QRgb background = 0;
    bool wantAnimation = false;
    NodeVisuals visuals;
  };
  struct Lod {
    bool arrows = false;
    float arrowPx = 0.0f;
    float edgeScale = 1.0f;
  };

  Lod levelOfDetail(const NodeVisuals& visuals, const ViewCamera& camera) const;
  bool sameLayerContent(const LayoutSnapshot& snapshot, const NodeVisuals& visuals, QColor background,
                        bool wantAnimation) const;
  bool hasTraffic(const VisibleGraph& graph);
  void rebuildLayer(const LayoutSnapshot& snapshot, const NodeVisuals& visuals, const ViewCamera& camera,
                    QColor background, bool wantAnimation, float margin);
  void buildEdges(const LayoutSnapshot& snapshot, const NodeVisuals& visuals, const ViewCamera& camera,
                  const Lod& lod);
  void buildNodes(const LayoutSnapshot& snapshot, const NodeVisuals& visuals);
  // Points the edge VAOs' instance attributes at instance `first` (GL 3.3 has no base instance).
  void pointEdgeInstances(QOpenGLVertexArrayObject& vao, int first);
  void drawEdges(const ViewCamera& camera, const Lod& lod, float timeSeconds, int first, int count);
  void drawNodes(const ViewCamera& camera, QColor background);
  void drawLabels(const ViewCamera& camera);
  void composite(const ViewCamera& camera);
  void buildLabels(const LayoutSnapshot& snapshot, const NodeVisuals& visuals, const ViewCamera& camera);
  void setCamera(QOpenGLShaderProgram& program, const ViewCamera& camera);

  bool initialized_ = false;
  QOpenGLShaderProgram nodeProgram_;
  QOpenGLShaderProgram edgeProgram_;
  QOpenGLShaderProgram arrowProgram_;
  QOpenGLShaderProgram labelProgram_;
  QOpenGLShaderProgram compositeProgram_;
  QOpenGLVertexArrayObject nodeVao_;
  QOpenGLVertexArrayObject edgeVao_;
  QOpenGLVertexArrayObject arrowVao_;
  QOpenGLVertexArrayObject lineVao_;
  QOpenGLVertexArrayObject labelVao_;
  QOpenGLVertexArrayObject compositeVao_;
  QOpenGLBuffer quadCorners_{QOpenGLBuffer::VertexBuffer};
  QOpenGLBuffer edgeCorners_{QOpenGLBuffer::VertexBuffer};
  QOpenGLBuffer arrowCorners_{QOpenGLBuffer::VertexBuffer};
  QOpenGLBuffer lineCorners_{QOpenGLBuffer::VertexBuffer};
  QOpenGLBuffer labelCorners_{QOpenGLBuffer::VertexBuffer};
  QOpenGLBuffer nodeInstances_{QOpenGLBuffer::VertexBuffer};
  QOpenGLBuffer edgeInstances_{QOpenGLBuffer::VertexBuffer};
  QOpenGLBuffer labelInstances_{QOpenGLBuffer::VertexBuffer};
  std::unique_ptr<QOpenGLTexture> atlasTexture_;
  GlyphAtlas atlas_;
  std::vector<float> nodeData_;
  std::vector<float> edgeData_;
  std::vector<float> movingData_;
  std::vector<float> labelData_;
  LayerCache layer_;
  LayerKey layerKey_;
  Lod layerLod_;        // level of detail the edge instance data was built with
  int layerEdges_ = 0;        // edges in the instance buffer (moving ones last)
  int layerMovingEdges_ = 0;  // edges with traffic dashes
  bool layerAnimated_ = false;
  bool lastRebuildForContent_ = false;  // the last rebuild was caused by new content, not the camera
  QElapsedTimer sinceRebuild_;
  int layerNodes_ = 0;
  int layerLabels_ = 0;
  const VisibleGraph* trafficGraph_ = nullptr;
  uint64_t trafficVersion_ = 0;
  bool traffic_ = false;
  RenderStats stats_;
};

}  // namespace orch::graphview
