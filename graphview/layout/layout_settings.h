#pragma once

#include <QString>

#include <optional>
#include <vector>

namespace orch::graphview {

// One named tunable of a layout, with its range.
struct LayoutSetting {
  QString name;   // stable key, e.g. "RestLength"
  QString label;  // human-readable
  float minimum = 0.0f;
  float maximum = 1.0f;
  float defaultValue = 0.0f;
  float value = 0.0f;
};

// The tunables a layout registers; the UI and callers change them by name.
class LayoutSettings {
 public:
  // Adds a setting at its default value (clamped into [minimum, maximum]).
  void registerSetting(const QString& name, const QString& label, float minimum, float maximum,
                       float defaultValue);
  // The current value, or nullopt for an unknown name.
  std::optional<float> find(const QString& name) const;
  // The current value of a setting the layout registered itself (0 when unknown).
  float value(const QString& name) const { return find(name).value_or(0.0f); }
  // Sets a value; returns an error naming the setting when unknown or out of range.
  QString setValue(const QString& name, float value);
  void resetToDefaults();
  const std::vector<LayoutSetting>& all() const { return settings_; }

 private:
  std::vector<LayoutSetting> settings_;
};

}  // namespace orch::graphview
