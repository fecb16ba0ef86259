#include "views/table_filter_proxy.h"

#include "models/model_roles.h"

namespace orch::console {

TableFilterProxy::TableFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
  setSortRole(kSortRole);
  setDynamicSortFilter(true);
  setSortCaseSensitivity(Qt::CaseInsensitive);
}

void TableFilterProxy::setText(const QString& text) {
  if (text == text_) return;
  text_ = text;
  invalidateRowsFilter();
}

void TableFilterProxy::setState(const QString& state) {
  if (state == state_) return;
  state_ = state;
  invalidateRowsFilter();
}

bool TableFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
  const QAbstractItemModel* m = sourceModel();
  if (!state_.isEmpty() && m->index(sourceRow, 0, sourceParent).data(kStateRole).toString() != state_) return false;
  if (text_.isEmpty()) return true;
  const int columns = m->columnCount(sourceParent);
  for (int c = 0; c < columns; ++c) {
    if (m->index(sourceRow, c, sourceParent).data(Qt::DisplayRole).toString().contains(text_, Qt::CaseInsensitive)) {
      return true;
    }
  }
  return false;
}

}  // namespace orch::console
