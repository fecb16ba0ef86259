#include "core/resources.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace orch::core {
namespace {

constexpr int64_t kMilliPerUnit = 1000;
// Integer digits a scalar may have so that its thousandths still fit in int64_t.
constexpr size_t kMaxIntegerDigits = 15;

// Debian's Abseil has its own absl::string_view, so std::string_view is split, trimmed and
// converted here.
absl::string_view av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

// ---- ranges: every list below is sorted, disjoint and coalesced --------------------------------

std::vector<Range> normalizeRanges(std::vector<Range> ranges) {
  std::sort(ranges.begin(), ranges.end());
  std::vector<Range> out;
  for (const Range& r : ranges) {
    if (!out.empty()) {
      Range& last = out.back();
      const bool touches =
          last.end == std::numeric_limits<uint64_t>::max() || r.begin <= last.end + 1;
      if (touches) {
        last.end = std::max(last.end, r.end);
        continue;
      }
    }
    out.push_back(r);
  }
  return out;
}

std::vector<Range> unionRanges(const std::vector<Range>& a, const std::vector<Range>& b) {
  std::vector<Range> all = a;
  all.insert(all.end(), b.begin(), b.end());
  return normalizeRanges(std::move(all));
}

std::vector<Range> intersectRanges(const std::vector<Range>& a, const std::vector<Range>& b) {
  std::vector<Range> out;
  size_t i = 0;
  size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const uint64_t lo = std::max(a[i].begin, b[j].begin);
    const uint64_t hi = std::min(a[i].end, b[j].end);
    if (lo <= hi) out.push_back(Range{lo, hi});
    if (a[i].end < b[j].end) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

std::vector<Range> subtractRanges(const std::vector<Range>& a, const std::vector<Range>& b) {
  std::vector<Range> out;
  size_t j = 0;
  for (Range cur : a) {
    bool alive = true;
    while (j < b.size() && b[j].end < cur.begin) ++j;
    for (size_t k = j; k < b.size() && b[k].begin <= cur.end; ++k) {
      if (b[k].begin > cur.begin) out.push_back(Range{cur.begin, b[k].begin - 1});
      if (b[k].end >= cur.end) {
        alive = false;
        break;
      }
      cur.begin = b[k].end + 1;
    }
    if (alive) out.push_back(cur);
  }
  return out;
}

bool rangesContain(const std::vector<Range>& a, const std::vector<Range>& b) {
  // With `a` coalesced, each range of `b` must lie inside a single range of `a`.
  size_t i = 0;
  for (const Range& r : b) {
    while (i < a.size() && a[i].end < r.begin) ++i;
    if (i == a.size() || a[i].begin > r.begin || a[i].end < r.end) return false;
  }
  return true;
}

// ---- validation and parsing helpers -----------------------------------------------------------

bool isNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
         c == '/';
}

bool isValidName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), isNameChar);
}

bool isValidRole(std::string_view role) { return role == "*" || isValidName(role); }

bool isValidItem(std::string_view item) {
  if (item.empty()) return false;
  for (char c : item) {
    if (absl::ascii_isspace(static_cast<unsigned char>(c)) || c == ',' || c == ';' || c == '{' ||
        c == '}' || c == '[' || c == ']' || c == '(' || c == ')') {
      return false;
    }
  }
  return true;
}

bool isEmptyValue(const Resources::Entry& e) {
  switch (e.kind) {
    case Resources::Kind::kScalar:
      return e.scalar.milli() == 0;
    case Resources::Kind::kRanges:
      return e.ranges.empty();
    case Resources::Kind::kSet:
      return e.items.empty();
  }
  return true;
}

std::string describe(const Resources::Entry& e) {
  return e.role == "*" ? e.name : absl::StrCat(e.name, "(", e.role, ")");
}

absl::StatusOr<Scalar> parseScalar(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  auto digitsOnly = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); });
  };
  if (!text.empty() && text.front() == '-') {
    return absl::InvalidArgumentError(absl::StrCat("value '", av(text), "' is negative"));
  }
  if (whole.empty() || !digitsOnly(whole) || !digitsOnly(frac) ||
      (dot != std::string_view::npos && frac.empty())) {
    return absl::InvalidArgumentError(absl::StrCat("value '", av(text), "' is not a number"));
  }
  if (frac.size() > 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("value '", av(text), "' has more than three decimal places"));
  }
  if (whole.size() > kMaxIntegerDigits) {
    return absl::InvalidArgumentError(absl::StrCat("value '", av(text), "' is too large"));
  }
  int64_t milli = 0;
  for (char c : whole) milli = milli * 10 + (c - '0');
  milli *= kMilliPerUnit;
  int64_t scale = 100;
  for (char c : frac) {
    milli += (c - '0') * scale;
    scale /= 10;
  }
  return Scalar::fromMilli(milli);
}

