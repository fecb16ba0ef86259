// Integration tests of the cluster core: a real orch-master and two real orch-agents on
// loopback, real processes and cgroups, the real client library over mTLS.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <QtTest>
#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "client/agent_files_client.h"
#include "client/operator_client.h"
#include "common/tls/grpc_tls.h"
#include "local_cluster.h"
#include "orchestrator/v1/operator.grpc.pb.h"
#include "orchestrator/v1/scheduler.grpc.pb.h"
#include "test_framework.h"

namespace v1 = orchestrator::v1;
using orch::testing::LocalCluster;
using orch::testing::TestFramework;

namespace {

// Processes whose command line starts with `marker` (so not the shell that runs them).
int countProcesses(const std::string& marker) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (std::stoi(name) == getpid()) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmd((std::istreambuf_iterator<char>(in)), {});
    for (char& c : cmd) {
      if (c == '\0') c = ' ';
    }
    if (cmd.rfind(marker, 0) == 0) {
      count++;
    }
  }
  return count;
}

}  // namespace

class ClusterTest : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    LocalCluster::Options options;
    options.agents = 2;
    options.cgroups = geteuid() == 0;
    auto started = cluster_.start(options);
    QVERIFY2(started.ok(), std::string(started.message()).c_str());
    auto client = orch::client::OperatorClient::create(cluster_.operatorConfig());
    QVERIFY2(client.ok(), std::string(client.status().message()).c_str());
    operator_ = *std::move(client);
  }

  void cleanupTestCase() {
    operator_.reset();
    cluster_.stop();
  }

  void launchesHundredTasksWithTheirExitCodes() {
    TestFramework framework(cluster_.frameworkConfig(), "hundred");
    QVERIFY(framework.subscribe().ok());
    std::vector<v1::TaskInfo> tasks;
    for (int i = 0; i < 100; ++i) {
      // Every fifth task fails with its own exit code; the rest print and succeed.
      std::string cmd = i % 5 == 0 ? absl::StrCat("exit ", 1 + i % 50) : absl::StrCat("echo task-", i);
      tasks.push_back(TestFramework::shellTask(absl::StrCat("t", i), cmd));
    }
    auto launched = framework.launch(tasks, 60);
    QVERIFY2(launched.ok(), std::string(launched.message()).c_str());
    std::set<std::string> agents;
    for (int i = 0; i < 100; ++i) {
      auto status = framework.waitForTerminal(absl::StrCat("t", i), 60);
      QVERIFY2(status.has_value(), absl::StrCat("no final state for t", i).c_str());
      agents.insert(status->agent_id());
      if (i % 5 == 0) {
        QCOMPARE(status->state(), v1::TASK_FAILED);
        QVERIFY(status->has_exit_code());
        QCOMPARE(status->exit_code(), 1 + i % 50);
        QCOMPARE(status->reason(), v1::TaskStatus::REASON_COMMAND_EXITED);
      } else {
        QCOMPARE(status->state(), v1::TASK_FINISHED);
        QCOMPARE(status->exit_code(), 0);
      }
      // Each task reported RUNNING before its end, and exactly one terminal update.
      auto updates = framework.updates(absl::StrCat("t", i));
      int terminal = 0;
      for (const auto& u : updates) terminal += TestFramework::isTerminal(u.state()) ? 1 : 0;
      QCOMPARE(terminal, 1);
    }
    QCOMPARE(static_cast<int>(agents.size()), 2);  // both agents were used
    // The master's books agree.
    auto tasks_now = operator_->getTasks();
    QVERIFY(tasks_now.ok());
    int finished = 0;
    for (const auto& t : tasks_now->completed_tasks()) {
      if (t.framework_id() == framework.frameworkId() && t.state() == v1::TASK_FINISHED) finished++;
    }
    QCOMPARE(finished, 80);
  }

  void taskOutputIsInItsSandbox() {
    TestFramework framework(cluster_.frameworkConfig(), "logs");
    QVERIFY(framework.subscribe().ok());
    QVERIFY(framework.launch({TestFramework::shellTask("echo-hello", "echo hello; echo oops >&2")}).ok());
    auto status = framework.waitForTerminal("echo-hello");
    QVERIFY(status.has_value());
    QCOMPARE(status->state(), v1::TASK_FINISHED);
    bool found = false;
    for (int i = 0; i < 2 && !found; ++i) {
      std::ifstream out(cluster_.agentWorkDir(i) + "/sandboxes/echo-hello/stdout");
      std::string text((std::istreambuf_iterator<char>(out)), {});
      if (text == "hello\n") found = true;
    }
    QVERIFY(found);
  }

  // The agent's files service (what `orchctl logs` and the console read): a whole log, a
  // followed log that only ends with its task, a follower that leaves, and clear errors.
  void agentServesAndFollowsLogs() {
    TestFramework framework(cluster_.frameworkConfig(), "files");
    QVERIFY(framework.subscribe().ok());
    QVERIFY(framework.launch({TestFramework::shellTask("follow-me", "echo one; sleep 1; echo two; echo err >&2"),
                              TestFramework::shellTask("never-ends", "echo first; sleep 1003.5")})
                .ok());
    QVERIFY(framework.waitForState("follow-me", v1::TASK_RUNNING).has_value());
    QVERIFY(framework.waitForState("never-ends", v1::TASK_RUNNING).has_value());
    auto endpointOf = [&](const std::string& task_id) {
      v1::GetTasksRequest request;
      request.set_task_id(task_id);
      auto tasks = operator_->getTasks(request);
      std::string endpoint;
      if (!tasks.ok()) return endpoint;
      for (const auto& t : tasks->tasks()) endpoint = t.agent_endpoint();
      for (const auto& t : tasks->completed_tasks()) endpoint = t.agent_endpoint();
      return endpoint;
    };
    const std::string endpoint = endpointOf("follow-me");
    QVERIFY(!endpoint.empty());
    auto files = orch::client::AgentFilesClient::create(cluster_.operatorConfig().tls);
    QVERIFY2(files.ok(), std::string(files.status().message()).c_str());

    // Following from the start: the second line only arrives by waiting, then the end mark.
    std::string text;
    bool eof = false;
    absl::Status read = (*files)->readLog(endpoint, "follow-me", orch::client::LogStream::kStdout, true,
                                          [&](const v1::LogChunk& c) {
                                            text += c.data();
                                            eof = eof || c.eof();
                                            return true;
                                          });
    QVERIFY2(read.ok(), read.ToString().c_str());
    QCOMPARE(text, std::string("one\ntwo\n"));
    QVERIFY(eof);
    auto end = framework.waitForTerminal("follow-me");
    QVERIFY(end.has_value());
    QCOMPARE(end->state(), v1::TASK_FINISHED);

    // Not following: what is there now.
    text.clear();
    read = (*files)->readLog(endpoint, "follow-me", orch::client::LogStream::kStderr, false,
                             [&](const v1::LogChunk& c) {
                               text += c.data();
                               return true;
                             });
    QVERIFY2(read.ok(), read.ToString().c_str());
    QCOMPARE(text, std::string("err\n"));

    // A follower of a task that does not end leaves when it wants to: promptly, without error.
    const std::string endpoint2 = endpointOf("never-ends");
    QVERIFY(!endpoint2.empty());
    text.clear();
    const auto started = std::chrono::steady_clock::now();
    read = (*files)->readLog(endpoint2, "never-ends", orch::client::LogStream::kStdout, true,
                             [&](const v1::LogChunk& c) {
                               text += c.data();
                               return text.find("first") == std::string::npos;
                             });
    QVERIFY2(read.ok(), read.ToString().c_str());
    QCOMPARE(text, std::string("first\n"));
    QVERIFY(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
    QVERIFY(framework.session().kill("never-ends", "").ok());
    QVERIFY(framework.waitForTerminal("never-ends", 10).has_value());

    // Errors name what is wrong.
    read = (*files)->readLog(endpoint, "../../etc", orch::client::LogStream::kStdout, false,
                             [](const v1::LogChunk&) { return true; });
    QCOMPARE(read.code(), absl::StatusCode::kInvalidArgument);
    QVERIFY2(absl::StrContains(read.message(), "task_id"), read.ToString().c_str());
    read = (*files)->readLog(endpoint, "no-such-task", orch::client::LogStream::kStdout, false,
                             [](const v1::LogChunk&) { return true; });
    QCOMPARE(read.code(), absl::StatusCode::kNotFound);
    QVERIFY2(absl::StrContains(read.message(), "no-such-task"), read.ToString().c_str());
  }

  // LAUNCH_GROUP: the group's tasks start together and are all reported, each RUNNING before
  // its end (also a member that ends before the rest of its group has started); when one
  // member cannot start, the members that did are killed at once.
  void taskGroupsAreAllOrNothing() {
    TestFramework framework(cluster_.frameworkConfig(), "groups");
    QVERIFY(framework.subscribe().ok());
    auto launchGroup = [&](const std::vector<v1::TaskInfo>& tasks) -> absl::Status {
      auto offer = framework.takeOffer(10);
      if (!offer) return absl::DeadlineExceededError("no offer");
      v1::Call::Operation op;
      op.set_type(v1::Call::Operation::LAUNCH_GROUP);
      for (const auto& t : tasks) *op.mutable_launch_group()->mutable_task_group()->add_tasks() = t;
      v1::Filters filters;
      filters.set_refuse_seconds(0);
      return framework.session().accept({offer->offer_id()}, {op}, filters);
    };
    auto statesOf = [&](const std::string& id) {
      std::vector<v1::TaskState> states;
      for (const auto& u : framework.updates(id)) {
        if (states.empty() || states.back() != u.state()) states.push_back(u.state());
      }
      return states;
    };

    // A whole group; "quick" ends while the rest of its group is still starting.
    std::vector<v1::TaskInfo> group = {TestFramework::shellTask("group-quick", "true", 0.01, 8)};
    std::vector<std::string> ids = {"group-quick"};
    for (int i = 0; i < 12; ++i) {
      ids.push_back("group-member-" + std::to_string(i));
      group.push_back(TestFramework::shellTask(ids.back(), "sleep 0.3", 0.01, 8));
    }
    absl::Status accepted = launchGroup(group);
    QVERIFY2(accepted.ok(), accepted.ToString().c_str());
    for (const std::string& name : ids) {
      const char* id = name.c_str();
      auto end = framework.waitForTerminal(id, 20);
      QVERIFY2(end.has_value(), id);
      QCOMPARE(end->state(), v1::TASK_FINISHED);
      QTest::qWait(200);  // nothing may follow the end
      const std::vector<v1::TaskState> states = statesOf(id);
      QVERIFY2(states.size() >= 2, id);
      QCOMPARE(states.back(), v1::TASK_FINISHED);
      QCOMPARE(states[states.size() - 2], v1::TASK_RUNNING);
    }

    // A member that cannot start (an image no registry has): the one started before it is killed.
    v1::TaskInfo broken = TestFramework::shellTask("group-broken", "true");
    broken.mutable_container()->set_type(v1::ContainerInfo::DOCKER);
    broken.mutable_container()->mutable_docker()->set_image("orch-test/no-such-image:never");
    accepted = launchGroup({TestFramework::shellTask("group-victim", "sleep 1004.5"), broken});
    QVERIFY2(accepted.ok(), accepted.ToString().c_str());
    auto failed = framework.waitForTerminal("group-broken", 60);
    QVERIFY(failed.has_value());
    QCOMPARE(failed->state(), v1::TASK_FAILED);
    QCOMPARE(failed->reason(), v1::TaskStatus::REASON_CONTAINER_LAUNCH_FAILED);
    auto victim = framework.waitForTerminal("group-victim", 20);
    QVERIFY(victim.has_value());
    QCOMPARE(victim->state(), v1::TASK_KILLED);
    QTRY_COMPARE_WITH_TIMEOUT(countProcesses("sleep 1004.5"), 0, 5000);
  }

  void killIsGracefulThenForced() {
    TestFramework framework(cluster_.frameworkConfig(), "kills");
    QVERIFY(framework.subscribe().ok());
    // Exits cleanly on SIGTERM.
    auto polite = TestFramework::shellTask("polite", "trap 'exit 0' TERM; sleep 1001.5 & wait", 0.1, 32, 5);
    // Ignores SIGTERM: needs SIGKILL after its grace period.
    auto stubborn = TestFramework::shellTask("stubborn", "trap '' TERM; sleep 1002.5; sleep 1002.5", 0.1, 32, 0.5);
    QVERIFY(framework.launch({polite, stubborn}).ok());
    QVERIFY(framework.waitForState("polite", v1::TASK_RUNNING).has_value());
    QVERIFY(framework.waitForState("stubborn", v1::TASK_RUNNING).has_value());
    QTRY_VERIFY_WITH_TIMEOUT(countProcesses("sleep 1002.5") == 1, 5000);

    auto started = std::chrono::steady_clock::now();
    QVERIFY(framework.session().kill("polite", "").ok());
    auto end = framework.waitForTerminal("polite", 10);
    QVERIFY(end.has_value());
    QCOMPARE(end->state(), v1::TASK_KILLED);
    QVERIFY(std::chrono::steady_clock::now() - started < std::chrono::seconds(4));  // not the 5 s grace

    started = std::chrono::steady_clock::now();
    QVERIFY(framework.session().kill("stubborn", "").ok());
    end = framework.waitForTerminal("stubborn", 10);
    QVERIFY(end.has_value());
    QCOMPARE(end->state(), v1::TASK_KILLED);
    QVERIFY(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(400));
    // No orphans: the whole process group is gone.
    QTRY_COMPARE_WITH_TIMEOUT(countProcesses("sleep 1002.5"), 0, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(countProcesses("sleep 1001.5"), 0, 5000);
  }

  void tasksSurviveAnAgentRestart() {
    TestFramework framework(cluster_.frameworkConfig(), "restart");
    QVERIFY(framework.subscribe().ok());
    auto agents = operator_->getAgents();
    QVERIFY(agents.ok());
    std::string agent0;
    for (const auto& a : agents->agents()) {
      if (a.agent_info().hostname() == "agent0") agent0 = a.agent_info().agent_id();
    }
    QVERIFY(!agent0.empty());
    std::vector<v1::TaskInfo> tasks = {
        TestFramework::shellTask("survivor", "sleep 3; echo done"),
        TestFramework::shellTask("ends-while-down", "sleep 1; exit 9"),
    };
    QVERIFY(framework.launch(tasks, 30, agent0).ok());
    QVERIFY(framework.waitForState("survivor", v1::TASK_RUNNING).has_value());
    QVERIFY(framework.waitForState("ends-while-down", v1::TASK_RUNNING).has_value());

    cluster_.killAgent(0);
    QTest::qWait(1500);  // "ends-while-down" exits while its agent is gone
    QVERIFY(cluster_.startAgent(0).ok());

    auto down = framework.waitForTerminal("ends-while-down", 20);
    QVERIFY(down.has_value());
    QCOMPARE(down->state(), v1::TASK_FAILED);
    QCOMPARE(down->exit_code(), 9);
    auto survivor = framework.waitForTerminal("survivor", 20);
    QVERIFY(survivor.has_value());
    QCOMPARE(survivor->state(), v1::TASK_FINISHED);
    QCOMPARE(survivor->exit_code(), 0);
    for (const auto& u : framework.updates("survivor")) QVERIFY(u.state() != v1::TASK_LOST);
    QVERIFY(cluster_.waitForAgents(2).ok());
  }

  void oomKillIsReportedAsMemoryLimit() {
    if (geteuid() != 0) QSKIP("needs root to create memory cgroups");
    TestFramework framework(cluster_.frameworkConfig(), "oom");
    QVERIFY(framework.subscribe().ok());
    QVERIFY(framework.launch({TestFramework::shellTask("hog", "head -c 300000000 /dev/zero | tail", 0.1, 32)}).ok());
    auto end = framework.waitForTerminal("hog", 30);
    QVERIFY(end.has_value());
    QCOMPARE(end->state(), v1::TASK_FAILED);
    QCOMPARE(end->reason(), v1::TaskStatus::REASON_CONTAINER_LIMITATION_MEMORY);
    QVERIFY2(QString::fromStdString(end->message()).contains("emory"), end->message().c_str());
  }

  void uncertifiedClientsAreRefused() {
    // No client certificate at all.
    auto ssl = grpc::SslCredentials(grpc::SslCredentialsOptions{readFile(cluster_.certDir() + "/ca.crt"), "", ""});
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto anonymous = v1::Operator::NewStub(grpc::CreateCustomChannel(cluster_.masterAddress(), ssl, args));
    grpc::ClientContext ctx1;
    ctx1.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    v1::GetState state;
    QVERIFY(!anonymous->GetState(&ctx1, v1::GetStateRequest{}, &state).ok());

    // Plain text.
    auto plain = v1::Operator::NewStub(
        grpc::CreateChannel(cluster_.masterAddress(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx2;
    ctx2.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    QVERIFY(!plain->GetState(&ctx2, v1::GetStateRequest{}, &state).ok());

    // A certificate from another CA.
    auto rogue = orch::client::OperatorClient::create(cluster_.rogueConfig());
    if (rogue.ok()) QVERIFY(!(*rogue)->getState().ok());

    // A framework certificate may read but not act.
    auto framework_client = orch::client::OperatorClient::create(cluster_.frameworkConfig());
    QVERIFY(framework_client.ok());
    QVERIFY((*framework_client)->getState().ok());
    auto denied = (*framework_client)->reactivateAgent("nope");
    QCOMPARE(static_cast<int>(denied.code()), static_cast<int>(absl::StatusCode::kPermissionDenied));

    // And the master still serves certified clients.
    QVERIFY(operator_->getState().ok());
  }

  void malformedRequestsGetClearErrors_data() {
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no framework id") << "no-framework" << "framework_id";
    QTest::newRow("unknown offer") << "unknown-offer" << "offer_ids[0]";
    QTest::newRow("empty task id") << "empty-task-id" << "task_id";
    QTest::newRow("bad task id") << "bad-task-id" << "task_id";
    QTest::newRow("too many resources") << "too-big" << "resources";
    QTest::newRow("negative resources") << "negative" << "scalar.value";
    QTest::newRow("no command") << "no-command" << "command";
    QTest::newRow("duplicate task ids") << "duplicate" << "already in use";
    QTest::newRow("bad role") << "bad-role" << "roles[0]";
    QTest::newRow("bad refuse") << "bad-refuse" << "refuse_seconds";
  }

  void malformedRequestsGetClearErrors() {
    QFETCH(QString, what);
    QFETCH(QString, expected);
    const std::string w = what.toStdString();
    auto creds = orch::tls::makeChannelCredentials(cluster_.frameworkConfig().tls);
    QVERIFY(creds.ok());
    auto stub = v1::Scheduler::NewStub(orch::tls::makeChannel(cluster_.masterAddress(), *creds));

    grpc::Status status;
    if (w == "bad-role") {
      v1::SubscribeRequest request;
      request.mutable_framework_info()->add_roles("../etc");
      grpc::ClientContext ctx;
      auto reader = stub->Subscribe(&ctx, request);
      v1::Event event;
      while (reader->Read(&event)) {
      }
      status = reader->Finish();
    } else if (w == "no-framework") {
      grpc::ClientContext ctx;
      v1::Call call;
      call.set_type(v1::Call::REVIVE);
      v1::CallResponse response;
      status = stub->Call(&ctx, call, &response);
    } else {
      TestFramework framework(cluster_.frameworkConfig(), "malformed");
      QVERIFY(framework.subscribe().ok());
      // Take a real offer.
      std::string offer_id;
      v1::Call call;
      call.set_framework_id(framework.frameworkId());
      call.set_type(v1::Call::ACCEPT);
      auto* op = call.mutable_accept()->add_operations();
      op->set_type(v1::Call::Operation::LAUNCH);
      auto task = TestFramework::shellTask("ok-id", "true");
      if (w == "unknown-offer") {
        call.mutable_accept()->add_offer_ids("no-such-offer");
      } else {
        auto offer = framework.takeOffer(10);
        QVERIFY(offer.has_value());
        offer_id = offer->offer_id();
        call.mutable_accept()->add_offer_ids(offer_id);
      }
      if (w == "empty-task-id") task.set_task_id("");
      if (w == "bad-task-id") task.set_task_id("../../etc");
      if (w == "too-big") task.mutable_resources(0)->mutable_scalar()->set_value(1000);
      if (w == "negative") task.mutable_resources(1)->mutable_scalar()->set_value(-5);
      if (w == "no-command") task.clear_command();
      *op->mutable_launch()->add_task_infos() = task;
      if (w == "duplicate") *op->mutable_launch()->add_task_infos() = task;
      if (w == "bad-refuse") call.mutable_accept()->mutable_filters()->set_refuse_seconds(-1);
      grpc::ClientContext ctx;
      v1::CallResponse response;
      status = stub->Call(&ctx, call, &response);
    }
    QVERIFY(!status.ok());
    QVERIFY2(QString::fromStdString(status.error_message()).contains(expected),
             status.error_message().c_str());
    QVERIFY(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    // The master keeps serving.
    QVERIFY(operator_->getState().ok());
  }

  void garbageBytesDoNotHurtTheMaster() {
    // A raw, non-protobuf payload on a real method.
    auto creds = orch::tls::makeChannelCredentials(cluster_.frameworkConfig().tls);
    QVERIFY(creds.ok());
    auto channel = orch::tls::makeChannel(cluster_.masterAddress(), *creds);
    grpc::GenericStub generic(channel);
    const char junk[] = "\xff\xff\xff\xff\x0f garbage that is not protobuf";
    grpc::Slice slice(junk, sizeof junk - 1);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    generic.UnaryCall(&ctx, "/orchestrator.v1.Scheduler/Call", grpc::StubOptions(), &request,
                      &response, [&](grpc::Status s) {
                        std::lock_guard<std::mutex> lock(mu);
                        status = s;
                        done = true;
                        cv.notify_all();
                      });
    std::unique_lock<std::mutex> lock(mu);
    QVERIFY(cv.wait_for(lock, std::chrono::seconds(10), [&] { return done; }));
    QVERIFY(!status.ok());
    QVERIFY(operator_->getState().ok());
  }

  void unreachableAgentsTasksComeBack() {
    TestFramework framework(cluster_.frameworkConfig(), "unreachable");
    QVERIFY(framework.subscribe().ok());
    auto agents = operator_->getAgents();
    std::string agent1;
    for (const auto& a : agents->agents()) {
      if (a.agent_info().hostname() == "agent1") agent1 = a.agent_info().agent_id();
    }
    // Long enough to outlive the pause and the re-registration even on a loaded CI machine
    // (with 6 s it could end before the agent came back: then no RUNNING is re-reported).
    QVERIFY(framework.launch({TestFramework::shellTask("patient", "sleep 15")}, 30, agent1).ok());
    QVERIFY(framework.waitForState("patient", v1::TASK_RUNNING).has_value());
    cluster_.pauseAgent(1);
    auto unreachable = framework.waitForState("patient", v1::TASK_UNREACHABLE, 10);
    cluster_.resumeAgent(1);
    QVERIFY(unreachable.has_value());
    QCOMPARE(unreachable->reason(), v1::TaskStatus::REASON_AGENT_UNREACHABLE);
    // Once the agent re-registers, the task is running again and then finishes normally.
    auto back = framework.waitFor("patient", [](const v1::TaskStatus& s) {
      return s.state() == v1::TASK_RUNNING && s.reason() == v1::TaskStatus::REASON_RECONCILIATION;
    }, 15);
    if (!back.has_value()) {
      std::string seen;
      for (const auto& s : framework.updates("patient")) {
        seen += absl::StrCat(v1::TaskState_Name(s.state()), "/", v1::TaskStatus::Reason_Name(s.reason()), " ");
      }
      QFAIL(absl::StrCat("no RUNNING/REASON_RECONCILIATION after the agent came back; updates: ", seen,
                         "(logs in ", cluster_.dir(), ")").c_str());
    }
    auto end = framework.waitForTerminal("patient", 30);
    QVERIFY(end.has_value());
    QCOMPARE(end->state(), v1::TASK_FINISHED);
  }

  void drainAndReactivate() {
    auto agents = operator_->getAgents();
    QVERIFY(agents.ok());
    std::string agent1;
    for (const auto& a : agents->agents()) {
      if (a.agent_info().hostname() == "agent1") agent1 = a.agent_info().agent_id();
    }
    TestFramework framework(cluster_.frameworkConfig(), "drain");
    QVERIFY(framework.subscribe().ok());
    QVERIFY(framework.launch({TestFramework::shellTask("drained", "sleep 100", 0.1, 32, 1)}, 30, agent1).ok());
    QVERIFY(framework.waitForState("drained", v1::TASK_RUNNING).has_value());
    v1::DrainAgentRequest drain;
    drain.set_agent_id(agent1);
    QVERIFY(operator_->drainAgent(drain).ok());
    auto end = framework.waitForTerminal("drained", 10);
    QVERIFY(end.has_value());
    QCOMPARE(end->state(), v1::TASK_KILLED);
    QTRY_VERIFY_WITH_TIMEOUT(agentStatus(agent1) == v1::AgentState::DRAINED, 5000);
    QVERIFY(operator_->reactivateAgent(agent1).ok());
    QCOMPARE(agentStatus(agent1), v1::AgentState::ACTIVE);
    auto again = operator_->reactivateAgent(agent1);
    QVERIFY(!again.ok());
  }

  void weightsAndQuotaAreSetAndRead() {
    v1::SetWeightsRequest weights;
    auto* w = weights.add_weights();
    w->set_role("eng");
    w->set_weight(2.5);
    QVERIFY(operator_->setWeights(weights).ok());
    auto read = operator_->getWeights();
    QVERIFY(read.ok());
    QCOMPARE(read->weights_size(), 1);
    QCOMPARE(read->weights(0).weight(), 2.5);
    w->set_weight(0);
    auto bad = operator_->setWeights(weights);
    QVERIFY(!bad.ok());
    QVERIFY(QString::fromStdString(std::string(bad.message())).contains("weights[0].weight"));

    v1::SetQuotaRequest quota;
    quota.mutable_quota()->set_role("eng");
    auto* limit = quota.mutable_quota()->add_limit();
    limit->set_name("cpus");
    limit->mutable_scalar()->set_value(1.5);
    QVERIFY(operator_->setQuota(quota).ok());
    auto quotas = operator_->getQuota();
    QVERIFY(quotas.ok());
    QCOMPARE(quotas->quotas_size(), 1);
    QCOMPARE(quotas->quotas(0).limit(0).scalar().value(), 1.5);
    // A framework of that role never holds more than the limit.
    TestFramework framework(cluster_.frameworkConfig(), "limited");
    QVERIFY(framework.subscribe(0, {"eng"}).ok());
    auto offer = framework.takeOffer(10);
    QVERIFY(offer.has_value());
    double cpus = 0;
    for (const auto& r : offer->resources()) {
      if (r.name() == "cpus") cpus += r.scalar().value();
    }
    QVERIFY2(cpus <= 1.5 + 1e-9, std::to_string(cpus).c_str());
    quota.set_remove(true);
    QVERIFY(operator_->setQuota(quota).ok());
    // Framework-role certificates may not change them.
    auto framework_client = orch::client::OperatorClient::create(cluster_.frameworkConfig());
    QVERIFY(framework_client.ok());
    QCOMPARE((*framework_client)->setWeights(weights).code(), absl::StatusCode::kPermissionDenied);
  }

  void operatorStreamSeesTasks() {
    auto creds = orch::tls::makeChannelCredentials(cluster_.operatorConfig().tls);
    QVERIFY(creds.ok());
    auto stub = v1::Operator::NewStub(orch::tls::makeChannel(cluster_.masterAddress(), *creds));
    grpc::ClientContext ctx;
    auto reader = stub->Subscribe(&ctx, v1::SubscribeEventsRequest{});
    v1::OperatorEvent event;
    QVERIFY(reader->Read(&event));
    QCOMPARE(event.type(), v1::OperatorEvent::SUBSCRIBED);
    QCOMPARE(event.state().agents_size(), 2);

    TestFramework framework(cluster_.frameworkConfig(), "watched");
    QVERIFY(framework.subscribe().ok());
    QVERIFY(framework.launch({TestFramework::shellTask("watched-task", "true")}).ok());
    bool added = false, finished = false;
    while (!(added && finished) && reader->Read(&event)) {
      if (event.task().task_info().task_id() != "watched-task") continue;
      if (event.type() == v1::OperatorEvent::TASK_ADDED) added = true;
      if (event.type() == v1::OperatorEvent::TASK_UPDATED && event.task().state() == v1::TASK_FINISHED) {
        finished = true;
      }
    }
    ctx.TryCancel();
    QVERIFY(added);
    QVERIFY(finished);
  }

 private:
  static std::string readFile(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), {});
  }

  v1::AgentState::Status agentStatus(const std::string& id) {
    auto agents = operator_->getAgents();
    for (const auto& a : agents->agents()) {
      if (a.agent_info().agent_id() == id) return a.status();
    }
    return v1::AgentState::GONE;
  }

  LocalCluster cluster_;
  std::unique_ptr<orch::client::OperatorClient> operator_;
};

QTEST_GUILESS_MAIN(ClusterTest)
#include "cluster_test.moc"
