#include "client/agent_files_client.h"

#include "absl/strings/str_cat.h"
#include "client/client_config.h"
#include "client/rpc_status.h"

namespace orch::client {

namespace v1 = orchestrator::v1;

absl::StatusOr<std::unique_ptr<AgentFilesClient>> AgentFilesClient::create(const tls::TlsFiles& files) {
  auto creds = tls::makeChannelCredentials(files);
  if (!creds.ok()) {
    return absl::Status(creds.status().code(),
                        absl::StrCat("cannot load TLS files: ", creds.status().message()));
  }
  return std::make_unique<AgentFilesClient>(*std::move(creds));
}

AgentFilesClient::AgentFilesClient(std::shared_ptr<grpc::ChannelCredentials> credentials)
    : credentials_(std::move(credentials)) {}

absl::Status AgentFilesClient::readLog(const std::string& endpoint, const std::string& task_id,
                                       LogStream stream, bool follow,
                                       const LogChunkCallback& callback) {
  if (endpoint.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the agent endpoint of task ", task_id, " is unknown"));
  }
  if (absl::Status s = validateHostPort(endpoint); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("agent endpoint: ", s.message()));
  }
  const std::string peer = absl::StrCat("agent at ", endpoint);
  auto channel = tls::makeChannel(endpoint, credentials_);
  auto stub = v1::AgentFiles::NewStub(channel);

  v1::ReadLogRequest request;
  request.set_task_id(task_id);
  request.set_stream(stream == LogStream::kStderr ? "stderr" : "stdout");
  request.set_offset(0);
  request.set_follow(follow);

  grpc::ClientContext context;
  if (!follow) context.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
  {
    std::lock_guard lock(mu_);
    if (cancelled_) return absl::OkStatus();
    active_ = &context;
  }
  auto reader = stub->ReadLog(&context, request);
  v1::LogChunk chunk;
  bool stopped_by_callback = false;
  bool saw_eof = false;
  while (reader->Read(&chunk)) {
    if (!callback(chunk)) {
      stopped_by_callback = true;
      context.TryCancel();
      break;
    }
    saw_eof = saw_eof || chunk.eof();
  }
  const grpc::Status status = reader->Finish();
  bool cancelled = false;
  {
    std::lock_guard lock(mu_);
    active_ = nullptr;
    cancelled = cancelled_;
  }
  if (stopped_by_callback || cancelled || saw_eof) return absl::OkStatus();
  return fromGrpcStatus(status, peer);
}

void AgentFilesClient::cancel() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  if (active_ != nullptr) active_->TryCancel();
}

}  // namespace orch::client
