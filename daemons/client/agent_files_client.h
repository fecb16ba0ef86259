// Reads task sandbox logs from an agent's AgentFiles service (mTLS with the client's TLS files).
// The agent endpoint is TaskRecord.agent_endpoint.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/client_context.h>
#include <grpcpp/security/credentials.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/tls/grpc_tls.h"
#include "orchestrator/v1/agent.grpc.pb.h"

namespace orch::client {

enum class LogStream { kStdout, kStderr };

// Returns false to stop reading.
using LogChunkCallback = std::function<bool(const orchestrator::v1::LogChunk& chunk)>;

class AgentFilesClient {
 public:
  // Loads the TLS files; errors name the file.
  static absl::StatusOr<std::unique_ptr<AgentFilesClient>> create(const tls::TlsFiles& files);
  explicit AgentFilesClient(std::shared_ptr<grpc::ChannelCredentials> credentials);

  // Streams a task's log from offset 0 to `callback`. With `follow`, keeps streaming until the
  // task ends (a chunk with eof), cancel() is called or the callback returns false. OK at the
  // end of the log; the agent's error otherwise (NotFound for an unknown task, ...).
  absl::Status readLog(const std::string& endpoint, const std::string& task_id, LogStream stream,
                       bool follow, const LogChunkCallback& callback);

  // Ends a readLog in progress on another thread (readLog then returns OK). Async-signal-unsafe.
  void cancel();

 private:
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::mutex mu_;
  grpc::ClientContext* active_ = nullptr;
  bool cancelled_ = false;
};

}  // namespace orch::client
