#include "client/master_channels.h"

#include "absl/strings/str_cat.h"
#include "client/zk_master_resolver.h"
#include "common/tls/grpc_tls.h"

namespace orch::client {

absl::StatusOr<std::shared_ptr<MasterChannels>> MasterChannels::create(const ClientConfig& config) {
  if (absl::Status s = validateClientConfig(config); !s.ok()) return s;
  auto creds = tls::makeChannelCredentials(config.tls);
  if (!creds.ok()) {
    return absl::Status(creds.status().code(),
                        absl::StrCat("cannot load TLS files: ", creds.status().message()));
  }
  std::vector<Endpoint> endpoints;
  endpoints.reserve(config.masters.size());
  for (const std::string& entry : config.masters) {
    std::vector<std::string> addresses = {entry};
    if (isZkMasterUrl(entry)) {
      auto resolved = resolveMastersFromZk(entry);
      if (!resolved.ok()) return resolved.status();
      addresses = *std::move(resolved);
    }
    for (const std::string& address : addresses) {
      endpoints.push_back(Endpoint{address, tls::makeChannel(address, *creds)});
    }
  }
  return std::make_shared<MasterChannels>(std::move(endpoints), *std::move(creds));
}

MasterChannels::MasterChannels(std::vector<Endpoint> endpoints,
                               std::shared_ptr<grpc::ChannelCredentials> credentials)
    : endpoints_(std::move(endpoints)), credentials_(std::move(credentials)) {}

std::shared_ptr<grpc::Channel> MasterChannels::renew(const std::string& address) {
  std::lock_guard lock(mu_);
  for (Endpoint& e : endpoints_) {
    if (e.address != address) continue;
    if (credentials_) e.channel = tls::makeChannel(address, credentials_);
    return e.channel;
  }
  return nullptr;
}

std::vector<MasterChannels::Endpoint> MasterChannels::inPreferenceOrder() const {
  std::lock_guard lock(mu_);
  std::vector<Endpoint> out;
  out.reserve(endpoints_.size());
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    out.push_back(endpoints_[(preferred_ + i) % endpoints_.size()]);
  }
  return out;
}

MasterChannels::Endpoint MasterChannels::preferred() const {
  std::lock_guard lock(mu_);
  if (endpoints_.empty()) return Endpoint{};
  return endpoints_[preferred_ % endpoints_.size()];
}

void MasterChannels::prefer(const std::string& address) {
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    if (endpoints_[i].address == address) {
      preferred_ = i;
      return;
    }
  }
}

std::string masterLabel(const std::string& address) { return absl::StrCat("master at ", address); }

}  // namespace orch::client
