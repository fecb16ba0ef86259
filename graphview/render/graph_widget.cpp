#include "render/graph_widget.h"

#include "layout/layout_factory.h"
#include "render/graph_picker.h"
#include "render/graph_shaders.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QSurfaceFormat>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace orch::graphview {
namespace {

constexpr float kDragThresholdPx = 3.0f;

QVector4D toVector(QColor c) { return {c.redF(), c.greenF(), c.blueF(), c.alphaF()}; }

}  // namespace

GraphWidget::GraphWidget(QWidget* parent, const QString& layoutName) : QOpenGLWidget(parent) {
  QSurfaceFormat format;
  format.setVersion(3, 3);
  format.setProfile(QSurfaceFormat::CoreProfile);
  format.setDepthBufferSize(0);
  format.setStencilBufferSize(8);
  setFormat(format);
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  setMinimumSize(200, 150);

  std::unique_ptr<Layout> layout = LayoutFactory::create(layoutName);
  if (!layout) layout = LayoutFactory::create(LayoutFactory::names().first());
  layout_ = std::make_unique<LayoutThread>(std::move(layout));
  snapshot_ = layout_->snapshot();
  connect(layout_.get(), &LayoutThread::snapshotReady, this, qOverload<>(&GraphWidget::update),
          Qt::QueuedConnection);
  layout_->start();

  animationTimer_.setInterval(33);
  connect(&animationTimer_, &QTimer::timeout, this, qOverload<>(&GraphWidget::update));
  crispTimer_.setSingleShot(true);
  crispTimer_.setInterval(150);
  connect(&crispTimer_, &QTimer::timeout, this, [this] {
    zoomGesture_ = false;
    update();
  });
  clock_.start();
}

GraphWidget::~GraphWidget() {
  layout_->stop();
  if (glReady_) {
    makeCurrent();
    renderer_.release();
    doneCurrent();
  }
}

ApplyReport GraphWidget::applyDelta(const GraphDelta& delta) {
  ApplyReport report = model_.apply(delta);
  if (report.applied > 0) submitGraph();
  return report;
}

GroupResult GraphWidget::collapseGroup(const QString& groupId) {
  GroupResult r = model_.collapse(groupId);
  if (r.ok()) submitGraph();
  return r;
}

GroupResult GraphWidget::expandGroup(const QString& groupId) {
  GroupResult r = model_.expand(groupId);
  if (r.ok()) submitGraph();
  return r;
}

void GraphWidget::submitGraph() { layout_->setGraph(model_.project()); }

void GraphWidget::setNodeStyle(NodeStyle style) {
  const NodeStyle defaults = NodeStyle::standard();
  style_ = std::move(style);
  if (!style_.radius) style_.radius = defaults.radius;
  if (!style_.color) style_.color = defaults.color;
  if (!style_.shape) style_.shape = defaults.shape;
  visualsGraph_ = nullptr;
  update();
}

void GraphWidget::setSearchPredicate(std::function<bool(const VisibleNode&)> matches) {
  search_ = std::move(matches);
  visualsGraph_ = nullptr;
  update();
}

void GraphWidget::setBackground(QColor color) {
  background_ = color;
  update();
}

void GraphWidget::setTrafficAnimation(bool enabled) {
  trafficAnimation_ = enabled;
  if (!enabled) animationTimer_.stop();
  update();
}

QStringList GraphWidget::selectedIds() const {
  QStringList ids(selected_.begin(), selected_.end());
  ids.sort();
  return ids;
}

void GraphWidget::setSelection(const QStringList& ids) {
  QSet<QString> next(ids.begin(), ids.end());
  if (next == selected_) return;
  selected_ = std::move(next);
  emitSelection();
}

void GraphWidget::emitSelection() {
  emit selectionChanged(selectedIds());
  update();
}

void GraphWidget::pinNode(const QString& id, QPointF world) {
  layout_->pinNode(id, QVector2D(static_cast<float>(world.x()), static_cast<float>(world.y())));
}

void GraphWidget::unpinNode(const QString& id) { layout_->unpinNode(id); }

void GraphWidget::fitToView() {
  takeSnapshot();
  if (!snapshot_->graph || snapshot_->graph->nodeCount() == 0) return;
  float maxRadius = 0.0f;
  for (float r : visuals_.radius) maxRadius = std::max(maxRadius, r);
  camera_.fit(snapshot_->bounds.adjusted(-maxRadius, -maxRadius, maxRadius, maxRadius));
  update();
}

void GraphWidget::takeSnapshot() {
  snapshot_ = layout_->snapshot();
  refreshVisuals();
}

