#include "core/quota.h"

#include "absl/strings/str_cat.h"

namespace orch::core {

ScalarQuantities scalarQuantitiesOf(const Resources& resources) {
  ScalarQuantities out;
  for (const auto& [key, entry] : resources.entries()) {
    if (entry.kind == Resources::Kind::kScalar) out[entry.name] += entry.scalar.milli();
  }
  return out;
}

namespace {

absl::Status checkScalarsOnly(const std::string& role, const char* what,
                              const Resources& resources) {
  for (const auto& [key, entry] : resources.entries()) {
    if (entry.kind != Resources::Kind::kScalar) {
      return absl::InvalidArgumentError(absl::StrCat("quota ", what, " of role '", role,
                                                     "': resource '", entry.name,
                                                     "' is not a scalar (only scalars have quota)"));
    }
    if (entry.role != "*") {
      return absl::InvalidArgumentError(absl::StrCat("quota ", what, " of role '", role,
                                                     "': resource '", entry.name, "(", entry.role,
                                                     ")' is reserved (quota is on unreserved "
                                                     "quantities)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status validateQuota(const std::string& role, const Quota& quota) {
  if (role.empty() || role == "*") {
    return absl::InvalidArgumentError(
        absl::StrCat("quota role '", role, "' is invalid: name a role, not '*' or nothing"));
  }
  if (absl::Status s = checkScalarsOnly(role, "guarantee", quota.guarantee); !s.ok()) return s;
  if (absl::Status s = checkScalarsOnly(role, "limit", quota.limit); !s.ok()) return s;
  const ScalarQuantities guarantee = scalarQuantitiesOf(quota.guarantee);
  const ScalarQuantities limit = scalarQuantitiesOf(quota.limit);
  for (const auto& [name, value] : guarantee) {
    auto it = limit.find(name);
    if (it != limit.end() && it->second < value) {
      return absl::InvalidArgumentError(absl::StrCat(
          "quota of role '", role, "': guarantee of '", name, "' (",
          Scalar::fromMilli(value).toString(), ") exceeds its limit (",
          Scalar::fromMilli(it->second).toString(), ")"));
    }
  }
  return absl::OkStatus();
}

bool roleIsWithin(const std::string& role, const std::string& ancestor) {
  if (role.size() < ancestor.size() || role.compare(0, ancestor.size(), ancestor) != 0) {
    return false;
  }
  return role.size() == ancestor.size() || role[ancestor.size()] == '/';
}

}  // namespace orch::core
