// A minimal MessagePack reader and writer: exactly the formats cty's encoding uses. Private to
// provider/values.
//
// Why not nlohmann_json's msgpack support (which the rest of the tree uses for JSON): it cannot
// read the refinements of unknown values (msgpack maps with integer keys; nlohmann only accepts
// string keys), and its writer turns every float that fits a float32 into a float32, where cty and
// the reference require float64. Decoding straight from the bytes against the schema type also
// avoids an intermediate document and bounds recursion by the type, not by the input.
//
// MsgpackReader reads from a borrowed buffer, checks every length against what is left, and never
// reads past the end. Neither class is synchronised; use one per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace fluxcpp::provider::values {

// The broad family of the next msgpack item, for dispatch and messages.
enum class MsgpackFamily {
  kNil,
  kBool,
  kInt,
  kFloat,
  kString,
  kBinary,
  kArray,
  kMap,
  kExtension,
  kInvalid,
  kEnd
};

// "nil", "bool", "integer", "float", "string", "binary", "array", "map", "extension", "invalid
// byte", "end of input".
std::string_view MsgpackFamilyName(MsgpackFamily family);

// An extension: its type code and the body, which points into the reader's buffer.
struct MsgpackExtension {
  int8_t type = 0;
  std::string_view body;
};

// A number as it came off the wire: exactly one of the three.
struct MsgpackNumber {
  enum class Kind { kSigned, kUnsigned, kFloat } kind = Kind::kSigned;
  int64_t signed_value = 0;
  uint64_t unsigned_value = 0;
  double float_value = 0;
};

class MsgpackReader {
 public:
  explicit MsgpackReader(std::string_view data) : data_(data) {}

  MsgpackFamily Peek() const;
  bool AtEnd() const { return position_ >= data_.size(); }
  size_t position() const { return position_; }

  // Each Read* consumes one item of its family, or fails without a useful position change
  // (callers stop at the first error).
  [[nodiscard]] absl::Status ReadNil();
  [[nodiscard]] absl::StatusOr<bool> ReadBool();
  [[nodiscard]] absl::StatusOr<MsgpackNumber> ReadNumber();     // any int or float format
  [[nodiscard]] absl::StatusOr<std::string_view> ReadString();  // str formats only
  [[nodiscard]] absl::StatusOr<std::string_view> ReadBinary();  // bin formats only
  // Headers: the number of elements (arrays) or key/value pairs (maps) that follow. The count is
  // checked against the bytes left (every item takes at least one byte), so callers may reserve.
  [[nodiscard]] absl::StatusOr<size_t> ReadArrayHeader();
  [[nodiscard]] absl::StatusOr<size_t> ReadMapHeader();
  [[nodiscard]] absl::StatusOr<MsgpackExtension> ReadExtension();
  // Skips one complete item of any kind, however nested, without recursion.
  [[nodiscard]] absl::Status Skip();

 private:
  // Consumes `count` bytes; fails if fewer remain.
  [[nodiscard]] absl::StatusOr<std::string_view> Take(size_t count);
  [[nodiscard]] absl::StatusOr<uint64_t> TakeBigEndian(size_t bytes);
  [[nodiscard]] absl::Status Unexpected(std::string_view wanted) const;

  std::string_view data_;
  size_t position_ = 0;
};

class MsgpackWriter {
 public:
  // Integers in the most compact format, as cty (vmihailenco/msgpack EncodeInt) writes them.
  void WriteInt(int64_t value);
  void WriteUint(uint64_t value);
  // Always float64.
  void WriteFloat64(double value);
  void WriteNil();
  void WriteBool(bool value);
  void WriteString(std::string_view value);
  void WriteBinary(std::string_view value);
  void WriteArrayHeader(size_t count);
  void WriteMapHeader(size_t count);
  // fixext for bodies of 1, 2, 4, 8 or 16 bytes, else ext8/16/32.
  void WriteExtension(int8_t type, std::string_view body);

  const std::string& bytes() const { return bytes_; }
  std::string Release() { return std::move(bytes_); }

 private:
  void WriteBigEndian(uint64_t value, size_t bytes);
  std::string bytes_;
};

}  // namespace fluxcpp::provider::values