absl::StatusOr<uint64_t> parseBound(std::string_view text) {
  uint64_t value = 0;
  const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
  if (!digits || !absl::SimpleAtoi(av(text), &value)) {
    return absl::InvalidArgumentError(absl::StrCat("range bound '", av(text), "' is not a number"));
  }
  return value;
}

absl::StatusOr<std::vector<Range>> parseRanges(std::string_view inner) {
  std::vector<Range> ranges;
  if (trim(inner).empty()) return ranges;
  for (std::string_view part : split(inner, ',')) {
    part = trim(part);
    const size_t dash = part.find('-');
    std::string_view lo = part.substr(0, dash);
    std::string_view hi = dash == std::string_view::npos ? lo : part.substr(dash + 1);
    auto begin = parseBound(trim(lo));
    if (!begin.ok()) return begin.status();
    auto end = parseBound(trim(hi));
    if (!end.ok()) return end.status();
    if (*begin > *end) {
      return absl::InvalidArgumentError(absl::StrCat("range '", av(part), "' is inverted"));
    }
    ranges.push_back(Range{*begin, *end});
  }
  return ranges;
}

absl::StatusOr<std::set<std::string>> parseItems(std::string_view inner) {
  std::set<std::string> items;
  if (trim(inner).empty()) return items;
  for (std::string_view part : split(inner, ',')) {
    part = trim(part);
    if (!isValidItem(part)) {
      return absl::InvalidArgumentError(absl::StrCat("set item '", av(part), "' is invalid"));
    }
    items.emplace(part);
  }
  return items;
}

absl::StatusOr<Resources::Entry> parseEntry(std::string_view text) {
  Resources::Entry entry;
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError("expected 'name:value'");
  }
  std::string_view key = trim(text.substr(0, colon));
  std::string_view value = trim(text.substr(colon + 1));

  const size_t open = key.find('(');
  if (open != std::string_view::npos) {
    if (key.back() != ')') return absl::InvalidArgumentError("role must be written 'name(role)'");
    entry.role = std::string(trim(key.substr(open + 1, key.size() - open - 2)));
    key = trim(key.substr(0, open));
  }
  entry.name = std::string(key);

  if (value.empty()) return absl::InvalidArgumentError("value is missing");
  if (value.front() == '[') {
    if (value.back() != ']') return absl::InvalidArgumentError("ranges must end with ']'");
    auto ranges = parseRanges(value.substr(1, value.size() - 2));
    if (!ranges.ok()) return ranges.status();
    entry.kind = Resources::Kind::kRanges;
    entry.ranges = *std::move(ranges);
  } else if (value.front() == '{') {
    if (value.back() != '}') return absl::InvalidArgumentError("set must end with '}'");
    auto items = parseItems(value.substr(1, value.size() - 2));
    if (!items.ok()) return items.status();
    entry.kind = Resources::Kind::kSet;
    entry.items = *std::move(items);
  } else {
    auto scalar = parseScalar(value);
    if (!scalar.ok()) return scalar.status();
    entry.kind = Resources::Kind::kScalar;
    entry.scalar = *scalar;
  }
  return entry;
}

std::string formatValue(const Resources::Entry& e) {
  switch (e.kind) {
    case Resources::Kind::kScalar:
      return e.scalar.toString();
    case Resources::Kind::kRanges:
      return absl::StrCat("[",
                          absl::StrJoin(e.ranges, ",",
                                        [](std::string* out, const Range& r) {
                                          absl::StrAppend(out, r.begin, "-", r.end);
                                        }),
                          "]");
    case Resources::Kind::kSet:
      return absl::StrCat("{", absl::StrJoin(e.items, ","), "}");
  }
  return "";
}

}  // namespace

// ---- Scalar -----------------------------------------------------------------------------------

Scalar Scalar::fromDouble(double value) {
  if (std::isnan(value)) return Scalar(0);
  constexpr double kLimit = static_cast<double>(std::numeric_limits<int64_t>::max() / 2);
  const double milli = std::clamp(value * kMilliPerUnit, -kLimit, kLimit);
  return Scalar(std::llround(milli));
}

