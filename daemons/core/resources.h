// Resources: named scalars (cpus, mem, disk, gpus, any custom name), ranges (ports) and sets,
// each optionally reserved to a role. Scalars are fixed point (thousandths), so arithmetic is
// exact: ten times 0.1 cpus is exactly 1 cpu.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace orch::core {

// A non-negative or negative fixed-point quantity with three decimal places.
class Scalar {
 public:
  constexpr Scalar() = default;
  static constexpr Scalar fromMilli(int64_t milli) { return Scalar(milli); }
  // Rounds to the nearest thousandth.
  static Scalar fromDouble(double value);

  constexpr int64_t milli() const { return milli_; }
  double toDouble() const { return static_cast<double>(milli_) / 1000.0; }
  std::string toString() const;  // "0.5", "2", "1.25"

  constexpr Scalar operator+(Scalar o) const { return Scalar(milli_ + o.milli_); }
  constexpr Scalar operator-(Scalar o) const { return Scalar(milli_ - o.milli_); }
  constexpr Scalar& operator+=(Scalar o) { milli_ += o.milli_; return *this; }
  constexpr Scalar& operator-=(Scalar o) { milli_ -= o.milli_; return *this; }
  friend constexpr auto operator<=>(Scalar, Scalar) = default;

 private:
  constexpr explicit Scalar(int64_t milli) : milli_(milli) {}
  int64_t milli_ = 0;
};

// An inclusive range of integers, e.g. ports [31000-32000].
struct Range {
  uint64_t begin = 0;
  uint64_t end = 0;
  friend auto operator<=>(const Range&, const Range&) = default;
};

// A bag of resources keyed by (name, reservation role). Values of one key are merged: scalars
// add, ranges union (kept sorted and coalesced), sets union. Empty values are dropped, so a
// Resources that had everything subtracted is empty().
class Resources {
 public:
  enum class Kind { kScalar, kRanges, kSet };

  struct Entry {
    std::string name;
    std::string role = "*";  // "*" = unreserved; otherwise the role it is reserved to
    Kind kind = Kind::kScalar;
    Scalar scalar;
    std::vector<Range> ranges;   // sorted, disjoint, coalesced
    std::set<std::string> items;  // for kSet
    friend bool operator==(const Entry&, const Entry&) = default;
  };

  Resources() = default;

  // Parses "cpus:4;mem:1024;disk:2000;ports:[31000-32000,33000-33100];zones:{a,b}",
  // optionally with a role per entry: "cpus(eng):2". Errors name the offending entry.
  static absl::StatusOr<Resources> parse(std::string_view text);

  static Resources scalar(std::string name, Scalar value, std::string role = "*");
  static Resources ranges(std::string name, std::vector<Range> ranges, std::string role = "*");
  static Resources set(std::string name, std::set<std::string> items, std::string role = "*");

  // Validates and adds one entry (negative scalars, inverted ranges and kind clashes with an
  // existing entry of the same name are errors that name the entry).
  absl::Status add(const Entry& entry);

  Resources& operator+=(const Resources& other);
  // Subtracts what is present; the caller checks contains() first where it matters.
  Resources& operator-=(const Resources& other);
  Resources operator+(const Resources& other) const;
  Resources operator-(const Resources& other) const;
  friend bool operator==(const Resources&, const Resources&) = default;

  // True when every entry of `other` is covered (same name and role; scalar <=, ranges and
  // sets are subsets).
  bool contains(const Resources& other) const;
  // The part of `other` that this also holds, per (name, role): the smaller scalar, the common
  // ranges, the common set items. a.contains(a.intersection(b)) and b.contains(...) both hold.
  Resources intersection(const Resources& other) const;
  bool empty() const { return entries_.empty(); }

  // Sum of the named scalar across all roles (0 when absent).
  Scalar scalar(std::string_view name) const;
  // Names of every scalar resource present.
  std::vector<std::string> scalarNames() const;

  Resources unreserved() const;                          // role "*" only
  Resources reservedTo(std::string_view role) const;      // exactly that role
  Resources allocatableTo(std::string_view role) const;   // unreserved + reserved to role

  const std::map<std::pair<std::string, std::string>, Entry>& entries() const { return entries_; }
  std::string toString() const;  // the parse() format; parse(toString()) round-trips

 private:
  std::map<std::pair<std::string, std::string>, Entry> entries_;  // key: (name, role)
};

}  // namespace orch::core