void GraphWidget::refreshVisuals() {
  const VisibleGraph* graph = snapshot_->graph.get();
  if (graph == nullptr) return;
  const int n = graph->nodeCount();
  if (graph != visualsGraph_ || graph->version != visualsGraphVersion_) {
    visualsGraph_ = graph;
    visualsGraphVersion_ = graph->version;
    visuals_.radius.resize(n);
    visuals_.color.resize(n);
    visuals_.shape.resize(n);
    baseFlags_.assign(n, 0);
    for (int i = 0; i < n; ++i) {
      const VisibleNode& node = graph->nodes[i];
      visuals_.radius[i] = std::max(0.1f, style_.radius(node));
      visuals_.color[i] = toVector(style_.color(node));
      visuals_.shape[i] = static_cast<float>(style_.shape(node));
      if (node.collapsed) baseFlags_[i] |= shaders::kFlagCollapsed;
      if (search_ && !search_(node)) baseFlags_[i] |= shaders::kFlagDimmed;
    }
  }
  visuals_.flags = baseFlags_;
  for (int i = 0; i < n && i < static_cast<int>(snapshot_->pinned.size()); ++i) {
    if (snapshot_->pinned[i]) visuals_.flags[i] |= shaders::kFlagPinned;
  }
  if (!selected_.isEmpty()) {
    for (const QString& id : selected_) {
      const int i = graph->find(id);
      if (i >= 0) visuals_.flags[i] |= shaders::kFlagSelected;
    }
  }
  visuals_.hovered = hovered_.isEmpty() ? -1 : graph->find(hovered_);
  if (visuals_.hovered >= 0) {
    visuals_.flags[visuals_.hovered] |= shaders::kFlagHovered;
    visuals_.flags[visuals_.hovered] &= ~shaders::kFlagDimmed;
    for (int nb : graph->neighbours(visuals_.hovered)) {
      visuals_.flags[nb] |= shaders::kFlagNeighbour;
      visuals_.flags[nb] &= ~shaders::kFlagDimmed;
    }
  }
}

std::optional<QPointF> GraphWidget::nodeScreenPosition(const QString& id) const {
  if (!snapshot_->graph) return std::nullopt;
  const int i = snapshot_->graph->find(id);
  if (i < 0 || i >= static_cast<int>(snapshot_->positions.size())) return std::nullopt;
  return camera_.worldToScreen(snapshot_->positions[i]);
}

QString GraphWidget::nodeAt(QPointF widgetPos) const {
  const int i = GraphPicker::nodeAt(*snapshot_, visuals_.radius, camera_, widgetPos);
  return i >= 0 ? snapshot_->graph->nodes[i].id : QString();
}

bool GraphWidget::waitForLayout(int timeoutMs) {
  const bool idle = layout_->waitUntilIdle(timeoutMs);
  takeSnapshot();
  if (autoFit_) fitToView();
  return idle;
}

void GraphWidget::initializeGL() {
  glError_ = renderer_.initialize();
  glReady_ = glError_.isEmpty();
  if (!glReady_) qWarning("%s", qPrintable(glError_));
}

void GraphWidget::resizeGL(int w, int h) {
  camera_.setViewport(QSize(w, h));
  if (autoFit_) fitToView();
}

