// Item data roles shared by the console's table models.
#pragma once

#include <Qt>

namespace orch::console {

enum ModelRole {
  // The raw value to sort by (numbers as numbers, times as seconds).
  kSortRole = Qt::UserRole + 1,
  // The object's id (agent_id, framework_id, task_id) in every column.
  kIdRole,
  // The object's state as a short machine name ("RUNNING", "DRAINING", "active").
  kStateRole,
};

}  // namespace orch::console
