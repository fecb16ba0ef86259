#include "core/sync/node_decision.h"

#include <algorithm>

namespace orch::core::sync {

const char* nodeActionName(NodeAction::Type t) {
  switch (t) {
    case NodeAction::Type::kNone: return "none";
    case NodeAction::Type::kCreate: return "create";
    case NodeAction::Type::kUpdate: return "update";
    case NodeAction::Type::kRecreate: return "recreate";
    case NodeAction::Type::kDelete: return "delete";
    case NodeAction::Type::kSkip: return "skip";
  }
  return "unknown";
}

const char* znodeKindName(ZnodeKind k) {
  switch (k) {
    case ZnodeKind::kPersistent: return "persistent";
    case ZnodeKind::kEphemeral: return "ephemeral";
    case ZnodeKind::kContainer: return "container";
    case ZnodeKind::kTtl: return "ttl";
  }
  return "unknown";
}

NodeAction decideOneWay(const std::optional<ZnodeRecord>& a, const std::optional<ZnodeRecord>& b) {
  NodeAction act;
  if (a && a->kind == ZnodeKind::kEphemeral) {
    act.type = NodeAction::Type::kSkip;
    return act;
  }
  if (!a) {
    // B's own ephemerals (its clients' sessions) are left alone.
    act.type = (b && b->kind != ZnodeKind::kEphemeral) ? NodeAction::Type::kDelete : NodeAction::Type::kNone;
    return act;
  }
  if (!b) {
    act.type = NodeAction::Type::kCreate;
    return act;
  }
  if (b->kind == ZnodeKind::kEphemeral || a->kind != b->kind ||
      (a->kind == ZnodeKind::kTtl && a->ttl_ms != b->ttl_ms)) {
    act.type = NodeAction::Type::kRecreate;
    return act;
  }
  auto sa = a->acl, sb = b->acl;
  std::sort(sa.begin(), sa.end());
  std::sort(sb.begin(), sb.end());
  act.set_data = a->data != b->data;
  act.set_acl = sa != sb;
  act.type = (act.set_data || act.set_acl) ? NodeAction::Type::kUpdate : NodeAction::Type::kNone;
  return act;
}

}  // namespace orch::core::sync
