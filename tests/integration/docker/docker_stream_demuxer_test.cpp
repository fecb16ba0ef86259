// The Docker multiplexed stream framing: frames split at every possible byte,
// empty frames, and input that is not a multiplexed stream.
#include <QtTest>

#include <string>

#include "agent/containerizer/docker_stream_demuxer.h"

using orch::agent::DockerStreamDemuxer;

namespace {

std::string frame(int stream, const std::string &payload) {
  std::string out(8, '\0');
  out[0] = static_cast<char>(stream);
  uint32_t n = static_cast<uint32_t>(payload.size());
  out[4] = static_cast<char>(n >> 24);
  out[5] = static_cast<char>(n >> 16);
  out[6] = static_cast<char>(n >> 8);
  out[7] = static_cast<char>(n);
  return out + payload;
}

} // namespace

class DockerStreamDemuxerTest : public QObject {
  Q_OBJECT

private slots:
  void splitsStreams_data() {
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("piece"); // feed in pieces of this many bytes
    QTest::addColumn<QString>("out");
    QTest::addColumn<QString>("err");
    QTest::addColumn<bool>("ok");
    const std::string mixed =
        frame(1, "hello\n") + frame(2, "oops\n") + frame(1, "world\n");
    for (int piece : {1, 3, 7, 8, 9, 100}) {
      QTest::addRow("mixed/%d", piece)
          << QByteArray::fromStdString(mixed) << piece << "hello\nworld\n"
          << "oops\n"
          << true;
    }
    QTest::newRow("empty frame")
        << QByteArray::fromStdString(frame(1, "") + frame(2, "x")) << 4 << ""
        << "x" << true;
    QTest::newRow("nothing") << QByteArray() << 1 << ""
                             << "" << true;
    const std::string big(70000, 'b');
    QTest::newRow("large frame")
        << QByteArray::fromStdString(frame(1, big)) << 4096
        << QString::fromStdString(big) << "" << true;
    QTest::newRow("tty stream (no framing)")
        << QByteArray("plain text output\n") << 100 << ""
        << "" << false;
    QTest::newRow("bad padding")
        << QByteArray::fromStdString(std::string("\x01\x01\0\0\0\0\0\x01x", 9))
        << 9 << ""
        << "" << false;
  }

  void splitsStreams() {
    QFETCH(QByteArray, input);
    QFETCH(int, piece);
    QFETCH(QString, out);
    QFETCH(QString, err);
    QFETCH(bool, ok);
    std::string got_out, got_err;
    DockerStreamDemuxer demux(
        [&](DockerStreamDemuxer::Stream s, absl::string_view data) {
          (s == DockerStreamDemuxer::Stream::kStderr ? got_err : got_out)
              .append(data.data(), data.size());
        });
    absl::Status status;
    const std::string all = input.toStdString();
    for (size_t at = 0; at < all.size() && status.ok();
         at += static_cast<size_t>(piece)) {
      status = demux.feed(
          absl::string_view(all).substr(at, static_cast<size_t>(piece)));
    }
    QCOMPARE(status.ok(), ok);
    if (!ok) {
      QVERIFY2(absl::string_view(status.message())
                       .find("not a multiplexed Docker stream") !=
                   absl::string_view::npos,
               std::string(status.message()).c_str());
      // Sticky: later input is refused too.
      QVERIFY(!demux.feed(frame(1, "late")).ok());
      return;
    }
    QCOMPARE(QString::fromStdString(got_out), out);
    QCOMPARE(QString::fromStdString(got_err), err);
    QVERIFY(demux.atFrameBoundary());
  }

  void reportsPartialFrame() {
    std::string got;
    DockerStreamDemuxer demux(
        [&](DockerStreamDemuxer::Stream, absl::string_view d) {
          got.append(d.data(), d.size());
        });
    const std::string f = frame(1, "abcdef");
    QVERIFY(demux.feed(absl::string_view(f).substr(0, 10)).ok());
    QCOMPARE(got, std::string("ab"));
    QVERIFY(!demux.atFrameBoundary());
    QVERIFY(demux.feed(absl::string_view(f).substr(10)).ok());
    QCOMPARE(got, std::string("abcdef"));
    QVERIFY(demux.atFrameBoundary());
  }
};

QTEST_APPLESS_MAIN(DockerStreamDemuxerTest)
#include "docker_stream_demuxer_test.moc"
