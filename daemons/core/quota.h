// Quota for a role: a guarantee (scalar resources set aside for the role before anyone else is
// offered them) and a limit (scalar resources the role may never hold more of). Both count what
// is allocated to the role and to every role below it ("eng" counts "eng/ml").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "core/resources.h"

namespace orch::core {

// Scalar quantities by resource name, in thousandths, role-agnostic.
using ScalarQuantities = std::map<std::string, int64_t>;

struct Quota {
  Resources guarantee;  // unreserved scalars only; empty = no guarantee
  Resources limit;      // unreserved scalars only; a name absent here is unlimited
  friend bool operator==(const Quota&, const Quota&) = default;
};

// The scalar quantities of `resources`, summed across reservation roles.
ScalarQuantities scalarQuantitiesOf(const Resources& resources);

// Checks that guarantee and limit hold only unreserved scalars and that, for every name present
// in both, guarantee <= limit. Errors name the role and the offending resource.
absl::Status validateQuota(const std::string& role, const Quota& quota);

// True when `role` is `ancestor` or lies below it ("eng/ml" is below "eng").
bool roleIsWithin(const std::string& role, const std::string& ancestor);

}  // namespace orch::core
