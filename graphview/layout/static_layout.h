#pragma once

#include "layout/layout.h"

namespace orch::graphview {

// Leaves nodes where NodePositions placed them (new nodes still start next to their neighbours).
// For fixed pictures, screenshots and callers that position nodes themselves.
class StaticLayout : public Layout {
 public:
  StaticLayout() { phase_ = LayoutPhase::Finished; }
  QString name() const override { return QStringLiteral("static"); }
  void step(const VisibleGraph&, NodePositions&) override { phase_ = LayoutPhase::Finished; }
  void remap(std::span<const int>) override {}
  void reheat(const VisibleGraph&, std::span<const int>) override {}
  void reheatAll(int) override {}
  double energy(const VisibleGraph&, const NodePositions&) const override { return 0.0; }
};

}  // namespace orch::graphview
