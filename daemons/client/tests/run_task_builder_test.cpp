// orchctl run's pure decisions: the command, the resources taken from an offer, exit codes.
#include <QtTest>

#include "ctl/run_task_builder.h"

namespace v1 = orchestrator::v1;
using orch::ctl::ResourceRequest;

namespace {

v1::Resource scalar(const std::string& name, double value, const std::string& role = "") {
  v1::Resource r;
  r.set_name(name);
  r.set_type(v1::Resource::SCALAR);
  r.mutable_scalar()->set_value(value);
  r.set_role(role);
  return r;
}

// "cpus:1;mem:64@eng" -> an offer with those scalars ("@role" marks a reservation).
v1::Offer offerOf(const QString& spec) {
  v1::Offer offer;
  offer.set_offer_id("o1");
  offer.set_agent_id("a1");
  offer.set_hostname("host1");
  for (const QString& item : spec.split(';', Qt::SkipEmptyParts)) {
    const QStringList role_split = item.split('@');
    const QStringList kv = role_split.front().split(':');
    *offer.add_resources() = scalar(kv[0].toStdString(), kv[1].toDouble(),
                                    role_split.size() > 1 ? role_split[1].toStdString() : "*");
  }
  return offer;
}

// The picked resources as "cpus:0.1@*;mem:32@*", in order.
QString describe(const std::vector<v1::Resource>& resources) {
  QStringList parts;
  for (const auto& r : resources) {
    parts << QString("%1:%2@%3").arg(QString::fromStdString(r.name())).arg(r.scalar().value())
                 .arg(QString::fromStdString(r.role()));
  }
  return parts.join(';');
}

v1::TaskStatus status(v1::TaskState state, std::optional<int> exit_code) {
  v1::TaskStatus s;
  s.set_task_id("run-00000001");
  s.set_state(state);
  if (exit_code) {
    s.set_has_exit_code(true);
    s.set_exit_code(*exit_code);
  }
  return s;
}

}  // namespace

class RunTaskBuilderTest : public QObject {
  Q_OBJECT

 private slots:
  void buildsCommands_data();
  void buildsCommands();
  void rejectsEmptyCommand();
  void picksResources_data();
  void picksResources();
  void makesTaskIds();
  void mapsExitCodes_data();
  void mapsExitCodes();
  void describesFinalStatus();
};

void RunTaskBuilderTest::buildsCommands_data() {
  QTest::addColumn<QStringList>("argv");
  QTest::addColumn<bool>("force_shell");
  QTest::addColumn<bool>("shell");
  QTest::addColumn<QString>("value");
  QTest::addColumn<QStringList>("arguments");
  QTest::newRow("argv") << QStringList{"echo", "hello world"} << false << false << "echo"
                        << QStringList{"echo", "hello world"};
  QTest::newRow("single word") << QStringList{"true"} << false << false << "true" << QStringList{"true"};
  QTest::newRow("single string with spaces") << QStringList{"echo hi | wc -c"} << false << true
                                             << "echo hi | wc -c" << QStringList{};
  QTest::newRow("forced shell joins words") << QStringList{"echo", "$HOME"} << true << true
                                            << "echo $HOME" << QStringList{};
}

void RunTaskBuilderTest::buildsCommands() {
  QFETCH(QStringList, argv);
  QFETCH(bool, force_shell);
  QFETCH(bool, shell);
  QFETCH(QString, value);
  QFETCH(QStringList, arguments);
  std::vector<std::string> args;
  for (const QString& a : argv) args.push_back(a.toStdString());
  auto command = orch::ctl::buildCommand(args, force_shell);
  QVERIFY(command.ok());
  QCOMPARE(command->shell(), shell);
  QCOMPARE(QString::fromStdString(command->value()), value);
  QStringList got;
  for (const auto& a : command->arguments()) got << QString::fromStdString(a);
  QCOMPARE(got, arguments);
}

void RunTaskBuilderTest::rejectsEmptyCommand() {
  QVERIFY(!orch::ctl::buildCommand({}, false).ok());
  QVERIFY(!orch::ctl::buildCommand({""}, false).ok());
}

