#pragma once

#include "layout/layout_thread.h"
#include "render/glyph_atlas.h"
#include "render/view_camera.h"

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

// Level of detail the renderer chose for the last frame.
struct RenderStats {
  int nodes = 0;
  int edges = 0;
  int labels = 0;
  bool arrows = false;
};

// Draws a LayoutSnapshot with OpenGL 3.3 core: instanced SDF nodes, instanced edges with animated
// dashes, instanced arrowheads and glyph-atlas labels. Needs a current context for every call.
class GraphRenderer : protected QOpenGLExtraFunctions {
 public:
  GraphRenderer();
  ~GraphRenderer();

  // Compiles shaders and creates buffers; returns an error message on failure (empty when fine).
  QString initialize();
  void render(const LayoutSnapshot& snapshot, const NodeVisuals& visuals, const ViewCamera& camera,
              float timeSeconds, QColor background);
  // Frees GL objects; the context must be current.
  void release();
  const RenderStats& stats() const { return stats_; }

 private:
  void buildLabels(const LayoutSnapshot& snapshot, const NodeVisuals& visuals, const ViewCamera& camera);
  void setCamera(QOpenGLShaderProgram& program, const ViewCamera& camera);

  bool initialized_ = false;
  QOpenGLShaderProgram nodeProgram_;
  QOpenGLShaderProgram edgeProgram_;
  QOpenGLShaderProgram arrowProgram_;
  QOpenGLShaderProgram labelProgram_;
  QOpenGLVertexArrayObject nodeVao_;
  QOpenGLVertexArrayObject edgeVao_;
  QOpenGLVertexArrayObject arrowVao_;
  QOpenGLVertexArrayObject lineVao_;
  QOpenGLVertexArrayObject labelVao_;
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
  std::vector<float> labelData_;
  RenderStats stats_;
};

}  // namespace orch::graphview
