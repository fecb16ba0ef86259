#include "cluster/local_cluster_launcher.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QThread>

#include <signal.h>
#include <sys/wait.h>

#include "common/tls/cert_authority.h"
#include "common/tls/grpc_tls.h"

namespace orch::console {

LocalClusterLauncher::LocalClusterLauncher(QObject* parent) : QObject(parent) {}

LocalClusterLauncher::~LocalClusterLauncher() {
  if (!keepRunning_) stop();
}

QString LocalClusterLauncher::defaultDataDir() {
  QString base = qEnvironmentVariable("XDG_DATA_HOME");
  if (base.isEmpty()) base = QDir::homePath() + QStringLiteral("/.local/share");
  return base + QStringLiteral("/orchestrator");
}

QString LocalClusterLauncher::ownBinDir() { return QCoreApplication::applicationDirPath(); }

bool LocalClusterLauncher::portFree(int port) {
  if (port <= 0) return false;
  QTcpServer server;
  return server.listen(QHostAddress::LocalHost, static_cast<quint16>(port));
}

int LocalClusterLauncher::freePort() {
  QTcpServer server;
  if (!server.listen(QHostAddress::LocalHost, 0)) return 0;
  return server.serverPort();
}

absl::StatusOr<qint64> LocalClusterLauncher::spawn(const QString& program, const QStringList& args,
                                                   const QString& logFile) {
  if (!QFileInfo(program).isExecutable()) {
    return absl::NotFoundError(tr("%1 was not found (the console looks for it beside itself).").arg(program).toStdString());
  }
  QProcess process;
  process.setProgram(program);
  process.setArguments(args);
  process.setStandardOutputFile(logFile, QIODevice::Append);
  process.setStandardErrorFile(logFile, QIODevice::Append);
  qint64 pid = -1;
  if (!process.startDetached(&pid)) {
    return absl::InternalError(tr("Cannot start %1: %2").arg(program, process.errorString()).toStdString());
  }
  return pid;
}

absl::StatusOr<client::ClientConfig> LocalClusterLauncher::start(const Options& options) {
  if (running()) return absl::FailedPreconditionError(tr("The local cluster is already running.").toStdString());
  const QString certs = options.dataDir + QStringLiteral("/certs");
  const QString logs = options.dataDir + QStringLiteral("/logs");
  if (!QDir().mkpath(certs) || !QDir().mkpath(logs) || !QDir().mkpath(options.dataDir + QStringLiteral("/agent"))) {
    return absl::PermissionDeniedError(tr("Cannot create the data directory %1.").arg(options.dataDir).toStdString());
  }
  const std::string certDir = certs.toStdString();
  if (!QFileInfo::exists(certs + QStringLiteral("/ca.crt"))) {
    if (absl::Status s = tls::createCertificateAuthority(certDir, "local"); !s.ok()) return s;
  }
  const std::pair<const char*, tls::CertRole> issued[] = {
      {"master", tls::CertRole::kMaster}, {"agent", tls::CertRole::kAgent}, {"operator", tls::CertRole::kOperator}};
  for (const auto& [name, role] : issued) {
    if (QFileInfo::exists(certs + QStringLiteral("/%1.crt").arg(QLatin1String(name)))) continue;
    if (absl::Status s = tls::issueCertificate(certDir, certDir, name, role); !s.ok()) return s;
  }

  const int masterPort = portFree(options.masterPort) ? options.masterPort : freePort();
  const int agentPort = portFree(options.agentPort) ? options.agentPort : freePort();
  if (masterPort == 0 || agentPort == 0) return absl::UnavailableError(tr("No free port on 127.0.0.1.").toStdString());
  masterAddress_ = QStringLiteral("127.0.0.1:%1").arg(masterPort);
  const QString agentAddress = QStringLiteral("127.0.0.1:%1").arg(agentPort);
  const QString bin = options.binDir;

  auto master = spawn(bin + QStringLiteral("/orch-master"),
                      {QStringLiteral("--listen"), masterAddress_, QStringLiteral("--http"), QString(),
                       QStringLiteral("--master-id"), QStringLiteral("local"), QStringLiteral("--ca"),
                       certs + QStringLiteral("/ca.crt"), QStringLiteral("--cert"), certs + QStringLiteral("/master.crt"),
                       QStringLiteral("--key"), certs + QStringLiteral("/master.key"), QStringLiteral("--data-dir"),
                       options.dataDir + QStringLiteral("/master")},
                      logs + QStringLiteral("/master.log"));
  if (!master.ok()) return master.status();
  masterPid_ = *master;
  QStringList agentArgs = {QStringLiteral("--master"), masterAddress_, QStringLiteral("--listen"), agentAddress,
                           QStringLiteral("--http"), QString(), QStringLiteral("--work-dir"),
                           options.dataDir + QStringLiteral("/agent"), QStringLiteral("--kill-tasks-on-exit"),
                           QStringLiteral("--ca"), certs + QStringLiteral("/ca.crt"), QStringLiteral("--cert"),
                           certs + QStringLiteral("/agent.crt"), QStringLiteral("--key"),
                           certs + QStringLiteral("/agent.key")};
  if (!options.cgroups) agentArgs << QStringLiteral("--no-cgroups");
  auto agent = spawn(bin + QStringLiteral("/orch-agent"), agentArgs, logs + QStringLiteral("/agent.log"));
  if (!agent.ok()) {
    stop();
    return agent.status();
  }
  agentPid_ = *agent;

  client::ClientConfig config;
  config.masters = {masterAddress_.toStdString()};
  config.tls = tls::tlsFilesIn(certDir, "operator");
  return config;
}

namespace {
// SIGTERM, wait up to `graceMs`, then SIGKILL. The processes are detached (reparented), so
// poll with kill(pid, 0).
void terminate(qint64 pid, int graceMs) {
  if (pid <= 0) return;
  const pid_t p = static_cast<pid_t>(pid);
  if (::kill(p, SIGTERM) != 0) return;
  for (int waited = 0; waited < graceMs; waited += 50) {
    (void)::waitpid(p, nullptr, WNOHANG);
    if (::kill(p, 0) != 0) return;
    QThread::msleep(50);
  }
  ::kill(p, SIGKILL);
}
}  // namespace

void LocalClusterLauncher::stop() {
  terminate(agentPid_, 10000);
  terminate(masterPid_, 5000);
  agentPid_ = -1;
  masterPid_ = -1;
}

}  // namespace orch::console
