#include "lib/kustomize/yaml_output.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <regex>

#include "lib/manifest/scalar.h"

namespace fluxcpp::kustomize {
namespace {

using manifest::Json;

constexpr int kBestIndent = 2;
constexpr int kBestWidth = 80;
// go-yaml writes a key longer than this as a complex key (`? key`); resources never have such keys.
constexpr size_t kMaxSimpleKeyLength = 128;

// ---- Characters, as libyaml classifies UTF-8 bytes -------------------------------------------

int Width(unsigned char first) {
  if ((first & 0x80) == 0x00) return 1;
  if ((first & 0xE0) == 0xC0) return 2;
  if ((first & 0xF0) == 0xE0) return 3;
  if ((first & 0xF8) == 0xF0) return 4;
  return 1;
}

unsigned char At(std::string_view s, size_t i) { return i < s.size() ? s[i] : 0; }

bool IsSpace(std::string_view s, size_t i) { return At(s, i) == ' '; }
bool IsBreak(std::string_view s, size_t i) {
  unsigned char c = At(s, i);
  return c == '\r' || c == '\n' || (c == 0xC2 && At(s, i + 1) == 0x85) ||
         (c == 0xE2 && At(s, i + 1) == 0x80 && (At(s, i + 2) == 0xA8 || At(s, i + 2) == 0xA9));
}
bool IsBlankOrEnd(std::string_view s, size_t i) {
  return i >= s.size() || At(s, i) == ' ' || At(s, i) == '\t' || IsBreak(s, i);
}
bool IsPrintable(std::string_view s, size_t i) {
  unsigned char c = At(s, i), next = At(s, i + 1), third = At(s, i + 2);
  return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c == 0xC2 && next >= 0xA0) ||
         (c > 0xC2 && c < 0xED) || (c == 0xED && next < 0xA0) || c == 0xEE ||
         (c == 0xEF && !(next == 0xBB && third == 0xBF) &&
          !(next == 0xBF && (third == 0xBE || third == 0xBF)));
}
bool IsBom(std::string_view s, size_t i) {
  return At(s, i) == 0xEF && At(s, i + 1) == 0xBB && At(s, i + 2) == 0xBF;
}

uint32_t DecodeRune(std::string_view s, size_t i) {
  unsigned char c = At(s, i);
  int width = Width(c);
  uint32_t value = width == 1 ? c : width == 2 ? (c & 0x1F) : width == 3 ? (c & 0x0F) : (c & 0x07);
  for (int k = 1; k < width; ++k) value = (value << 6) | (At(s, i + k) & 0x3F);
  return value;
}

// ---- Which style a string gets (go-yaml v2 encoder + libyaml's scalar analysis) ---------------

struct Analysis {
  bool multiline = false;
  bool flow_plain_allowed = true;
  bool block_plain_allowed = true;
  bool single_quoted_allowed = true;
  bool block_allowed = true;
};

Analysis Analyze(std::string_view value) {
  Analysis result;
  if (value.empty()) {
    result.flow_plain_allowed = false;
    result.block_allowed = false;
    return result;
  }
  bool block_indicators = false, flow_indicators = false, line_breaks = false,
       special_characters = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false,
       break_space = false, space_break = false;
  bool previous_space = false, previous_break = false;
  if (value.starts_with("---") || value.starts_with("...")) {
    block_indicators = flow_indicators = true;
  }
  bool preceded_by_whitespace = true;
  bool followed_by_whitespace = IsBlankOrEnd(value, Width(value[0]));
  for (size_t i = 0; i < value.size();) {
    unsigned char c = value[i];
    bool first = i == 0;
    size_t width = Width(c);
    bool last = i + width >= value.size();
    if (first) {
      if (std::string_view("#,[]{}&*!|>'\"%@`").find(c) != std::string_view::npos) {
        flow_indicators = block_indicators = true;
      }
      if (c == '?' || c == ':') {
        flow_indicators = true;
        if (followed_by_whitespace) block_indicators = true;
      }
      if (c == '-' && followed_by_whitespace) flow_indicators = block_indicators = true;
    } else {
      if (std::string_view(",?[]{}").find(c) != std::string_view::npos) flow_indicators = true;
      if (c == ':') {
        flow_indicators = true;
        if (followed_by_whitespace) block_indicators = true;
      }
      if (c == '#' && preceded_by_whitespace) flow_indicators = block_indicators = true;
    }
    if (!IsPrintable(value, i)) special_characters = true;
    if (IsBreak(value, i)) line_breaks = true;
    if (IsSpace(value, i)) {
      if (first) leading_space = true;
      if (last) trailing_space = true;
      if (previous_break) break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (IsBreak(value, i)) {
      if (first) leading_break = true;
      if (last) trailing_break = true;
      if (previous_space) space_break = true;
      previous_break = true;
      previous_space = false;
    } else {
      previous_space = previous_break = false;
    }
    preceded_by_whitespace = IsBlankOrEnd(value, i);
    i += width;
    if (i < value.size()) followed_by_whitespace = IsBlankOrEnd(value, i + Width(value[i]));
  }
  result.multiline = line_breaks;
  if (leading_space || leading_break || trailing_space || trailing_break) {
    result.flow_plain_allowed = result.block_plain_allowed = false;
  }
  if (trailing_space) result.block_allowed = false;
  if (break_space) {
    result.flow_plain_allowed = result.block_plain_allowed = result.single_quoted_allowed = false;
  }
  if (space_break || special_characters) {
    result.flow_plain_allowed = result.block_plain_allowed = result.single_quoted_allowed =
        result.block_allowed = false;
  }
  if (line_breaks) result.flow_plain_allowed = result.block_plain_allowed = false;
  if (flow_indicators) result.flow_plain_allowed = false;
  if (block_indicators) result.block_plain_allowed = false;
  return result;
}

// go-yaml v2's resolve(): true when the plain text would read back as something other than a
// string (null, bool, number, timestamp, merge key), or is a YAML 1.1 base-60 float.
bool ResolvesToNonString(const std::string& text) {
  if (manifest::NeedsQuotes(text)) return true;
  if (text == "<<") return true;
  if (!text.empty() && text[0] >= '0' && text[0] <= '9' && manifest::YamlTimestampAsRfc3339(text)) {
    return true;
  }
  static const std::regex kBase60(R"([-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)");
  return text.find(':') != std::string::npos && std::regex_match(text, kBase60);
}

enum class Style { kPlain, kSingleQuoted, kDoubleQuoted, kLiteral };

Style SelectStyle(const std::string& text, bool simple_key) {
  Style style;
  if (text.find('\n') != std::string::npos) {
    style = Style::kLiteral;
  } else if (!ResolvesToNonString(text)) {
    style = Style::kPlain;
  } else {
    style = Style::kDoubleQuoted;
  }
  Analysis analysis = Analyze(text);
  if (style == Style::kPlain) {
    if (!analysis.block_plain_allowed || (text.empty() && simple_key)) {
      style = Style::kSingleQuoted;
    }
  }
  if (style == Style::kSingleQuoted && !analysis.single_quoted_allowed) {
    style = Style::kDoubleQuoted;
  }
  if (style == Style::kLiteral && (!analysis.block_allowed || simple_key)) {
    style = Style::kDoubleQuoted;
  }
  return style;
}

// ---- The emitter -------------------------------------------------------------------------------

class Emitter {
 public:
  std::string Take() { return std::move(out_); }

  void Document(const Json& value) {
    if (value.is_object() && !value.empty()) {
      Mapping(value, 0);
    } else if (value.is_array() && !value.empty()) {
      Sequence(value, 0);
    } else {
      Scalar(value, 0, false);
    }
    if (column_ != 0) Break();
  }

 private:
  void Put(char c) {
    out_ += c;
    ++column_;
  }
  void Break() {
    out_ += '\n';
    column_ = 0;
  }
  // Copies one UTF-8 character; a column is a character, not a byte.
  void Write(std::string_view s, size_t& i) {
    int width = Width(s[i]);
    out_.append(s.substr(i, width));
    i += width;
    ++column_;
  }
  void Indent(int indent) {
    if (!indention_ || column_ > indent || (column_ == indent && !whitespace_)) Break();
    while (column_ < indent) Put(' ');
    whitespace_ = true;
    indention_ = true;
  }
  void Indicator(std::string_view text, bool need_whitespace, bool is_whitespace,
                 bool is_indention) {
    if (need_whitespace && !whitespace_) Put(' ');
    for (char c : text) Put(c);
    whitespace_ = is_whitespace;
    indention_ = indention_ && is_indention;
  }

  void Mapping(const Json& value, int indent) {
    std::vector<const std::string*> keys;
    keys.reserve(value.size());
    for (const auto& [key, unused] : value.items()) keys.push_back(&key);
    std::sort(keys.begin(), keys.end(),
              [](const std::string* a, const std::string* b) { return GoYamlKeyLess(*a, *b); });
    for (const std::string* key : keys) {
      Indent(indent);
      String(*key, indent, /*simple_key=*/true);
      Indicator(":", false, false, false);
      const Json& child = value.at(*key);
      if (child.is_object() && !child.empty()) {
        Mapping(child, indent + kBestIndent);
      } else if (child.is_array() && !child.empty()) {
        // After `key:` the emitter is not at an indentation: the sequence is indentless.
        Sequence(child, indent);
      } else {
        Scalar(child, indent + kBestIndent, false);
      }
    }
  }

  void Sequence(const Json& value, int indent) {
    for (const Json& item : value) {
      Indent(indent);
      Indicator("-", true, false, true);
      if (item.is_object() && !item.empty()) {
        Mapping(item, indent + kBestIndent);
      } else if (item.is_array() && !item.empty()) {
        Sequence(item, indent + kBestIndent);
      } else {
        Scalar(item, indent + kBestIndent, false);
      }
    }
  }

  // Scalars and empty collections; `indent` is where continuation lines go.
  void Scalar(const Json& value, int indent, bool simple_key) {
    switch (value.type()) {
      case Json::value_t::object:
        Indicator("{", true, true, false);
        Indicator("}", false, false, false);
        return;
      case Json::value_t::array:
        Indicator("[", true, true, false);
        Indicator("]", false, false, false);
        return;
      case Json::value_t::string:
        return String(value.get_ref<const std::string&>(), indent, simple_key);
      case Json::value_t::null:
        return Plain("null", false);
      case Json::value_t::boolean:
        return Plain(value.get<bool>() ? "true" : "false", false);
      case Json::value_t::number_integer:
        return Plain(std::to_string(value.get<int64_t>()), false);
      case Json::value_t::number_unsigned:
        return Plain(std::to_string(value.get<uint64_t>()), false);
      case Json::value_t::number_float:
        return Plain(FormatGoFloat(value.get<double>()), false);
      default:
        return Plain("null", false);
    }
  }

  void String(const std::string& text, int indent, bool simple_key) {
    Style style = SelectStyle(text, simple_key);
    if (simple_key && text.size() > kMaxSimpleKeyLength) style = Style::kDoubleQuoted;
    bool allow_breaks = !simple_key;
    int saved_indent = indent_;
    indent_ = indent;
    switch (style) {
      case Style::kPlain:
        Plain(text, allow_breaks);
        break;
      case Style::kSingleQuoted:
        SingleQuoted(text, allow_breaks);
        break;
      case Style::kDoubleQuoted:
        DoubleQuoted(text, allow_breaks);
        break;
      case Style::kLiteral:
        Literal(text);
        break;
    }
    indent_ = saved_indent;
  }

  void Plain(std::string_view value, bool allow_breaks) {
    if (!whitespace_ && !value.empty()) Put(' ');
    bool spaces = false;
    for (size_t i = 0; i < value.size();) {
      if (IsSpace(value, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && !IsSpace(value, i + 1)) {
          Indent(indent_);
          ++i;
        } else {
          Write(value, i);
        }
        spaces = true;
      } else {
        Write(value, i);
        indention_ = false;
        spaces = false;
      }
    }
    whitespace_ = false;
    indention_ = false;
  }

  void SingleQuoted(std::string_view value, bool allow_breaks) {
    Indicator("'", true, false, false);
    bool spaces = false;
    for (size_t i = 0; i < value.size();) {
      if (IsSpace(value, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && i != 0 && i != value.size() - 1 &&
            !IsSpace(value, i + 1)) {
          Indent(indent_);
          ++i;
        } else {
          Write(value, i);
        }
        spaces = true;
      } else {
        if (value[i] == '\'') Put('\'');
        Write(value, i);
        indention_ = false;
        spaces = false;
      }
    }
    Indicator("'", false, false, false);
    whitespace_ = false;
    indention_ = false;
  }

  void DoubleQuoted(std::string_view value, bool allow_breaks) {
    Indicator("\"", true, false, false);
    bool spaces = false;
    for (size_t i = 0; i < value.size();) {
      if (!IsPrintable(value, i) || IsBom(value, i) || IsBreak(value, i) || value[i] == '"' ||
          value[i] == '\\') {
        uint32_t rune = DecodeRune(value, i);
        i += Width(value[i]);
        Put('\\');
        switch (rune) {
          case 0x00:
            Put('0');
            break;
          case 0x07:
            Put('a');
            break;
          case 0x08:
            Put('b');
            break;
          case 0x09:
            Put('t');
            break;
          case 0x0A:
            Put('n');
            break;
          case 0x0B:
            Put('v');
            break;
          case 0x0C:
            Put('f');
            break;
          case 0x0D:
            Put('r');
            break;
          case 0x1B:
            Put('e');
            break;
          case 0x22:
            Put('"');
            break;
          case 0x5C:
            Put('\\');
            break;
          case 0x85:
            Put('N');
            break;
          case 0xA0:
            Put('_');
            break;
          case 0x2028:
            Put('L');
            break;
          case 0x2029:
            Put('P');
            break;
          default: {
            int digits;
            if (rune <= 0xFF) {
              Put('x');
              digits = 2;
            } else if (rune <= 0xFFFF) {
              Put('u');
              digits = 4;
            } else {
              Put('U');
              digits = 8;
            }
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
              int digit = (rune >> shift) & 0x0F;
              Put(static_cast<char>(digit < 10 ? '0' + digit : 'A' + digit - 10));
            }
          }
        }
        spaces = false;
      } else if (IsSpace(value, i)) {
        if (allow_breaks && !spaces && column_ > kBestWidth && i != 0 && i != value.size() - 1) {
          Indent(indent_);
          if (IsSpace(value, i + 1)) Put('\\');
          ++i;
        } else {
          Write(value, i);
        }
        spaces = true;
      } else {
        Write(value, i);
        spaces = false;
      }
    }
    Indicator("\"", false, false, false);
    whitespace_ = false;
    indention_ = false;
  }

  void Literal(std::string_view value) {
    Indicator("|", true, false, false);
    if (IsSpace(value, 0) || IsBreak(value, 0)) Put('0' + kBestIndent);
    // Chomping: `-` without a final break, `+` when the text ends in more than one.
    size_t last = value.size() - 1;
    while (last > 0 && (static_cast<unsigned char>(value[last]) & 0xC0) == 0x80) --last;
    if (!IsBreak(value, last)) {
      Put('-');
    } else if (last == 0) {
      Put('+');
    } else {
      size_t before = last - 1;
      while (before > 0 && (static_cast<unsigned char>(value[before]) & 0xC0) == 0x80) --before;
      if (IsBreak(value, before)) Put('+');
    }
    Break();
    indention_ = true;
    whitespace_ = true;
    bool breaks = true;
    for (size_t i = 0; i < value.size();) {
      if (IsBreak(value, i)) {
        if (value[i] == '\n') {
          Break();
          ++i;
        } else {
          Write(value, i);
          column_ = 0;
        }
        indention_ = true;
        breaks = true;
      } else {
        if (breaks) Indent(indent_);
        Write(value, i);
        indention_ = false;
        breaks = false;
      }
    }
  }

  std::string out_;
  int column_ = 0;
  int indent_ = 0;
  bool whitespace_ = true;
  bool indention_ = true;
};

bool IsLetter(uint32_t rune) {
  if (rune < 0x80) return (rune >= 'a' && rune <= 'z') || (rune >= 'A' && rune <= 'Z');
  // Resource keys outside ASCII are, in practice, letters; Go's unicode.IsLetter decides there.
  return rune >= 0xAA;
}
bool IsDigit(uint32_t rune) { return rune >= '0' && rune <= '9'; }

std::vector<uint32_t> Runes(std::string_view s) {
  std::vector<uint32_t> runes;
  for (size_t i = 0; i < s.size(); i += Width(s[i])) runes.push_back(DecodeRune(s, i));
  return runes;
}

}  // namespace

