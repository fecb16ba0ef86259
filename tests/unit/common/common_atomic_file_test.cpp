// writeFileAtomically / readFileToString / loadJsonFile.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <QTemporaryDir>
#include <QtTest>

#include "common/config/atomic_file.h"
#include "common/config/json_file.h"

namespace {
unsigned fileMode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0xFFFF;
  return st.st_mode & 0777;
}
}  // namespace

class AtomicFileTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void writesReplacesAndLeavesNoTemporaries() {
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString();
    const std::string path = dir + "/checkpoint.json";
    QVERIFY(orch::config::writeFileAtomically(path, "first", 0600).ok());
    QCOMPARE(orch::config::readFileToString(path).value(), std::string("first"));
    QCOMPARE(fileMode(path), 0600u);
    std::string big(1 << 20, 'x');
    QVERIFY(orch::config::writeFileAtomically(path, big, 0644).ok());
    QCOMPARE(orch::config::readFileToString(path).value(), big);
    QCOMPARE(fileMode(path), 0644u);
    QVERIFY(orch::config::writeFileAtomically(path, "", 0640).ok());
    QCOMPARE(orch::config::readFileToString(path).value(), std::string());
    int entries = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      (void)e;
      ++entries;
    }
    QCOMPARE(entries, 1);
  }

  void missingDirectoryIsNamed() {
    QTemporaryDir tmp;
    const std::string path = tmp.path().toStdString() + "/no/such/dir/f";
    absl::Status st = orch::config::writeFileAtomically(path, "x");
    QCOMPARE(st.code(), absl::StatusCode::kNotFound);
    QVERIFY2(std::string(st.message()).find(path) != std::string::npos, st.ToString().c_str());
  }

  void oldFileSurvivesFailedWrite() {
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString();
    const std::string path = dir + "/keep";
    QVERIFY(orch::config::writeFileAtomically(path, "old").ok());
    // Renaming a file over a non-empty directory fails after the temporary was written.
    const std::string blocker = dir + "/blocker";
    std::filesystem::create_directory(blocker);
    std::ofstream(blocker + "/inside") << "x";
    QVERIFY(!orch::config::writeFileAtomically(blocker, "new").ok());
    QCOMPARE(orch::config::readFileToString(path).value(), std::string("old"));
    int entries = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      (void)e;
      ++entries;
    }
    QCOMPARE(entries, 2);  // keep + blocker, no temporary left
  }

  void loadJsonFile_data() {
    QTest::addColumn<QString>("content");
    QTest::addColumn<bool>("create");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("object") << R"({"a": 1, "b": [true]})" << true << 0 << "";
    QTest::newRow("array") << "[1,2]" << true << 0 << "";
    QTest::newRow("truncated") << R"({"a": )" << true << static_cast<int>(absl::StatusCode::kInvalidArgument)
                               << "not valid JSON";
    QTest::newRow("garbage") << "hello" << true << static_cast<int>(absl::StatusCode::kInvalidArgument)
                             << "not valid JSON";
    QTest::newRow("empty") << "" << true << static_cast<int>(absl::StatusCode::kInvalidArgument) << "not valid JSON";
    QTest::newRow("missing") << "" << false << static_cast<int>(absl::StatusCode::kNotFound) << "conf.json";
  }
  void loadJsonFile() {
    QFETCH(QString, content);
    QFETCH(bool, create);
    QFETCH(int, code);
    QFETCH(QString, messagePart);
    QTemporaryDir tmp;
    const std::string path = tmp.path().toStdString() + "/conf.json";
    if (create) QVERIFY(orch::config::writeFileAtomically(path, content.toStdString()).ok());
    auto loaded = orch::config::loadJsonFile(path);
    QCOMPARE(static_cast<int>(loaded.status().code()), code);
    if (code == 0) {
      QCOMPARE(*loaded, nlohmann::json::parse(content.toStdString()));
    } else {
      const std::string msg(loaded.status().message());
      QVERIFY2(msg.find(messagePart.toStdString()) != std::string::npos, msg.c_str());
      QVERIFY2(msg.find(path) != std::string::npos, msg.c_str());
    }
  }

  void jsonRoundTrip() {
    QTemporaryDir tmp;
    const std::string path = tmp.path().toStdString() + "/state.json";
    nlohmann::json value = {{"agents", {{"a1", {{"cpus", 4.5}}}}}, {"epoch", 7}};
    QVERIFY(orch::config::writeJsonFileAtomically(path, value, 0600).ok());
    QCOMPARE(orch::config::loadJsonFile(path).value(), value);
    QCOMPARE(fileMode(path), 0600u);
  }

  void readingADirectoryIsAnError() {
    QTemporaryDir tmp;
    auto r = orch::config::readFileToString(tmp.path().toStdString());
    QCOMPARE(r.status().code(), absl::StatusCode::kInvalidArgument);
  }
};

QTEST_APPLESS_MAIN(AtomicFileTest)
#include "common_atomic_file_test.moc"
