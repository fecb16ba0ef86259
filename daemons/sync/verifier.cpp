#include "sync/verifier.h"

#include "absl/strings/str_cat.h"
#include "common/zk/event_loop.h"
#include "common/zk/zk_client.h"
#include "core/sync/path_filter.h"
#include "core/sync/tree_digest.h"
#include "sync/tree_reader.h"

namespace orch::sync {
namespace {

std::string rootsDigest(const core::sync::ZnodeTree& tree, const core::sync::PathFilter& f) {
  auto digests = core::sync::subtreeDigests(tree);
  core::sync::Sha256 h;
  for (const auto& r : f.roots()) {
    h.updateField(r);
    auto it = digests.find(r);
    if (it != digests.end()) h.update(it->second.data(), it->second.size());
  }
  return core::sync::toHex(h.finish());
}

}  // namespace

absl::StatusOr<VerifyReport> verifyEnsembles(const SyncConfig& cfg, std::chrono::milliseconds timeout) {
  if (auto s = validateSyncConfig(cfg); !s.ok()) return s;
  auto filter = core::sync::PathFilter::create(cfg.paths_to_sync, cfg.exclude_paths);
  if (!filter.ok()) return filter.status();
  auto hints = core::sync::NodeKindHints::create(cfg.kind_hints);
  if (!hints.ok()) return hints.status();
  zk::EventLoop loop("zk-verify");
  auto open = [&](const std::string& connect, const std::string& auth,
                  const char* side) -> absl::StatusOr<std::unique_ptr<zk::ZkClient>> {
    zk::ZkClientOptions o;
    o.connect = connect;
    o.session_timeout_ms = cfg.session_timeout_ms;
    if (!auth.empty()) o.auth = {zk::AuthInfo{"digest", auth}};
    auto c = zk::ZkClient::create(o, loop.executor());
    if (!c.ok()) return c.status();
    if (auto s = (*c)->connect(std::min(timeout, std::chrono::milliseconds(15000))); !s.ok()) {
      return absl::UnavailableError(absl::StrCat(side, " ensemble ", connect, ": ", s.message()));
    }
    return c;
  };
  auto a = open(cfg.source_zk, cfg.source_auth, "source");
  if (!a.ok()) return a.status();
  auto b = open(cfg.target_zk, cfg.target_auth, "target");
  if (!b.ok()) return b.status();
  auto ta = readTree(**a, *filter, *hints, timeout);
  if (!ta.ok()) return absl::Status(ta.status().code(), absl::StrCat("source: ", ta.status().message()));
  auto tb = readTree(**b, *filter, *hints, timeout);
  if (!tb.ok()) return absl::Status(tb.status().code(), absl::StrCat("target: ", tb.status().message()));
  (*a)->close();
  (*b)->close();
  VerifyReport r;
  r.source_nodes = ta->size();
  r.target_nodes = tb->size();
  r.diff = core::sync::diffTrees(*ta, *tb);
  core::sync::removeEphemerals(*ta);
  core::sync::removeEphemerals(*tb);
  r.source_root_digest = rootsDigest(*ta, *filter);
  r.target_root_digest = rootsDigest(*tb, *filter);
  loop.stop();
  return r;
}

std::string formatVerifyReport(const VerifyReport& r, std::size_t limit) {
  const auto& d = r.diff;
  std::string out = absl::StrCat("compared ", d.compared, " znodes (source ", r.source_nodes, ", target ",
                                 r.target_nodes, "); missing ", d.missing.size(), ", extra ", d.extra.size(),
                                 ", differing ", d.differing.size(), "; source ephemerals not copied ",
                                 d.source_ephemerals.size(), "\n");
  absl::StrAppend(&out, "source digest ", r.source_root_digest, "\ntarget digest ", r.target_root_digest, "\n");
  auto list = [&](const char* what, const std::vector<std::string>& paths) {
    for (std::size_t i = 0; i < paths.size() && i < limit; ++i) absl::StrAppend(&out, what, " ", paths[i], "\n");
    if (paths.size() > limit) absl::StrAppend(&out, what, " ... ", paths.size() - limit, " more\n");
  };
  list("missing", d.missing);
  list("extra", d.extra);
  for (std::size_t i = 0; i < d.differing.size() && i < limit; ++i) {
    const auto& n = d.differing[i];
    absl::StrAppend(&out, "differing ", n.path, " (", n.data ? "data " : "", n.acl ? "acl " : "", n.kind ? "kind" : "",
                    ")\n");
  }
  if (d.differing.size() > limit) absl::StrAppend(&out, "differing ... ", d.differing.size() - limit, " more\n");
  list("ephemeral", d.source_ephemerals);
  absl::StrAppend(&out, d.identical() ? "result: identical\n" : "result: DIFFERENT\n");
  return out;
}

}  // namespace orch::sync
