#include "provider/values/msgpack_stream.h"

#include <bit>
#include <cstring>

namespace fluxcpp::provider::values {

namespace {

uint8_t Byte(std::string_view data, size_t position) {
  return static_cast<uint8_t>(data[position]);
}

MsgpackFamily FamilyOf(uint8_t code) {
  if (code <= 0x7f || code >= 0xe0) return MsgpackFamily::kInt;
  if (code <= 0x8f) return MsgpackFamily::kMap;
  if (code <= 0x9f) return MsgpackFamily::kArray;
  if (code <= 0xbf) return MsgpackFamily::kString;
  switch (code) {
    case 0xc0:
      return MsgpackFamily::kNil;
    case 0xc2:
    case 0xc3:
      return MsgpackFamily::kBool;
    case 0xc4:
    case 0xc5:
    case 0xc6:
      return MsgpackFamily::kBinary;
    case 0xc7:
    case 0xc8:
    case 0xc9:
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return MsgpackFamily::kExtension;
    case 0xca:
    case 0xcb:
      return MsgpackFamily::kFloat;
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
      return MsgpackFamily::kInt;
    case 0xd9:
    case 0xda:
    case 0xdb:
      return MsgpackFamily::kString;
    case 0xdc:
    case 0xdd:
      return MsgpackFamily::kArray;
    case 0xde:
    case 0xdf:
      return MsgpackFamily::kMap;
    default:
      return MsgpackFamily::kInvalid;  // 0xc1 is never used
  }
}

}  // namespace

std::string_view MsgpackFamilyName(MsgpackFamily family) {
  switch (family) {
    case MsgpackFamily::kNil:
      return "nil";
    case MsgpackFamily::kBool:
      return "bool";
    case MsgpackFamily::kInt:
      return "integer";
    case MsgpackFamily::kFloat:
      return "float";
    case MsgpackFamily::kString:
      return "string";
    case MsgpackFamily::kBinary:
      return "binary";
    case MsgpackFamily::kArray:
      return "array";
    case MsgpackFamily::kMap:
      return "map";
    case MsgpackFamily::kExtension:
      return "extension";
    case MsgpackFamily::kInvalid:
      return "invalid byte";
    case MsgpackFamily::kEnd:
      return "end of input";
  }
  return "invalid byte";
}

MsgpackFamily MsgpackReader::Peek() const {
  if (AtEnd()) return MsgpackFamily::kEnd;
  return FamilyOf(Byte(data_, position_));
}

absl::Status MsgpackReader::Unexpected(std::string_view wanted) const {
  return absl::InvalidArgumentError("msgpack: expected " + std::string(wanted) + " at byte " +
                                    std::to_string(position_) + ", found " +
                                    std::string(MsgpackFamilyName(Peek())));
}

absl::StatusOr<std::string_view> MsgpackReader::Take(size_t count) {
  if (count > data_.size() - position_) {
    return absl::InvalidArgumentError("msgpack: truncated input at byte " +
                                      std::to_string(position_) + " (" + std::to_string(count) +
                                      " more bytes wanted, " +
                                      std::to_string(data_.size() - position_) + " left)");
  }
  std::string_view taken = data_.substr(position_, count);
  position_ += count;
  return taken;
}

absl::StatusOr<uint64_t> MsgpackReader::TakeBigEndian(size_t bytes) {
  auto taken = Take(bytes);
  if (!taken.ok()) return taken.status();
  uint64_t value = 0;
  for (char c : *taken) value = (value << 8) | static_cast<uint8_t>(c);
  return value;
}

absl::Status MsgpackReader::ReadNil() {
  if (Peek() != MsgpackFamily::kNil) return Unexpected("nil");
  ++position_;
  return absl::OkStatus();
}

absl::StatusOr<bool> MsgpackReader::ReadBool() {
  if (Peek() != MsgpackFamily::kBool) return Unexpected("bool");
  return Byte(data_, position_++) == 0xc3;
}

absl::StatusOr<MsgpackNumber> MsgpackReader::ReadNumber() {
  MsgpackFamily family = Peek();
  if (family != MsgpackFamily::kInt && family != MsgpackFamily::kFloat) {
    return Unexpected("number");
  }
  const uint8_t code = Byte(data_, position_++);
  MsgpackNumber number;
  auto set_signed = [&](int64_t value) {
    number.kind = MsgpackNumber::Kind::kSigned;
    number.signed_value = value;
  };
  if (code <= 0x7f) {
    set_signed(code);
    return number;
  }
  if (code >= 0xe0) {
    set_signed(static_cast<int8_t>(code));
    return number;
  }
  // Sizes: 0xcc..0xcf unsigned 1/2/4/8 bytes, 0xd0..0xd3 signed 1/2/4/8 bytes.
  static constexpr size_t kWidths[] = {1, 2, 4, 8};
  if (code == 0xca || code == 0xcb) {
    auto bits = TakeBigEndian(code == 0xca ? 4 : 8);
    if (!bits.ok()) return bits.status();
    number.kind = MsgpackNumber::Kind::kFloat;
    number.float_value =
        code == 0xca ? static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(*bits)))
                     : std::bit_cast<double>(*bits);
    return number;
  }
  if (code >= 0xcc && code <= 0xcf) {
    auto value = TakeBigEndian(kWidths[code - 0xcc]);
    if (!value.ok()) return value.status();
    number.kind = MsgpackNumber::Kind::kUnsigned;
    number.unsigned_value = *value;
    return number;
  }
  const size_t width = kWidths[code - 0xd0];
  auto raw = TakeBigEndian(width);
  if (!raw.ok()) return raw.status();
  // Sign-extend from `width` bytes.
  const unsigned shift = 64 - 8 * width;
  set_signed(static_cast<int64_t>(*raw << shift) >> shift);
  return number;
}

