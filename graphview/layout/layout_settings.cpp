#include "layout/layout_settings.h"

#include <algorithm>
#include <cmath>

namespace orch::graphview {

void LayoutSettings::registerSetting(const QString& name, const QString& label, float minimum,
                                     float maximum, float defaultValue) {
  const float v = std::clamp(defaultValue, minimum, maximum);
  for (LayoutSetting& s : settings_) {
    if (s.name == name) {
      s = {name, label, minimum, maximum, v, v};
      return;
    }
  }
  settings_.push_back({name, label, minimum, maximum, v, v});
}

std::optional<float> LayoutSettings::find(const QString& name) const {
  for (const LayoutSetting& s : settings_) {
    if (s.name == name) {
      return s.value;
    }
  }
  return std::nullopt;
}

QString LayoutSettings::setValue(const QString& name, float value) {
  for (LayoutSetting& s : settings_) {
    if (s.name != name) {
      continue;
    }
    if (!std::isfinite(value) || value < s.minimum || value > s.maximum) {
      return QStringLiteral("layout setting '%1' = %2 is outside [%3, %4]")
          .arg(name)
          .arg(value)
          .arg(s.minimum)
          .arg(s.maximum);
    }
    s.value = value;
    return {};
  }
  return QStringLiteral("unknown layout setting '%1'").arg(name);
}

void LayoutSettings::resetToDefaults() {
  for (LayoutSetting& s : settings_) {
    s.value = s.defaultValue;
  }
}

}  // namespace orch::graphview
