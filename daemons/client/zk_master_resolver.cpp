#include "client/zk_master_resolver.h"

#include <algorithm>
#include <future>

#include "absl/strings/str_cat.h"
#include "common/zk/event_loop.h"
#include "common/zk/zk_client.h"
#include "common/zk/zk_connect_string.h"
#include "common/zk/zk_status.h"
#include "nlohmann/json.hpp"

namespace orch::client {

absl::StatusOr<std::vector<std::string>> resolveMastersFromZk(const std::string& url,
                                                               std::chrono::milliseconds timeout) {
  auto parsed = zk::parseConnectString(url);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("master URL ", url, ": ", parsed.status().message()));
  }
  zk::EventLoop loop("zk-resolve");
  zk::ZkClientOptions options;
  options.connect = url;
  options.session_timeout_ms = static_cast<int>(std::max<int64_t>(2000, timeout.count()));
  auto client = zk::ZkClient::create(options, loop.executor());
  if (!client.ok()) return client.status();
  if (auto s = (*client)->connect(timeout); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot reach ZooKeeper at ", parsed->hostList(),
                                               " to find the masters: ", s.message()));
  }
  std::promise<absl::StatusOr<zk::ChildrenResult>> children;
  (*client)->getChildren("/leader", nullptr, [&children](absl::StatusOr<zk::ChildrenResult> r) {
    children.set_value(std::move(r));
  });
  auto listed = children.get_future().get();
  const std::string where = absl::StrCat(parsed->chroot.empty() ? "" : parsed->chroot, "/leader");
  if (!listed.ok()) {
    (*client)->close();
    if (zk::isNoNode(listed.status())) {
      return absl::NotFoundError(absl::StrCat("no master has ever registered under ", where,
                                              " in ZooKeeper ", parsed->hostList()));
    }
    return absl::UnavailableError(absl::StrCat("cannot list ", where, ": ", listed.status().message()));
  }
  std::vector<std::string> members;
  for (const auto& child : listed->children) {
    if (child.rfind("member_", 0) == 0) members.push_back(child);
  }
  std::sort(members.begin(), members.end());  // zero-padded sequence numbers
  std::vector<std::string> addresses;
  for (const std::string& member : members) {
    std::promise<absl::StatusOr<zk::GetResult>> got;
    (*client)->get(absl::StrCat("/leader/", member), nullptr,
                   [&got](absl::StatusOr<zk::GetResult> r) { got.set_value(std::move(r)); });
    auto data = got.get_future().get();
    if (!data.ok()) continue;  // that master just left
    auto info = nlohmann::json::parse(data->data, nullptr, false);
    if (info.is_discarded() || !info.contains("address") || !info["address"].is_string()) continue;
    const std::string address = info["address"].get<std::string>();
    if (std::find(addresses.begin(), addresses.end(), address) == addresses.end()) {
      addresses.push_back(address);
    }
  }
  (*client)->close();
  if (addresses.empty()) {
    return absl::NotFoundError(absl::StrCat("no master is running: ", where, " in ZooKeeper ",
                                            parsed->hostList(), " has no readable member"));
  }
  return addresses;
}

}  // namespace orch::client