absl::StatusOr<std::string_view> MsgpackReader::ReadString() {
  if (Peek() != MsgpackFamily::kString) return Unexpected("string");
  const uint8_t code = Byte(data_, position_);
  size_t length = 0;
  ++position_;
  if (code <= 0xbf) {
    length = code & 0x1f;
  } else {
    auto value = TakeBigEndian(code == 0xd9 ? 1 : code == 0xda ? 2 : 4);
    if (!value.ok()) return value.status();
    length = *value;
  }
  return Take(length);
}

absl::StatusOr<std::string_view> MsgpackReader::ReadBinary() {
  if (Peek() != MsgpackFamily::kBinary) return Unexpected("binary");
  const uint8_t code = Byte(data_, position_++);
  auto length = TakeBigEndian(code == 0xc4 ? 1 : code == 0xc5 ? 2 : 4);
  if (!length.ok()) return length.status();
  return Take(*length);
}

absl::StatusOr<size_t> MsgpackReader::ReadArrayHeader() {
  if (Peek() != MsgpackFamily::kArray) return Unexpected("array");
  const uint8_t code = Byte(data_, position_++);
  uint64_t count = 0;
  if (code <= 0x9f) {
    count = code & 0x0f;
  } else {
    auto value = TakeBigEndian(code == 0xdc ? 2 : 4);
    if (!value.ok()) return value.status();
    count = *value;
  }
  if (count > data_.size() - position_) {
    return absl::InvalidArgumentError("msgpack: array of " + std::to_string(count) +
                                      " elements does not fit in the input");
  }
  return count;
}

absl::StatusOr<size_t> MsgpackReader::ReadMapHeader() {
  if (Peek() != MsgpackFamily::kMap) return Unexpected("map");
  const uint8_t code = Byte(data_, position_++);
  uint64_t count = 0;
  if (code <= 0x8f) {
    count = code & 0x0f;
  } else {
    auto value = TakeBigEndian(code == 0xde ? 2 : 4);
    if (!value.ok()) return value.status();
    count = *value;
  }
  if (count > (data_.size() - position_) / 2) {
    return absl::InvalidArgumentError("msgpack: map of " + std::to_string(count) +
                                      " entries does not fit in the input");
  }
  return count;
}