bool GoYamlKeyLess(std::string_view a_text, std::string_view b_text) {
  std::vector<uint32_t> a = Runes(a_text), b = Runes(b_text);
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] == b[i]) continue;
    bool a_letter = IsLetter(a[i]), b_letter = IsLetter(b[i]);
    if (a_letter && b_letter) return a[i] < b[i];
    if (a_letter || b_letter) return b_letter;
    // Go's int64 arithmetic wraps around on overflow; unsigned arithmetic does the same here
    // without undefined behaviour, so long digit runs sort as go-yaml sorts them.
    uint64_t a_number = 0, b_number = 0;
    if (a[i] == '0' || b[i] == '0') {
      // A zero inside a longer number ("10" against "1a") does not start a new number.
      for (size_t j = i; j-- > 0 && IsDigit(a[j]);) {
        if (a[j] != '0') {
          a_number = b_number = 1;
          break;
        }
      }
    }
    size_t a_end = i, b_end = i;
    for (; a_end < a.size() && IsDigit(a[a_end]); ++a_end)
      a_number = a_number * 10 + (a[a_end] - '0');
    for (; b_end < b.size() && IsDigit(b[b_end]); ++b_end)
      b_number = b_number * 10 + (b[b_end] - '0');
    if (a_number != b_number) {
      return static_cast<int64_t>(a_number) < static_cast<int64_t>(b_number);
    }
    if (a_end != b_end) return a_end < b_end;
    return a[i] < b[i];
  }
  return a.size() < b.size();
}

