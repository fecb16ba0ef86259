#pragma once

#include "layout/layout.h"

#include <QStringList>

#include <memory>

namespace orch::graphview {

// Creates layouts by name.
class LayoutFactory {
 public:
  // Names create() accepts; the first is the default.
  static QStringList names();
  // A new layout, or nullptr when `name` is not one of names().
  static std::unique_ptr<Layout> create(const QString& name);
};

}  // namespace orch::graphview
