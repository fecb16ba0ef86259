#include "agent/agent_files_service.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "agent/containerizer/task_id.h"

namespace orch::agent {

namespace v1 = orchestrator::v1;


grpc::Status AgentFilesService::ReadLog(grpc::ServerContext* ctx, const v1::ReadLogRequest* request,
                                        grpc::ServerWriter<v1::LogChunk>* writer) {
  // The containerizer's rule: the id names the sandbox directory read below.
  if (absl::Status valid = validateTaskId(request->task_id()); !valid.ok()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        absl::StrCat("task_id: ", valid.message()));
  }
  const std::string stream = request->stream().empty() ? "stdout" : request->stream();
  if (stream != "stdout" && stream != "stderr") {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "stream: must be stdout or stderr");
  }
  const std::string path =
      agent_.workDir() + "/sandboxes/" + request->task_id() + "/" + stream;
  const int64_t chunk = request->length() > 0 ? std::min<int64_t>(request->length(), 1 << 20) : 64 << 10;

  int fd = -1;
  ino_t inode = 0;
  int64_t offset = request->offset();
  auto open_file = [&]() -> bool {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct stat st {};
    fstat(fd, &st);
    inode = st.st_ino;
    if (offset < 0) offset = std::max<int64_t>(0, st.st_size - chunk);
    if (offset > st.st_size) offset = st.st_size;
    return true;
  };
  // Wait briefly for a just-launched task's sandbox.
  for (int i = 0; i < 50 && !open_file(); ++i) {
    if (!request->follow() || ctx->IsCancelled()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (fd < 0) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("no ", stream, " for task '", request->task_id(), "' on this agent"));
  }

  std::string buf(static_cast<size_t>(chunk), '\0');
  while (!ctx->IsCancelled()) {
    ssize_t n = ::pread(fd, buf.data(), buf.size(), offset);
    if (n > 0) {
      v1::LogChunk out;
      out.set_offset(offset);
      out.set_data(buf.data(), static_cast<size_t>(n));
      offset += n;
      if (!writer->Write(out)) break;
      continue;
    }
    if (!request->follow()) break;
    // Ended and drained? The supervisor closes the file when the task ends.
    bool ended = agent_.hasEnded(request->task_id()) || !agent_.isKnownTask(request->task_id());
    struct stat now {};
    if (::stat(path.c_str(), &now) == 0 && now.st_ino != inode) {
      // Rotated: the old file is complete; continue with the new one from its start.
      ::close(fd);
      offset = 0;
      if (!open_file()) break;
      continue;
    }
    if (ended) {
      ssize_t tail = ::pread(fd, buf.data(), buf.size(), offset);
      if (tail > 0) continue;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::close(fd);
  v1::LogChunk eof;
  eof.set_offset(offset);
  eof.set_eof(true);
  writer->Write(eof);
  return grpc::Status::OK;
}

}  // namespace orch::agent