absl::StatusOr<MsgpackExtension> MsgpackReader::ReadExtension() {
  if (Peek() != MsgpackFamily::kExtension) return Unexpected("extension");
  const uint8_t code = Byte(data_, position_++);
  size_t length = 0;
  switch (code) {
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      length = size_t{1} << (code - 0xd4);
      break;
    default: {
      auto value = TakeBigEndian(code == 0xc7 ? 1 : code == 0xc8 ? 2 : 4);
      if (!value.ok()) return value.status();
      length = *value;
    }
  }
  auto type = Take(1);
  if (!type.ok()) return type.status();
  auto body = Take(length);
  if (!body.ok()) return body.status();
  return MsgpackExtension{.type = static_cast<int8_t>((*type)[0]), .body = *body};
}

absl::Status MsgpackReader::Skip() {
  // Items still to skip; containers add their contents instead of recursing.
  uint64_t pending = 1;
  while (pending > 0) {
    --pending;
    switch (Peek()) {
      case MsgpackFamily::kNil:
      case MsgpackFamily::kBool:
        ++position_;
        break;
      case MsgpackFamily::kInt:
      case MsgpackFamily::kFloat:
        if (auto number = ReadNumber(); !number.ok()) return number.status();
        break;
      case MsgpackFamily::kString:
        if (auto text = ReadString(); !text.ok()) return text.status();
        break;
      case MsgpackFamily::kBinary:
        if (auto bytes = ReadBinary(); !bytes.ok()) return bytes.status();
        break;
      case MsgpackFamily::kExtension:
        if (auto extension = ReadExtension(); !extension.ok()) return extension.status();
        break;
      case MsgpackFamily::kArray: {
        auto count = ReadArrayHeader();
        if (!count.ok()) return count.status();
        pending += *count;
        break;
      }
      case MsgpackFamily::kMap: {
        auto count = ReadMapHeader();
        if (!count.ok()) return count.status();
        pending += 2 * static_cast<uint64_t>(*count);
        break;
      }
      case MsgpackFamily::kInvalid:
      case MsgpackFamily::kEnd:
        return Unexpected("a value");
    }
  }
  return absl::OkStatus();
}

void MsgpackWriter::WriteBigEndian(uint64_t value, size_t bytes) {
  for (size_t i = bytes; i > 0; --i) {
    bytes_.push_back(static_cast<char>((value >> (8 * (i - 1))) & 0xff));
  }
}

void MsgpackWriter::WriteInt(int64_t value) {
  if (value >= 0) return WriteUint(static_cast<uint64_t>(value));
  if (value >= -32) {
    bytes_.push_back(static_cast<char>(value));
  } else if (value >= INT8_MIN) {
    bytes_.push_back(static_cast<char>(0xd0));
    WriteBigEndian(static_cast<uint64_t>(value), 1);
  } else if (value >= INT16_MIN) {
    bytes_.push_back(static_cast<char>(0xd1));
    WriteBigEndian(static_cast<uint64_t>(value), 2);
  } else if (value >= INT32_MIN) {
    bytes_.push_back(static_cast<char>(0xd2));
    WriteBigEndian(static_cast<uint64_t>(value), 4);
  } else {
    bytes_.push_back(static_cast<char>(0xd3));
    WriteBigEndian(static_cast<uint64_t>(value), 8);
  }
}

void MsgpackWriter::WriteUint(uint64_t value) {
  if (value <= 0x7f) {
    bytes_.push_back(static_cast<char>(value));
  } else if (value <= UINT8_MAX) {
    bytes_.push_back(static_cast<char>(0xcc));
    WriteBigEndian(value, 1);
  } else if (value <= UINT16_MAX) {
    bytes_.push_back(static_cast<char>(0xcd));
    WriteBigEndian(value, 2);
  } else if (value <= UINT32_MAX) {
    bytes_.push_back(static_cast<char>(0xce));
    WriteBigEndian(value, 4);
  } else {
    bytes_.push_back(static_cast<char>(0xcf));
    WriteBigEndian(value, 8);
  }
}