void GraphWidget::paintGL() {
  QElapsedTimer timer;
  timer.start();
  camera_.setViewport(size());
  takeSnapshot();
  if (autoFit_ && snapshot_->graph && snapshot_->graph->nodeCount() > 0) {
    float maxRadius = 0.0f;
    for (float r : visuals_.radius) maxRadius = std::max(maxRadius, r);
    camera_.fit(snapshot_->bounds.adjusted(-maxRadius, -maxRadius, maxRadius, maxRadius));
  }
  if (glReady_) {
    RenderOptions options;
    options.timeSeconds = static_cast<float>(clock_.elapsed()) / 1000.0f;
    options.animateTraffic = trafficAnimation_;
    options.scaledZoomRatio = zoomGesture_ ? 1.6f : 1.0f;
    renderer_.render(*snapshot_, visuals_, camera_, options, background_);
    if (renderer_.stats().scaled) crispTimer_.start();
  }
  if (drag_ == Drag::Band && moved_) {
    QPainter painter(this);
    painter.setPen(QPen(QColor(120, 170, 255), 1.0));
    painter.setBrush(QColor(120, 170, 255, 40));
    painter.drawRect(QRectF(pressPos_, lastPos_).normalized());
  }
  // Repaint on a timer only while dashes visibly move; a settled, static view costs no CPU.
  const bool animating = glReady_ && renderer_.stats().animating;
  lastPaintMs_ = static_cast<double>(timer.nsecsElapsed()) / 1e6;
  // Dashes are decoration: when a frame is expensive (llvmpipe), animate at a lower rate so that
  // animation takes at most about a third of the time.
  if (animating) animationTimer_.setInterval(std::clamp(static_cast<int>(lastPaintMs_ * 3.0), 33, 500));
  if (animating && isVisible() && !animationTimer_.isActive()) animationTimer_.start();
  if (!animating && animationTimer_.isActive()) animationTimer_.stop();
  lastPaintMs_ = static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

void GraphWidget::setHovered(const QString& id) {
  if (id == hovered_) return;
  hovered_ = id;
  emit hoveredChanged(id);
  update();
}

void GraphWidget::mousePressEvent(QMouseEvent* event) {
  pressPos_ = lastPos_ = event->position();
  moved_ = false;
  pressNode_ = nodeAt(event->position());
  if (event->button() == Qt::LeftButton) {
    if (!pressNode_.isEmpty()) {
      drag_ = Drag::Node;
    } else {
      drag_ = (event->modifiers() & Qt::ShiftModifier) ? Drag::Band : Drag::Pan;
    }
  } else {
    drag_ = Drag::Pan;
  }
  event->accept();
}

void GraphWidget::mouseMoveEvent(QMouseEvent* event) {
  const QPointF pos = event->position();
  if (drag_ == Drag::None) {
    setHovered(nodeAt(pos));
    return;
  }
  if ((pos - pressPos_).manhattanLength() > kDragThresholdPx) moved_ = true;
  if (drag_ == Drag::Pan && moved_) {
    camera_.pan(pos - lastPos_);
    autoFit_ = false;
  } else if (drag_ == Drag::Node && moved_) {
    const QVector2D world = camera_.screenToWorld(pos);
    layout_->pinNode(pressNode_, world);
    autoFit_ = false;
  }
  lastPos_ = pos;
  update();
}

void GraphWidget::mouseReleaseEvent(QMouseEvent* event) {
  const bool toggle = (event->modifiers() & Qt::ControlModifier) != 0;
  if (!moved_) {
    if (drag_ == Drag::Node) {
      if (toggle) {
        if (!selected_.remove(pressNode_)) selected_.insert(pressNode_);
      } else {
        selected_ = {pressNode_};
      }
      emitSelection();
    } else if (!toggle && !selected_.isEmpty()) {
      selected_.clear();
      emitSelection();
    }
  } else if (drag_ == Drag::Band) {
    if (!toggle) selected_.clear();
    for (int i : GraphPicker::nodesIn(*snapshot_, camera_, QRectF(pressPos_, event->position()))) {
      selected_.insert(snapshot_->graph->nodes[i].id);
    }
    emitSelection();
  }
  drag_ = Drag::None;
  moved_ = false;
  update();
}

void GraphWidget::mouseDoubleClickEvent(QMouseEvent* event) {
  const QString id = nodeAt(event->position());
  if (!id.isEmpty()) emit nodeActivated(id);
}

void GraphWidget::wheelEvent(QWheelEvent* event) {
  const float factor = std::pow(1.0015f, static_cast<float>(event->angleDelta().y()));
  camera_.zoomAround(event->position(), factor);
  autoFit_ = false;
  zoomGesture_ = true;
  crispTimer_.start();
  update();
  event->accept();
}

int GraphWidget::selectedIndex() const {
  if (!snapshot_->graph) return -1;
  const QStringList ids = selectedIds();
  return ids.isEmpty() ? -1 : snapshot_->graph->find(ids.first());
}

void GraphWidget::keyPressEvent(QKeyEvent* event) {
  const VisibleGraph* graph = snapshot_->graph.get();
  QVector2D direction;
  switch (event->key()) {
    case Qt::Key_Left: direction = QVector2D(-1, 0); break;
    case Qt::Key_Right: direction = QVector2D(1, 0); break;
    case Qt::Key_Up: direction = QVector2D(0, -1); break;
    case Qt::Key_Down: direction = QVector2D(0, 1); break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
      if (const int i = selectedIndex(); i >= 0) emit nodeActivated(graph->nodes[i].id);
      return;
    case Qt::Key_Escape:
      if (!selected_.isEmpty()) {
        selected_.clear();
        emitSelection();
      }
      return;
    case Qt::Key_F:
      fitToView();
      return;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
      camera_.zoomAround(QPointF(width() / 2.0, height() / 2.0), 1.25f);
      autoFit_ = false;
      zoomGesture_ = true;
      crispTimer_.start();
      update();
      return;
    case Qt::Key_Minus:
      camera_.zoomAround(QPointF(width() / 2.0, height() / 2.0), 0.8f);
      autoFit_ = false;
      zoomGesture_ = true;
      crispTimer_.start();
      update();
      return;
    case Qt::Key_U:
      for (const QString& id : selected_) layout_->unpinNode(id);
      return;
    case Qt::Key_C:
      if (const int i = selectedIndex(); i >= 0 && graph->nodes[i].parent >= 0) {
        const QString parent = graph->nodes[graph->nodes[i].parent].id;
        if (collapseGroup(parent).ok()) setSelection({parent});
      }
      return;
    case Qt::Key_E:
      if (const int i = selectedIndex(); i >= 0 && graph->nodes[i].collapsed) expandGroup(graph->nodes[i].id);
      return;
    default:
      QOpenGLWidget::keyPressEvent(event);
      return;
  }
  if (graph == nullptr || graph->nodeCount() == 0) return;
  int from = selectedIndex();
  int to = -1;
  if (from < 0) {
    to = GraphPicker::nodeAt(*snapshot_, visuals_.radius, camera_, QPointF(width() / 2.0, height() / 2.0), 1e6f);
  } else {
    to = GraphPicker::neighbourInDirection(*snapshot_, from, direction);
  }
  if (to >= 0) setSelection({graph->nodes[to].id});
}

void GraphWidget::leaveEvent(QEvent* event) {
  setHovered({});
  QOpenGLWidget::leaveEvent(event);
}

}  // namespace orch::graphview