std::string FormatGoFloat(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value > 0 ? ".inf" : "-.inf";
  // Shortest round-trip digits and the decimal point position.
  char buffer[64];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, std::fabs(value),
                                    std::chars_format::scientific);
  std::string_view scientific(buffer, end - buffer);
  size_t e = scientific.find('e');
  std::string digits;
  for (char c : scientific.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = std::stoi(std::string(scientific.substr(e + 1)));
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  bool negative = std::signbit(value) && value != 0;
  int decimal_point = exponent + 1;  // digits before the point
  auto fixed = [&]() {
    std::string text = negative ? "-" : "";
    if (decimal_point <= 0) {
      text += "0." + std::string(-decimal_point, '0') + digits;
    } else if (decimal_point >= static_cast<int>(digits.size())) {
      text += digits + std::string(decimal_point - digits.size(), '0');
    } else {
      text += digits.substr(0, decimal_point) + "." + digits.substr(decimal_point);
    }
    return text;
  };
  auto g_format = [&]() {
    if (exponent < -4 || exponent >= 6 + 0 * static_cast<int>(digits.size())) {
      std::string text = negative ? "-" : "";
      text += digits.substr(0, 1);
      if (digits.size() > 1) text += "." + digits.substr(1);
      text += exponent < 0 ? "e-" : "e+";
      std::string magnitude = std::to_string(std::abs(exponent));
      if (magnitude.size() < 2) magnitude = "0" + magnitude;
      return text + magnitude;
    }
    return fixed();
  };
  double magnitude = std::fabs(value);
  bool integral = std::trunc(value) == value;
  // encoding/json writes integral values below 1e21 without a point or exponent, and go-yaml
  // then reads them back as integers when they fit 64 bits.
  if (value == 0) return "0";
  if (integral && magnitude < 1e21) {
    if (magnitude < 9.2e18 || (!negative && magnitude < 1.8e19)) return fixed();
  }
  return g_format();
}

std::string WriteYamlDocument(const Json& value) {
  Emitter emitter;
  emitter.Document(value);
  return emitter.Take();
}

std::string WriteYamlStream(const std::vector<manifest::Object>& objects) {
  std::string out;
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i > 0) out += "---\n";
    out += WriteYamlDocument(objects[i].json());
  }
  return out;
}

}  // namespace fluxcpp::kustomize