void MsgpackWriter::WriteFloat64(double value) {
  bytes_.push_back(static_cast<char>(0xcb));
  WriteBigEndian(std::bit_cast<uint64_t>(value), 8);
}

void MsgpackWriter::WriteNil() { bytes_.push_back(static_cast<char>(0xc0)); }

void MsgpackWriter::WriteBool(bool value) {
  bytes_.push_back(static_cast<char>(value ? 0xc3 : 0xc2));
}

void MsgpackWriter::WriteString(std::string_view value) {
  const size_t length = value.size();
  if (length < 32) {
    bytes_.push_back(static_cast<char>(0xa0 | length));
  } else if (length <= UINT8_MAX) {
    bytes_.push_back(static_cast<char>(0xd9));
    WriteBigEndian(length, 1);
  } else if (length <= UINT16_MAX) {
    bytes_.push_back(static_cast<char>(0xda));
    WriteBigEndian(length, 2);
  } else {
    bytes_.push_back(static_cast<char>(0xdb));
    WriteBigEndian(length, 4);
  }
  bytes_.append(value);
}

void MsgpackWriter::WriteBinary(std::string_view value) {
  const size_t length = value.size();
  if (length <= UINT8_MAX) {
    bytes_.push_back(static_cast<char>(0xc4));
    WriteBigEndian(length, 1);
  } else if (length <= UINT16_MAX) {
    bytes_.push_back(static_cast<char>(0xc5));
    WriteBigEndian(length, 2);
  } else {
    bytes_.push_back(static_cast<char>(0xc6));
    WriteBigEndian(length, 4);
  }
  bytes_.append(value);
}

void MsgpackWriter::WriteArrayHeader(size_t count) {
  if (count < 16) {
    bytes_.push_back(static_cast<char>(0x90 | count));
  } else if (count <= UINT16_MAX) {
    bytes_.push_back(static_cast<char>(0xdc));
    WriteBigEndian(count, 2);
  } else {
    bytes_.push_back(static_cast<char>(0xdd));
    WriteBigEndian(count, 4);
  }
}

void MsgpackWriter::WriteMapHeader(size_t count) {
  if (count < 16) {
    bytes_.push_back(static_cast<char>(0x80 | count));
  } else if (count <= UINT16_MAX) {
    bytes_.push_back(static_cast<char>(0xde));
    WriteBigEndian(count, 2);
  } else {
    bytes_.push_back(static_cast<char>(0xdf));
    WriteBigEndian(count, 4);
  }
}

void MsgpackWriter::WriteExtension(int8_t type, std::string_view body) {
  const size_t length = body.size();
  switch (length) {
    case 1:
      bytes_.push_back(static_cast<char>(0xd4));
      break;
    case 2:
      bytes_.push_back(static_cast<char>(0xd5));
      break;
    case 4:
      bytes_.push_back(static_cast<char>(0xd6));
      break;
    case 8:
      bytes_.push_back(static_cast<char>(0xd7));
      break;
    case 16:
      bytes_.push_back(static_cast<char>(0xd8));
      break;
    default:
      if (length <= UINT8_MAX) {
        bytes_.push_back(static_cast<char>(0xc7));
        WriteBigEndian(length, 1);
      } else if (length <= UINT16_MAX) {
        bytes_.push_back(static_cast<char>(0xc8));
        WriteBigEndian(length, 2);
      } else {
        bytes_.push_back(static_cast<char>(0xc9));
        WriteBigEndian(length, 4);
      }
  }
  bytes_.push_back(static_cast<char>(type));
  bytes_.append(body);
}

}  // namespace fluxcpp::provider::values
