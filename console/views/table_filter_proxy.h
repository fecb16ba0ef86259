// Sort and filter for the console's tables: free text matched against every column
// (case-insensitive), plus an optional exact state (ModelRole::kStateRole); sorts by kSortRole.
#pragma once

#include <QSortFilterProxyModel>

namespace orch::console {

class TableFilterProxy : public QSortFilterProxyModel {
  Q_OBJECT

 public:
  explicit TableFilterProxy(QObject* parent = nullptr);

  void setText(const QString& text);
  // "" = every state.
  void setState(const QString& state);
  QString text() const { return text_; }
  QString state() const { return state_; }

 protected:
  bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

 private:
  QString text_;
  QString state_;
};

}  // namespace orch::console
