// One-way (A → B) reconciliation of a single path: what must be written to B so that B's node
// equals A's. Pure: the engine feeds it what it read from both sides.
#pragma once

#include <optional>

#include "core/sync/znode_record.h"

namespace orch::core::sync {

struct NodeAction {
  enum class Type {
    kNone,      // B already equals A (or both absent)
    kCreate,    // A has it, B does not
    kUpdate,    // both have it; data and/or ACL differ (see set_data / set_acl)
    kRecreate,  // both have it, kinds differ (persistent vs container/TTL): delete + create
    kDelete,    // B has it, A does not (recursive)
    kSkip,      // A's node is ephemeral: listed, never copied
  };
  Type type = Type::kNone;
  bool set_data = false;
  bool set_acl = false;
};

const char* nodeActionName(NodeAction::Type t);

// a/b: the node as read from A/B (nullopt = does not exist).
NodeAction decideOneWay(const std::optional<ZnodeRecord>& a, const std::optional<ZnodeRecord>& b);

}  // namespace orch::core::sync
