// The agent's task checkpoint store on a real directory: rewrites never rename
// over the old file, and load() finishes or discards rewrites that an agent
// crash cut short.
#include <QtTest/QtTest>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <string>

#include "agent/task_checkpoint_store.h"

namespace v1 = orchestrator::v1;
using orch::agent::TaskCheckpointStore;

namespace {

v1::TaskCheckpoint checkpointOf(const std::string &id, v1::TaskState state) {
  v1::TaskCheckpoint task;
  task.mutable_task()->set_task_id(id);
  task.set_framework_id("fw");
  task.mutable_latest()->set_task_id(id);
  task.mutable_latest()->set_state(state);
  return task;
}

void writeRaw(const std::string &path, const std::string &data) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  QVERIFY(fd >= 0);
  QCOMPARE(::write(fd, data.data(), data.size()),
           static_cast<ssize_t>(data.size()));
  ::close(fd);
}

std::set<std::string> filesIn(const std::string &dir) {
  std::set<std::string> out;
  if (DIR *d = ::opendir(dir.c_str())) {
    while (dirent *e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..")
        out.insert(name);
    }
    ::closedir(d);
  }
  return out;
}

} // namespace

class TaskCheckpointStoreTest : public QObject {
  Q_OBJECT

private:
  std::string dir_;

private slots:
  void init() {
    char tmpl[] = "/tmp/orch-ckpt-XXXXXX";
    QVERIFY(::mkdtemp(tmpl) != nullptr);
    dir_ = tmpl;
  }
  void cleanup() {
    QVERIFY(std::system(("rm -rf '" + dir_ + "'").c_str()) == 0);
  }

  void rewritesLeaveOneFileWithTheLatestState() {
    TaskCheckpointStore store(dir_);
    QVERIFY(store.load().ok());
    QVERIFY(store.write(checkpointOf("t1", v1::TASK_STAGING)).ok());
    QVERIFY(store.write(checkpointOf("t1", v1::TASK_RUNNING)).ok());
    QVERIFY(store.write(checkpointOf("t1", v1::TASK_FINISHED)).ok());
    QCOMPARE(filesIn(dir_), (std::set<std::string>{"t1.pb"}));
    TaskCheckpointStore again(dir_);
    auto loaded = again.load();
    QVERIFY(loaded.ok());
    QCOMPARE(loaded->size(), size_t{1});
    QCOMPARE(loaded->at("t1").latest().state(), v1::TASK_FINISHED);
    again.remove("t1");
    QVERIFY(filesIn(dir_).empty());
  }

  // What an agent crash can leave on disk, and what load() makes of it.
  void loadRecoversInterruptedWrites_data() {
    QTest::addColumn<bool>("with_pb"); // t1.pb (state RUNNING)
    QTest::addColumn<QString>(
        "extra"); // another file: "next" (FINISHED), "new", "corrupt"
    QTest::addColumn<int>("state"); // expected state of t1, or -1 for no task
    QTest::addColumn<QStringList>("after"); // files left
    QTest::newRow("old file only")
        << true << "" << int(v1::TASK_RUNNING) << QStringList{"t1.pb"};
    QTest::newRow("rewrite cut before the old file was removed")
        << true << "next" << int(v1::TASK_RUNNING) << QStringList{"t1.pb"};
    QTest::newRow("rewrite cut after the old file was removed")
        << false << "next" << int(v1::TASK_FINISHED) << QStringList{"t1.pb"};
    QTest::newRow("first write cut short")
        << false << "new" << -1 << QStringList{};
    QTest::newRow("corrupt file is set aside")
        << false << "corrupt" << -1 << QStringList{"t1.pb.corrupt"};
    QTest::newRow("frame cut short is set aside")
        << false << "truncated" << -1 << QStringList{"t1.pb.corrupt"};
  }
  void loadRecoversInterruptedWrites() {
    QFETCH(bool, with_pb);
    QFETCH(QString, extra);
    QFETCH(int, state);
    QFETCH(QStringList, after);
    const std::string base = dir_ + "/t1.pb";
    if (with_pb)
      writeRaw(base, checkpointOf("t1", v1::TASK_RUNNING).SerializeAsString());
    if (extra == "next") {
      writeRaw(base + ".next",
               checkpointOf("t1", v1::TASK_FINISHED).SerializeAsString());
    } else if (extra == "new") {
      writeRaw(base + ".new", "\x0a\x03t"); // cut in the middle
    } else if (extra == "corrupt") {
      writeRaw(base, "\xff\xff\xff not a protobuf");
    } else if (extra == "truncated") {
      // A frame announcing 200 bytes of payload with only 3 there.
      writeRaw(base, std::string("OTC1\xc8\x00\x00\x00\x0a\x03t", 11));
    }
    TaskCheckpointStore store(dir_);
    auto loaded = store.load();
    QVERIFY(loaded.ok());
    if (state < 0) {
      QVERIFY(loaded->empty());
    } else {
      QCOMPARE(loaded->size(), size_t{1});
      QCOMPARE(int(loaded->at("t1").latest().state()), state);
    }
    std::set<std::string> expected;
    for (const QString &f : after)
      expected.insert(f.toStdString());
    QCOMPARE(filesIn(dir_), expected);
    // The store knows what is on disk: the next write replaces instead of
    // creating.
    if (state >= 0) {
      QVERIFY(store.write(checkpointOf("t1", v1::TASK_KILLED)).ok());
      QCOMPARE(filesIn(dir_), (std::set<std::string>{"t1.pb"}));
    }
  }

  // A rewrite in place that is shorter than the version before leaves old bytes
  // behind its frame; a checkpoint larger than a page goes through
  // <id>.pb.next. Both load as written.
  void shorterAndLargerRewritesLoadAsWritten() {
    TaskCheckpointStore store(dir_);
    QVERIFY(store.load().ok());
    v1::TaskCheckpoint long_one = checkpointOf("t1", v1::TASK_RUNNING);
    long_one.mutable_latest()->set_message(std::string(2000, 'x'));
    QVERIFY(store.write(long_one).ok());
    QVERIFY(store.write(checkpointOf("t1", v1::TASK_FINISHED)).ok());
    {
      TaskCheckpointStore again(dir_);
      auto loaded = again.load();
      QVERIFY(loaded.ok());
      QCOMPARE(loaded->at("t1").latest().state(), v1::TASK_FINISHED);
      QVERIFY(loaded->at("t1").latest().message().empty());
    }
    v1::TaskCheckpoint huge = checkpointOf("t1", v1::TASK_KILLED);
    huge.mutable_latest()->set_message(std::string(10000, 'y'));
    QVERIFY(store.write(huge).ok());
    QCOMPARE(filesIn(dir_), (std::set<std::string>{"t1.pb"}));
    TaskCheckpointStore again(dir_);
    auto loaded = again.load();
    QVERIFY(loaded.ok());
    QCOMPARE(loaded->at("t1").latest().state(), v1::TASK_KILLED);
    QCOMPARE(loaded->at("t1").latest().message().size(), size_t{10000});
  }

  void missingDirectoryIsAnError() {
    TaskCheckpointStore store(dir_ + "/absent");
    auto loaded = store.load();
    QVERIFY(!loaded.ok());
    QVERIFY2(loaded.status().message().find(dir_ + "/absent") !=
                 std::string::npos,
             std::string(loaded.status().message()).c_str());
  }
};

QTEST_APPLESS_MAIN(TaskCheckpointStoreTest)
#include "task_checkpoint_store_test.moc"
