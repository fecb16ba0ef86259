// BidiBaselineStore on real files in a temp dir: round trip, torn and corrupt files (data-driven),
// another pair's files, repair after a torn tail, compaction, batched fdatasync.
#include <QtTest/QtTest>

#include <QProcess>
#include <QTemporaryDir>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>

#include "sync/bidi_baseline_store.h"

using orch::sync::BidiBaselineStore;

namespace {

BidiBaselineStore::Identity pairA() { return {"127.0.0.1:2181", "127.0.0.1:3181", {"/b", "/a"}}; }
BidiBaselineStore::Identity pairB() { return {"127.0.0.1:2181", "127.0.0.1:4181", {"/a", "/b"}}; }

BidiBaselineStore::Entry entry(int i, bool existed = true) {
  BidiBaselineStore::Entry e;
  e.existed = existed;
  e.content = orch::core::sync::Sha256::of("content-" + std::to_string(i));
  return e;
}

std::string pathOf(int i) { return "/a/node-" + std::to_string(i); }

// Size of the log frame put() writes for pathOf(i): length + CRC + 'P' + existed + digest + path.
std::size_t putFrameSize(int i) { return 8 + 2 + 32 + pathOf(i).size(); }

std::string readFile(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void writeFile(const std::string& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

BidiBaselineStore::Options options(const std::string& dir, BidiBaselineStore::Identity id = pairA()) {
  BidiBaselineStore::Options o;
  o.dir = dir;
  o.identity = std::move(id);
  o.compact_min_bytes = 1 << 30;  // no compaction unless a test asks for it
  return o;
}

// Ten puts in the log (snapshot empty); with compact, reopened once so they sit in the snapshot.
bool writeTen(const std::string& dir, bool compact) {
  auto st = BidiBaselineStore::open(options(dir));
  if (!st.ok()) return false;
  for (int i = 0; i < 10; ++i) (*st)->put(pathOf(i), entry(i));
  if (!(*st)->close().ok()) return false;
  if (compact) {
    auto again = BidiBaselineStore::open(options(dir));  // a log with records is compacted on open
    if (!again.ok() || !(*again)->close().ok()) return false;
  }
  return true;
}

}  // namespace

class BidiBaselineStoreTest : public QObject {
  Q_OBJECT

 private slots:
  void roundTrip() {
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString();
    {
      auto st = BidiBaselineStore::open(options(dir));
      QVERIFY2(st.ok(), st.status().ToString().c_str());
      QVERIFY((*st)->persistent());
      for (int i = 0; i < 5; ++i) (*st)->put(pathOf(i), entry(i));
      (*st)->put("/a", entry(100));
      (*st)->put("/a/node-1/kid", entry(101));
      (*st)->put("/b/gone", entry(7, false));
      (*st)->put(pathOf(2), entry(22));      // overwritten
      (*st)->eraseSubtree(pathOf(1));        // node-1 and its kid
      (*st)->erase(pathOf(3));               // node-3 only
      QVERIFY((*st)->close().ok());
    }
    auto loaded = BidiBaselineStore::load(dir, pairA());
    QVERIFY2(loaded.ok(), loaded.status().ToString().c_str());
    QVERIFY(loaded->warnings.empty());
    const auto& m = loaded->baselines;
    QCOMPARE(m.size(), size_t(5));  // /a, node-0, node-2, node-4, /b/gone
    QVERIFY(m.at(pathOf(2)) == entry(22));
    QVERIFY(m.at("/b/gone") == entry(7, false));
    QVERIFY(!m.at("/b/gone").existed);
    QVERIFY(!m.count(pathOf(1)) && !m.count("/a/node-1/kid") && !m.count(pathOf(3)));
    // The same state comes back through open(), and paths order does not change the pair.
    BidiBaselineStore::Identity reordered = pairA();
    std::swap(reordered.paths[0], reordered.paths[1]);
    auto st = BidiBaselineStore::open(options(dir, reordered));
    QVERIFY2(st.ok(), st.status().ToString().c_str());
    QVERIFY((*st)->acknowledged() == m);
  }

  void loadDamaged_data() {
    QTest::addColumn<QString>("damage");
    QTest::addColumn<int>("code");       // absl::StatusCode
    QTest::addColumn<int>("baselines");  // when ok
    QTest::addColumn<QString>("message");  // in the warning (ok) or the error
    const int ok = static_cast<int>(absl::StatusCode::kOk);
    const int loss = static_cast<int>(absl::StatusCode::kDataLoss);
    const int pre = static_cast<int>(absl::StatusCode::kFailedPrecondition);
    QTest::newRow("good log") << "none" << ok << 10 << "";
    QTest::newRow("good snapshot") << "compacted" << ok << 10 << "";
    QTest::newRow("no files") << "no-files" << ok << 0 << "";
    QTest::newRow("torn tail") << "torn-tail" << ok << 9 << "torn or corrupt record at offset %TAIL%";
    QTest::newRow("torn frame header") << "torn-header-bytes" << ok << 10 << "truncated frame header";
    QTest::newRow("flipped byte mid log") << "flip-log-5" << ok << 5 << "at offset %REC5% (CRC mismatch)";
    QTest::newRow("flipped byte in snapshot") << "flip-snapshot" << loss << 0 << "is corrupt at offset";
    QTest::newRow("truncated snapshot") << "truncate-snapshot" << loss << 0 << "bidi-baselines-";
    QTest::newRow("wrong pair") << "wrong-pair" << pre << 0 << "was written for source '127.0.0.1:2181', target '127.0.0.1:3181'";
    QTest::newRow("empty log") << "empty-log" << ok << 0 << "empty file";
    QTest::newRow("empty snapshot") << "empty-snapshot" << loss << 0 << "bad magic";
    QTest::newRow("garbage log") << "garbage-log" << ok << 0 << "ignoring the whole log";
  }
  void loadDamaged() {
    QFETCH(QString, damage);
    QFETCH(int, code);
    QFETCH(int, baselines);
    QFETCH(QString, message);
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString();
    const std::string d = damage.toStdString();
    BidiBaselineStore::Identity id = pairA();
    const std::string snap = BidiBaselineStore::snapshotPath(dir, id);
    const std::string log = BidiBaselineStore::logPath(dir, id);
    if (d != "no-files") {
      const bool compact = d == "compacted" || d.find("snapshot") != std::string::npos;
      QVERIFY(writeTen(dir, compact));
    }
    std::string msg = message.toStdString();
    const std::string logBytes = readFile(log);
    // Offset of record i in the log: header, then ten put frames.
    const std::size_t firstRecord = logBytes.size() - [] {
      std::size_t n = 0;
      for (int i = 0; i < 10; ++i) n += putFrameSize(i);
      return n;
    }();
    auto recordOffset = [&](int i) {
      std::size_t off = firstRecord;
      for (int k = 0; k < i; ++k) off += putFrameSize(k);
      return off;
    };
    auto replace = [&](const std::string& key, std::size_t v) {
      if (auto p = msg.find(key); p != std::string::npos) msg.replace(p, key.size(), std::to_string(v));
    };
    replace("%TAIL%", recordOffset(9));
    replace("%REC5%", recordOffset(5));
    if (d == "torn-tail") {
      writeFile(log, logBytes.substr(0, logBytes.size() - 5));
    } else if (d == "torn-header-bytes") {
      writeFile(log, logBytes + std::string("\x10\x00\x00", 3));
    } else if (d == "flip-log-5") {
      std::string b = logBytes;
      b[recordOffset(5) + 20] ^= 0x40;  // inside the digest
      writeFile(log, b);
    } else if (d == "flip-snapshot") {
      std::string b = readFile(snap);
      b[b.size() / 2] ^= 0x01;
      writeFile(snap, b);
    } else if (d == "truncate-snapshot") {
      std::string b = readFile(snap);
      writeFile(snap, b.substr(0, b.size() - 3));
    } else if (d == "wrong-pair") {
      id = pairB();
      std::filesystem::rename(snap, BidiBaselineStore::snapshotPath(dir, id));
      std::filesystem::rename(log, BidiBaselineStore::logPath(dir, id));
    } else if (d == "empty-log") {
      writeFile(log, "");
    } else if (d == "empty-snapshot") {
      writeFile(snap, "");
    } else if (d == "garbage-log") {
      writeFile(log, "this is not a baseline log at all");
    }
    auto loaded = BidiBaselineStore::load(dir, id);
    QCOMPARE(static_cast<int>(loaded.status().code()), code);
    if (!loaded.ok()) {
      const std::string err(loaded.status().message());
      QVERIFY2(err.find(msg) != std::string::npos, err.c_str());
      // open() refuses the same way (the engine falls back or fails on it).
      auto st = BidiBaselineStore::open(options(dir, id));
      QCOMPARE(static_cast<int>(st.status().code()), code);
      return;
    }
    QCOMPARE(static_cast<int>(loaded->baselines.size()), baselines);
    for (int i = 0; i < baselines && d != "empty-log" && d != "garbage-log"; ++i) {
      QVERIFY(loaded->baselines.at(pathOf(i)) == entry(i));
    }
    if (msg.empty()) {
      QVERIFY(loaded->warnings.empty());
      QVERIFY(loaded->log_clean);
    } else {
      QCOMPARE(loaded->warnings.size(), size_t(1));
      const std::string& w = loaded->warnings[0];
      QVERIFY2(w.find(log) != std::string::npos, w.c_str());  // names the file
      QVERIFY2(w.find(msg) != std::string::npos, w.c_str());
      QVERIFY(!loaded->log_clean);
    }
  }

  // open() repairs a torn log: records appended afterwards are not lost behind the garbage.
  void tornTailIsRepairedOnOpen() {
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString();
    QVERIFY(writeTen(dir, false));
    const std::string log = BidiBaselineStore::logPath(dir, pairA());
    const std::string b = readFile(log);
    writeFile(log, b.substr(0, b.size() - 7));
    {
      auto st = BidiBaselineStore::open(options(dir));
      QVERIFY2(st.ok(), st.status().ToString().c_str());
      QCOMPARE((*st)->loadWarnings().size(), size_t(1));
      QCOMPARE((*st)->acknowledged().size(), size_t(9));
      (*st)->put("/a/after", entry(42));
      QVERIFY((*st)->close().ok());
    }
    auto loaded = BidiBaselineStore::load(dir, pairA());
    QVERIFY(loaded.ok());
    QVERIFY(loaded->warnings.empty());
    QCOMPARE(loaded->baselines.size(), size_t(10));
    QVERIFY(loaded->baselines.at("/a/after") == entry(42));
  }

  // A corrupt snapshot is moved aside and a fresh state starts (the engine's fallback path).
  void discardFilesStartsFresh() {
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString();
    QVERIFY(writeTen(dir, true));
    const std::string snap = BidiBaselineStore::snapshotPath(dir, pairA());
    writeFile(snap, "garbage");
    QVERIFY(absl::IsDataLoss(BidiBaselineStore::open(options(dir)).status()));
    auto moved = BidiBaselineStore::discardFiles(dir, pairA());
    QVERIFY(moved.ok());
    QCOMPARE(moved->size(), size_t(2));
    for (const auto& f : *moved) QVERIFY(std::filesystem::exists(f));
    auto st = BidiBaselineStore::open(options(dir));
    QVERIFY2(st.ok(), st.status().ToString().c_str());
    QVERIFY((*st)->acknowledged().empty());
  }

  // The log is compacted into the snapshot once it outgrows it; nothing is lost.
  void compaction() {
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString();
    auto o = options(dir);
    o.compact_min_bytes = 4096;
    o.compact_factor = 2;
    o.sync_interval = std::chrono::milliseconds(1);
    {
      auto st = BidiBaselineStore::open(o);
      QVERIFY(st.ok());
      const auto before = (*st)->compactions();
      for (int round = 0; round < 20; ++round) {
        for (int i = 0; i < 50; ++i) (*st)->put(pathOf(i), entry(i + round * 1000));
        QVERIFY((*st)->flush().ok());
      }
      QVERIFY((*st)->compactions() > before);
      QVERIFY((*st)->close().ok());
    }
    const auto logSize = std::filesystem::file_size(BidiBaselineStore::logPath(dir, pairA()));
    QVERIFY2(logSize < 2 * 4096 + 8192, std::to_string(logSize).c_str());
    auto loaded = BidiBaselineStore::load(dir, pairA());
    QVERIFY(loaded.ok());
    QCOMPARE(loaded->baselines.size(), size_t(50));
    for (int i = 0; i < 50; ++i) QVERIFY(loaded->baselines.at(pathOf(i)) == entry(i + 19 * 1000));
  }

  // fdatasync is batched: a burst of changes costs a handful of syncs, not one per change.
  void syncsAreBatched() {
    QTemporaryDir tmp;
    auto o = options(tmp.path().toStdString());
    o.sync_interval = std::chrono::milliseconds(200);
    auto st = BidiBaselineStore::open(o);
    QVERIFY(st.ok());
    for (int i = 0; i < 2000; ++i) (*st)->put(pathOf(i), entry(i));
    QVERIFY((*st)->flush().ok());
    const auto syncs = (*st)->syncs();
    QVERIFY2(syncs >= 1 && syncs <= 5, std::to_string(syncs).c_str());
    // Unchanged puts write nothing.
    for (int i = 0; i < 2000; ++i) (*st)->put(pathOf(i), entry(i));
    QVERIFY((*st)->flush().ok());
    QCOMPARE((*st)->syncs(), syncs);
  }

  // A full disk: the failed write is counted and reported (health().failing), nothing recorded
  // in memory is lost, and once space is back the next write (a compaction, as a failed append
  // may leave a partial frame) puts everything on disk. A 64 KiB tmpfs makes the disk full for
  // real; mounting needs root (CI and scripts/test run as root).
  void fullDiskIsReportedAndRecovered() {
    if (::geteuid() != 0) QSKIP("mounting a small tmpfs needs root");
    QTemporaryDir tmp;
    const std::string dir = tmp.path().toStdString();
    QVERIFY(QProcess::execute("mount", {"-t", "tmpfs", "-o", "size=64k", "orch-test-full", tmp.path()}) == 0);
    struct Unmount {
      QString p;
      ~Unmount() { QProcess::execute("umount", {p}); }
    } unmount{tmp.path()};
    auto st = BidiBaselineStore::open(options(dir));
    QVERIFY2(st.ok(), st.status().ToString().c_str());
    (*st)->put(pathOf(0), entry(0));
    QVERIFY((*st)->flush().ok());
    QVERIFY(!(*st)->health().failing);
    // Fill the filesystem.
    const std::string filler = dir + "/filler";
    {
      std::ofstream out(filler, std::ios::binary);
      std::string block(4096, 'x');
      for (int i = 0; i < 64 && out; ++i) out.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
    for (int i = 1; i < 200; ++i) (*st)->put(pathOf(i), entry(i));
    QVERIFY(!(*st)->flush().ok());
    auto h = (*st)->health();
    QVERIFY(h.failing);
    QVERIFY(h.write_failures >= 1);
    QVERIFY2(h.last_error.find("No space") != std::string::npos, h.last_error.c_str());
    QVERIFY((*st)->find(pathOf(150)).has_value());  // still held in memory
    // Space again: the next write compacts everything to disk.
    std::filesystem::remove(filler);
    (*st)->put(pathOf(500), entry(500));
    QVERIFY((*st)->flush().ok());
    QVERIFY(!(*st)->health().failing);
    QCOMPARE((*st)->health().write_failures, h.write_failures);
    QVERIFY((*st)->close().ok());
    auto reopened = BidiBaselineStore::open(options(dir));
    QVERIFY2(reopened.ok(), reopened.status().ToString().c_str());
    QCOMPARE((*reopened)->acknowledged().size(), std::size_t(201));
    QVERIFY((*reopened)->close().ok());
  }

  void inMemoryStoreKeepsNoFiles() {
    auto st = BidiBaselineStore::inMemory();
    QVERIFY(!st->persistent());
    st->put("/x", entry(1));
    st->put("/x/y", entry(2));
    QVERIFY(st->find("/x/y").has_value());
    st->eraseSubtree("/x");
    QVERIFY(st->acknowledged().empty());
    QVERIFY(st->flush().ok());
    QVERIFY(st->close().ok());
  }
};

QTEST_APPLESS_MAIN(BidiBaselineStoreTest)
#include "bidi_baseline_store_test.moc"
