// Strong identifier types for the domain: an AgentId cannot be passed where a FrameworkId is meant.
#pragma once

#include <compare>
#include <functional>
#include <string>
#include <utility>

namespace orch::core {

template <typename Tag>
class StrongId {
 public:
  StrongId() = default;
  explicit StrongId(std::string value) : value_(std::move(value)) {}

  const std::string& value() const { return value_; }
  bool empty() const { return value_.empty(); }

  friend auto operator<=>(const StrongId&, const StrongId&) = default;
  friend bool operator==(const StrongId&, const StrongId&) = default;

 private:
  std::string value_;
};

using AgentId = StrongId<struct AgentIdTag>;
using FrameworkId = StrongId<struct FrameworkIdTag>;
using OfferId = StrongId<struct OfferIdTag>;
using TaskId = StrongId<struct TaskIdTag>;
// A role path such as "eng" or "eng/ml"; "*" is the unreserved (default) role.
using RoleName = StrongId<struct RoleNameTag>;

}  // namespace orch::core

template <typename Tag>
struct std::hash<orch::core::StrongId<Tag>> {
  size_t operator()(const orch::core::StrongId<Tag>& id) const noexcept {
    return std::hash<std::string>{}(id.value());
  }
};