std::string Scalar::toString() const {
  const bool negative = milli_ < 0;
  // Work in unsigned so that the most negative value does not overflow.
  const uint64_t abs = negative ? 0 - static_cast<uint64_t>(milli_) : static_cast<uint64_t>(milli_);
  std::string out = absl::StrCat(negative ? "-" : "", abs / kMilliPerUnit);
  uint64_t frac = abs % kMilliPerUnit;
  if (frac != 0) {
    std::string digits = absl::StrCat(frac + kMilliPerUnit).substr(1);  // zero padded to 3
    while (digits.back() == '0') digits.pop_back();
    absl::StrAppend(&out, ".", digits);
  }
  return out;
}

// ---- Resources --------------------------------------------------------------------------------

absl::StatusOr<Resources> Resources::parse(std::string_view text) {
  Resources out;
  for (std::string_view raw : split(text, ';')) {
    const std::string_view segment = trim(raw);
    if (segment.empty()) continue;  // tolerate a trailing ';'
    auto entry = parseEntry(segment);
    if (!entry.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid resource entry '", av(segment), "': ", entry.status().message()));
    }
    if (absl::Status s = out.add(*entry); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid resource entry '", av(segment), "': ", s.message()));
    }
  }
  return out;
}

Resources Resources::scalar(std::string name, Scalar value, std::string role) {
  Resources out;
  Entry e;
  e.name = std::move(name);
  e.role = std::move(role);
  e.kind = Kind::kScalar;
  e.scalar = value;
  (void)out.add(e);  // invalid input yields an empty Resources
  return out;
}

Resources Resources::ranges(std::string name, std::vector<Range> ranges, std::string role) {
  Resources out;
  Entry e;
  e.name = std::move(name);
  e.role = std::move(role);
  e.kind = Kind::kRanges;
  e.ranges = std::move(ranges);
  (void)out.add(e);
  return out;
}

Resources Resources::set(std::string name, std::set<std::string> items, std::string role) {
  Resources out;
  Entry e;
  e.name = std::move(name);
  e.role = std::move(role);
  e.kind = Kind::kSet;
  e.items = std::move(items);
  (void)out.add(e);
  return out;
}

absl::Status Resources::add(const Entry& entry) {
  if (!isValidName(entry.name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "resource name '", entry.name, "' is invalid (use letters, digits, '_', '-', '.', '/')"));
  }
  if (!isValidRole(entry.role)) {
    return absl::InvalidArgumentError(
        absl::StrCat("role '", entry.role, "' of resource '", entry.name, "' is invalid"));
  }
  switch (entry.kind) {
    case Kind::kScalar:
      if (entry.scalar.milli() < 0) {
        return absl::InvalidArgumentError(absl::StrCat(
            "resource '", describe(entry), "' is negative (", entry.scalar.toString(), ")"));
      }
      break;
    case Kind::kRanges:
      for (const Range& r : entry.ranges) {
        if (r.begin > r.end) {
          return absl::InvalidArgumentError(absl::StrCat(
              "resource '", describe(entry), "' has inverted range ", r.begin, "-", r.end));
        }
      }
      break;
    case Kind::kSet:
      for (const std::string& item : entry.items) {
        if (!isValidItem(item)) {
          return absl::InvalidArgumentError(
              absl::StrCat("resource '", describe(entry), "' has invalid set item '", item, "'"));
        }
      }
      break;
  }
  for (auto it = entries_.lower_bound({entry.name, ""});
       it != entries_.end() && it->first.first == entry.name; ++it) {
    if (it->second.kind != entry.kind) {
      return absl::InvalidArgumentError(
          absl::StrCat("resource '", describe(entry), "' clashes with '", describe(it->second),
                       "': the same name cannot be both a scalar, ranges or a set"));
    }
  }
  Entry normalized = entry;
  normalized.ranges = normalizeRanges(entry.ranges);
  auto key = std::make_pair(entry.name, entry.role);
  auto found = entries_.find(key);
  if (found == entries_.end()) {
    if (!isEmptyValue(normalized)) entries_.emplace(std::move(key), std::move(normalized));
    return absl::OkStatus();
  }
  Entry& into = found->second;
  into.scalar += normalized.scalar;
  into.ranges = unionRanges(into.ranges, normalized.ranges);
  into.items.insert(normalized.items.begin(), normalized.items.end());
  if (isEmptyValue(into)) entries_.erase(found);
  return absl::OkStatus();
}

