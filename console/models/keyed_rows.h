// Rows of records kept in arrival order with an id -> row index, for the table models.
#pragma once

#include <QHash>
#include <QString>

#include <optional>
#include <vector>

namespace orch::console {

template <typename Record>
class KeyedRows {
 public:
  int size() const { return static_cast<int>(rows_.size()); }
  const Record& at(int row) const { return rows_[static_cast<size_t>(row)]; }
  const QString& idAt(int row) const { return ids_[static_cast<size_t>(row)]; }
  std::optional<int> find(const QString& id) const {
    auto it = index_.constFind(id);
    if (it == index_.constEnd()) return std::nullopt;
    return *it;
  }
  // Replaces the record in place; returns its row.
  void replace(int row, Record record) { rows_[static_cast<size_t>(row)] = std::move(record); }
  // Appends a record whose id is not present yet; returns its row.
  int append(const QString& id, Record record) {
    rows_.push_back(std::move(record));
    ids_.push_back(id);
    index_.insert(id, size() - 1);
    return size() - 1;
  }
  void removeAt(int row) {
    index_.remove(ids_[static_cast<size_t>(row)]);
    rows_.erase(rows_.begin() + row);
    ids_.erase(ids_.begin() + row);
    for (int r = row; r < size(); ++r) index_[ids_[static_cast<size_t>(r)]] = r;
  }
  void clear() {
    rows_.clear();
    ids_.clear();
    index_.clear();
  }
  void reserve(int n) {
    rows_.reserve(static_cast<size_t>(n));
    ids_.reserve(static_cast<size_t>(n));
    index_.reserve(n);
  }

 private:
  std::vector<Record> rows_;
  std::vector<QString> ids_;
  QHash<QString, int> index_;
};

}  // namespace orch::console
