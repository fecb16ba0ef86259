#include "ctl/allocation_commands.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "client/operator_client.h"
#include "common/wire/wire_convert.h"
#include "core/resources.h"
#include "ctl/table_printer.h"

namespace orch::ctl {

namespace v1 = orchestrator::v1;

namespace {

absl::StatusOr<std::unique_ptr<client::OperatorClient>> connect(const GlobalOptions& global) {
  auto config = resolveConfig(global);
  if (!config.ok()) return config.status();
  return client::OperatorClient::create(*config);
}

std::string resourcesText(const google::protobuf::RepeatedPtrField<v1::Resource>& resources) {
  auto parsed = wire::resourcesFromProto(resources, "resources");
  if (!parsed.ok() || parsed->empty()) return "-";
  return parsed->toString();
}

}  // namespace

int runWeightsCommand(const GlobalOptions& global, const std::vector<std::string>& assignments) {
  auto client = connect(global);
  if (!client.ok()) return reportError(client.status());
  if (assignments.empty()) {
    auto weights = (*client)->getWeights();
    if (!weights.ok()) return reportError("cannot read the weights", weights.status());
    TablePrinter table({{"ROLE"}, {"WEIGHT", TablePrinter::Align::kRight}});
    for (const auto& w : weights->weights()) table.addRow({w.role(), absl::StrCat(w.weight())});
    if (table.rowCount() == 0) {
      std::printf("every role weighs 1\n");
      return 0;
    }
    std::fputs(table.render().c_str(), stdout);
    return 0;
  }
  v1::SetWeightsRequest request;
  for (const std::string& a : assignments) {
    auto eq = a.find('=');
    char* end = nullptr;
    double weight = eq == std::string::npos ? 0 : std::strtod(a.c_str() + eq + 1, &end);
    if (eq == std::string::npos || eq == 0 || end == a.c_str() + eq + 1 || *end != '\0') {
      std::fprintf(stderr, "orchctl: '%s' is not ROLE=WEIGHT (e.g. eng=2)\n", a.c_str());
      return 2;
    }
    auto* w = request.add_weights();
    w->set_role(a.substr(0, eq));
    w->set_weight(weight);
  }
  if (auto s = (*client)->setWeights(request); !s.ok()) {
    return reportError("cannot set the weights", s);
  }
  std::printf("weights set\n");
  return 0;
}

int runQuotaCommand(const GlobalOptions& global, const QuotaOptions& options) {
  auto client = connect(global);
  if (!client.ok()) return reportError(client.status());
  if (options.action == QuotaOptions::Action::kGet) {
    auto quotas = (*client)->getQuota();
    if (!quotas.ok()) return reportError("cannot read the quotas", quotas.status());
    TablePrinter table({{"ROLE"}, {"GUARANTEE"}, {"LIMIT"}});
    for (const auto& q : quotas->quotas()) {
      table.addRow({q.role(), resourcesText(q.guarantee()), resourcesText(q.limit())});
    }
    if (table.rowCount() == 0) {
      std::printf("no role has a quota\n");
      return 0;
    }
    std::fputs(table.render().c_str(), stdout);
    return 0;
  }
  v1::SetQuotaRequest request;
  request.mutable_quota()->set_role(options.role);
  if (options.action == QuotaOptions::Action::kRemove) {
    request.set_remove(true);
  } else {
    for (auto [text, field] : {std::pair{&options.guarantee, "--guarantee"},
                               std::pair{&options.limit, "--limit"}}) {
      if (text->empty()) continue;
      auto parsed = core::Resources::parse(*text);
      if (!parsed.ok()) {
        std::fprintf(stderr, "orchctl: %s: %s\n", field, std::string(parsed.status().message()).c_str());
        return 2;
      }
      wire::resourcesToProto(*parsed, std::string(field) == "--guarantee"
                                          ? request.mutable_quota()->mutable_guarantee()
                                          : request.mutable_quota()->mutable_limit());
    }
    if (options.guarantee.empty() && options.limit.empty()) {
      std::fprintf(stderr, "orchctl: quota set needs --guarantee and/or --limit\n");
      return 2;
    }
  }
  if (auto s = (*client)->setQuota(request); !s.ok()) {
    return reportError(absl::StrCat("cannot set the quota of role ", options.role), s);
  }
  std::printf(options.action == QuotaOptions::Action::kRemove ? "quota removed\n" : "quota set\n");
  return 0;
}

}  // namespace orch::ctl