Resources& Resources::operator+=(const Resources& other) {
  for (const auto& [key, e] : other.entries_) {
    auto found = entries_.find(key);
    if (found == entries_.end()) {
      entries_.emplace(key, e);
      continue;
    }
    Entry& into = found->second;
    if (into.kind != e.kind) continue;  // a clash cannot be merged; the entry is ignored
    into.scalar += e.scalar;
    into.ranges = unionRanges(into.ranges, e.ranges);
    into.items.insert(e.items.begin(), e.items.end());
  }
  return *this;
}

Resources& Resources::operator-=(const Resources& other) {
  for (const auto& [key, e] : other.entries_) {
    auto found = entries_.find(key);
    if (found == entries_.end() || found->second.kind != e.kind) continue;
    Entry& from = found->second;
    switch (e.kind) {
      case Kind::kScalar:
        from.scalar -= e.scalar;
        if (from.scalar.milli() < 0) from.scalar = Scalar{};  // never below zero
        break;
      case Kind::kRanges:
        from.ranges = subtractRanges(from.ranges, e.ranges);
        break;
      case Kind::kSet:
        for (const std::string& item : e.items) from.items.erase(item);
        break;
    }
    if (isEmptyValue(from)) entries_.erase(found);
  }
  return *this;
}

Resources Resources::operator+(const Resources& other) const {
  Resources out = *this;
  out += other;
  return out;
}

Resources Resources::operator-(const Resources& other) const {
  Resources out = *this;
  out -= other;
  return out;
}

bool Resources::contains(const Resources& other) const {
  for (const auto& [key, e] : other.entries_) {
    auto found = entries_.find(key);
    if (found == entries_.end() || found->second.kind != e.kind) return false;
    const Entry& mine = found->second;
    switch (e.kind) {
      case Kind::kScalar:
        if (mine.scalar < e.scalar) return false;
        break;
      case Kind::kRanges:
        if (!rangesContain(mine.ranges, e.ranges)) return false;
        break;
      case Kind::kSet:
        if (!std::includes(mine.items.begin(), mine.items.end(), e.items.begin(), e.items.end())) {
          return false;
        }
        break;
    }
  }
  return true;
}

Resources Resources::intersection(const Resources& other) const {
  Resources out;
  for (const auto& [key, e] : other.entries_) {
    auto found = entries_.find(key);
    if (found == entries_.end() || found->second.kind != e.kind) continue;
    const Entry& mine = found->second;
    Entry common;
    common.name = e.name;
    common.role = e.role;
    common.kind = e.kind;
    switch (e.kind) {
      case Kind::kScalar:
        common.scalar = std::min(mine.scalar, e.scalar);
        break;
      case Kind::kRanges:
        common.ranges = intersectRanges(mine.ranges, e.ranges);
        break;
      case Kind::kSet:
        std::set_intersection(mine.items.begin(), mine.items.end(), e.items.begin(), e.items.end(),
                              std::inserter(common.items, common.items.end()));
        break;
    }
    if (!isEmptyValue(common)) out.entries_.emplace(key, std::move(common));
  }
  return out;
}

Scalar Resources::scalar(std::string_view name) const {
  Scalar sum;
  for (auto it = entries_.lower_bound({std::string(name), ""});
       it != entries_.end() && it->first.first == name; ++it) {
    if (it->second.kind == Kind::kScalar) sum += it->second.scalar;
  }
  return sum;
}

std::vector<std::string> Resources::scalarNames() const {
  std::vector<std::string> names;
  for (const auto& [key, e] : entries_) {
    if (e.kind == Kind::kScalar && (names.empty() || names.back() != e.name)) {
      names.push_back(e.name);
    }
  }
  return names;
}

Resources Resources::unreserved() const { return reservedTo("*"); }

Resources Resources::reservedTo(std::string_view role) const {
  Resources out;
  for (const auto& [key, e] : entries_) {
    if (e.role == role) out.entries_.emplace(key, e);
  }
  return out;
}

Resources Resources::allocatableTo(std::string_view role) const {
  Resources out;
  for (const auto& [key, e] : entries_) {
    if (e.role == "*" || e.role == role) out.entries_.emplace(key, e);
  }
  return out;
}

std::string Resources::toString() const {
  return absl::StrJoin(entries_, ";", [](std::string* out, const auto& kv) {
    absl::StrAppend(out, describe(kv.second), ":", formatValue(kv.second));
  });
}

}  // namespace orch::core
