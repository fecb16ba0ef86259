#include "cluster/secret_store.h"

#include <QEventLoop>
#include <QPointer>
#include <QTimer>

#include <qt6keychain/keychain.h>

#include <memory>

namespace orch::console {

SecretStore::SecretStore(QString service, QObject* parent) : QObject(parent), service_(std::move(service)) {}

QString SecretStore::profileKey(const QString& profile, const QString& what) {
  return QStringLiteral("profile/%1/%2").arg(profile, what);
}

void SecretStore::write(const QString& key, const QString& secret, std::function<void(QString)> done) {
  auto* job = new QKeychain::WritePasswordJob(service_, this);
  job->setAutoDelete(true);
  job->setInsecureFallback(false);
  job->setKey(key);
  job->setTextData(secret);
  connect(job, &QKeychain::Job::finished, this, [done, key](QKeychain::Job* j) {
    if (!done) return;
    if (j->error() == QKeychain::NoError) {
      done({});
    } else {
      done(tr("Cannot store the secret %1 in the keychain: %2").arg(key, j->errorString()));
    }
  });
  job->start();
}

void SecretStore::read(const QString& key, std::function<void(QString, QString)> done) {
  auto* job = new QKeychain::ReadPasswordJob(service_, this);
  job->setAutoDelete(true);
  job->setInsecureFallback(false);
  job->setKey(key);
  connect(job, &QKeychain::Job::finished, this, [done, key](QKeychain::Job* j) {
    if (!done) return;
    auto* r = static_cast<QKeychain::ReadPasswordJob*>(j);
    if (r->error() == QKeychain::NoError) {
      done(r->textData(), {});
    } else if (r->error() == QKeychain::EntryNotFound) {
      done({}, tr("No secret %1 is stored in the keychain.").arg(key));
    } else {
      done({}, tr("Cannot read the secret %1 from the keychain: %2").arg(key, r->errorString()));
    }
  });
  job->start();
}

void SecretStore::remove(const QString& key, std::function<void(QString)> done) {
  auto* job = new QKeychain::DeletePasswordJob(service_, this);
  job->setAutoDelete(true);
  job->setKey(key);
  connect(job, &QKeychain::Job::finished, this, [done, key](QKeychain::Job* j) {
    if (!done) return;
    if (j->error() == QKeychain::NoError || j->error() == QKeychain::EntryNotFound) {
      done({});
    } else {
      done(tr("Cannot remove the secret %1 from the keychain: %2").arg(key, j->errorString()));
    }
  });
  job->start();
}

QString SecretStore::writeAndWait(const QString& key, const QString& secret, int timeoutMs) {
  // Shared with the callback, which may fire after a timeout returned.
  auto state = std::make_shared<std::pair<bool, QString>>(false, QString());
  QEventLoop loop;
  QPointer<QEventLoop> guard(&loop);
  write(key, secret, [state, guard](QString error) {
    *state = {true, error};
    if (guard) guard->quit();
  });
  QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
  if (!state->first) loop.exec();
  if (!state->first) return tr("The keychain did not answer within %1 ms.").arg(timeoutMs);
  return state->second;
}

std::pair<QString, QString> SecretStore::readAndWait(const QString& key, int timeoutMs) {
  struct Result {
    bool done = false;
    QString secret;
    QString error;
  };
  auto state = std::make_shared<Result>();
  QEventLoop loop;
  QPointer<QEventLoop> guard(&loop);
  read(key, [state, guard](QString secret, QString error) {
    *state = {true, secret, error};
    if (guard) guard->quit();
  });
  QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
  if (!state->done) loop.exec();
  if (!state->done) return {{}, tr("The keychain did not answer within %1 ms.").arg(timeoutMs)};
  return {state->secret, state->error};
}

}  // namespace orch::console