void RunTaskBuilderTest::picksResources_data() {
  QTest::addColumn<QString>("offer");
  QTest::addColumn<double>("cpus");
  QTest::addColumn<double>("mem");
  QTest::addColumn<double>("disk");
  QTest::addColumn<QString>("role");
  QTest::addColumn<QString>("expected");  // picked resources, or "!" + part of the error

  QTest::newRow("fits") << "cpus:4;mem:1024;disk:100" << 0.1 << 32.0 << 0.0 << "*" << "cpus:0.1@*;mem:32@*";
  QTest::newRow("disk asked") << "cpus:4;mem:1024;disk:100" << 1.0 << 32.0 << 10.0 << "*"
                              << "cpus:1@*;mem:32@*;disk:10@*";
  QTest::newRow("exact thousandths") << "cpus:0.3;mem:32" << 0.3 << 32.0 << 0.0 << "*"
                                     << "cpus:0.3@*;mem:32@*";
  QTest::newRow("too few cpus") << "cpus:0.05;mem:1024" << 0.1 << 32.0 << 0.0 << "*"
                                << "!cpus 0.1 wanted, 0.05 offered";
  QTest::newRow("no mem") << "cpus:1" << 0.1 << 32.0 << 0.0 << "*" << "!mem 32 MB wanted, 0 MB offered";
  QTest::newRow("reservation first") << "cpus:1;cpus:0.5@eng;mem:64" << 1.0 << 32.0 << 0.0 << "eng"
                                     << "cpus:0.5@eng;cpus:0.5@*;mem:32@*";
  QTest::newRow("other role's reservation is not ours") << "cpus:2@ops;mem:64" << 1.0 << 32.0 << 0.0 << "*"
                                                        << "!cpus 1 wanted, 0 offered";
  QTest::newRow("split across entries") << "mem:20;mem:20" << 0.0 << 32.0 << 0.0 << "*" << "mem:20@*;mem:12@*";
}

void RunTaskBuilderTest::picksResources() {
  QFETCH(QString, offer);
  QFETCH(double, cpus);
  QFETCH(double, mem);
  QFETCH(double, disk);
  QFETCH(QString, role);
  QFETCH(QString, expected);
  auto picked = orch::ctl::pickResources(offerOf(offer), ResourceRequest{cpus, mem, disk, role.toStdString()});
  if (expected.startsWith('!')) {
    QVERIFY(!picked.ok());
    QCOMPARE(picked.status().code(), absl::StatusCode::kResourceExhausted);
    const QString message = QString::fromStdString(std::string(picked.status().message()));
    QVERIFY2(message.contains(expected.mid(1)), qPrintable(message));
    QVERIFY2(message.contains("host1"), qPrintable(message));
  } else {
    QVERIFY2(picked.ok(), std::string(picked.status().message()).c_str());
    QCOMPARE(describe(*picked), expected);
  }
}

void RunTaskBuilderTest::makesTaskIds() {
  QCOMPARE(QString::fromStdString(orch::ctl::makeRunTaskId(0xab12cd34u)), QString("run-ab12cd34"));
  QCOMPARE(QString::fromStdString(orch::ctl::makeRunTaskId(1)), QString("run-00000001"));
}

void RunTaskBuilderTest::mapsExitCodes_data() {
  QTest::addColumn<int>("state");
  QTest::addColumn<int>("exit_code");  // -1 = none
  QTest::addColumn<int>("expected");
  QTest::addColumn<bool>("terminal");
  QTest::newRow("finished 0") << int(v1::TASK_FINISHED) << 0 << 0 << true;
  QTest::newRow("finished without code") << int(v1::TASK_FINISHED) << -1 << 0 << true;
  QTest::newRow("failed 3") << int(v1::TASK_FAILED) << 3 << 3 << true;
  QTest::newRow("failed 0 is still failure") << int(v1::TASK_FAILED) << 0 << 1 << true;
  QTest::newRow("failed 300 wraps") << int(v1::TASK_FAILED) << 300 << 44 << true;
  QTest::newRow("failed without code") << int(v1::TASK_FAILED) << -1 << 1 << true;
  QTest::newRow("killed") << int(v1::TASK_KILLED) << 143 << 1 << true;
  QTest::newRow("lost") << int(v1::TASK_LOST) << -1 << 1 << true;
  QTest::newRow("error") << int(v1::TASK_ERROR) << -1 << 1 << true;
  QTest::newRow("running") << int(v1::TASK_RUNNING) << -1 << 1 << false;
  QTest::newRow("unreachable") << int(v1::TASK_UNREACHABLE) << -1 << 1 << false;
}

void RunTaskBuilderTest::mapsExitCodes() {
  QFETCH(int, state);
  QFETCH(int, exit_code);
  QFETCH(int, expected);
  QFETCH(bool, terminal);
  const auto s = status(static_cast<v1::TaskState>(state),
                        exit_code < 0 ? std::nullopt : std::optional<int>(exit_code));
  QCOMPARE(orch::ctl::exitCodeFor(s), expected);
  QCOMPARE(orch::ctl::isTerminalState(s.state()), terminal);
}

void RunTaskBuilderTest::describesFinalStatus() {
  QCOMPARE(QString::fromStdString(orch::ctl::describeFinalStatus(status(v1::TASK_FINISHED, 0))),
           QString("task run-00000001 TASK_FINISHED exit code 0"));
  auto oom = status(v1::TASK_FAILED, std::nullopt);
  oom.set_reason(v1::TaskStatus::REASON_CONTAINER_LIMITATION_MEMORY);
  oom.set_message("memory limit 32 MB reached");
  QCOMPARE(QString::fromStdString(orch::ctl::describeFinalStatus(oom)),
           QString("task run-00000001 TASK_FAILED (no exit code), reason "
                   "REASON_CONTAINER_LIMITATION_MEMORY: memory limit 32 MB reached"));
}

QTEST_APPLESS_MAIN(RunTaskBuilderTest)
#include "run_task_builder_test.moc"
