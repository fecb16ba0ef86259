#include "layout/layout_factory.h"

#include "layout/force_directed_layout.h"
#include "layout/static_layout.h"

namespace orch::graphview {

QStringList LayoutFactory::names() {
  return {QStringLiteral("force-directed"), QStringLiteral("static")};
}

std::unique_ptr<Layout> LayoutFactory::create(const QString& name) {
  if (name == QLatin1String("force-directed")) {
    return std::make_unique<ForceDirectedLayout>();
  }
  if (name == QLatin1String("static")) {
    return std::make_unique<StaticLayout>();
  }
  return nullptr;
}

}  // namespace orch::graphview
