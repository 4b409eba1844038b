// Reads YAML through yaml-cpp's event interface straight into JSON: no intermediate node tree, and
// every event carries the position that errors report.
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/manifest/scalar.h"
#include "lib/manifest/yaml.h"

namespace fluxcpp::manifest {
namespace {

constexpr std::string_view kPlainTag = "?";
constexpr std::string_view kNonPlainTag = "!";  // quoted and block scalars

// Aliases copy their anchor's value, so a few hundred bytes of nested aliases can stand for
// billions of nodes ("billion laughs"). A document may gain at most this many nodes through
// aliases; real manifests use a handful. (go-yaml refuses such documents too: "excessive
// aliasing".)
constexpr size_t kMaxAliasNodes = 100'000;

// yaml-cpp decodes the double-quoted escapes \N (U+0085) and \_ (U+00A0) to one Latin-1 byte
// instead of UTF-8. The stream was checked to be UTF-8, so a byte that is not can only come from
// such an escape: it is encoded as the code point it stands for.
std::string Utf8FromYamlCpp(const std::string& decoded) {
  size_t bad = FirstInvalidUtf8(decoded);
  if (bad == std::string::npos) return decoded;
  std::string text;
  text.reserve(decoded.size() + 8);
  std::string_view rest = decoded;
  while (bad != std::string_view::npos) {
    text.append(rest.substr(0, bad));
    const auto byte = static_cast<unsigned char>(rest[bad]);
    text += static_cast<char>(0xC0 | (byte >> 6));
    text += static_cast<char>(0x80 | (byte & 0x3F));
    rest.remove_prefix(bad + 1);
    bad = FirstInvalidUtf8(rest);
  }
  text.append(rest);
  return text;
}

// Builds the JSON value of one document from parser events. The first error wins; later events of
// the document are ignored.
class JsonBuilder : public YAML::EventHandler {
 public:
  explicit JsonBuilder(ScalarTyping typing) : typing_(typing) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    result_.reset();
    stack_.clear();
    anchors_.clear();
    error_.reset();
    alias_nodes_ = 0;
    start_ = mark;
    document_start_ = mark;
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Add(Json(nullptr), 1, mark, anchor, false);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto found = anchors_.find(anchor);
    if (found == anchors_.end()) return Fail(mark, "alias to an anchor that is not defined");
    const Anchored& anchored = found->second;
    alias_nodes_ += anchored.nodes;
    if (alias_nodes_ > kMaxAliasNodes) {
      return Fail(mark, "aliases expand the document beyond " + std::to_string(kMaxAliasNodes) +
                            " nodes (excessive aliasing)");
    }
    Add(anchored.value, anchored.nodes, mark, 0, false);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& decoded) override {
    const std::string value = Utf8FromYamlCpp(decoded);
    absl::StatusOr<Json> json = tag == kPlainTag      ? ResolvePlainScalar(value, typing_)
                                : tag == kNonPlainTag ? Json(value)
                                                      : ResolveTaggedScalar(tag, value, typing_);
    if (!json.ok()) return Fail(mark, std::string(json.status().message()));
    Add(std::move(*json), 1, mark, anchor, tag == kPlainTag && value == "<<");
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    OpenFrame(Json::array(), mark, anchor);
  }
  void OnSequenceEnd() override { CloseFrame(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    OpenFrame(Json::object(), mark, anchor);
  }
  void OnMapEnd() override { CloseFrame(); }

  const YAML::Mark& start() const { return start_; }
  // Where the parser stood when the last document began.
  const YAML::Mark& document_start() const { return document_start_; }
  // The document's value; null for an empty document.
  Json TakeResult() { return result_ ? std::move(*result_) : Json(nullptr); }
  const std::optional<std::pair<YAML::Mark, std::string>>& error() const { return error_; }

 private:
  struct Frame {
    Json value;
    size_t nodes = 1;  // in `value`, aliases expanded
    YAML::anchor_t anchor = 0;
    YAML::Mark mark;
    std::optional<std::string> key;  // set while a mapping waits for the value of this key
    bool key_is_merge = false;
    YAML::Mark key_mark;
    std::set<std::string> explicit_keys;
  };

  void Fail(const YAML::Mark& mark, std::string message) {
    if (!error_) error_.emplace(mark, std::move(message));
  }

  void OpenFrame(Json value, const YAML::Mark& mark, YAML::anchor_t anchor) {
    Frame& frame = stack_.emplace_back();
    frame.value = std::move(value);
    frame.mark = mark;
    frame.anchor = anchor;
  }

  void CloseFrame() {
    if (stack_.empty()) return;
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    Add(std::move(frame.value), frame.nodes, frame.mark, frame.anchor, false);
  }

  static std::string KeyText(const Json& key) {
    if (key.is_string()) return key.get<std::string>();
    return key.dump();  // null, true, 3: the text JSON gives them
  }

  // Adds `value`, which holds `nodes` nodes, to the open sequence or mapping (or makes it the
  // document).
  void Add(Json value, size_t nodes, const YAML::Mark& mark, YAML::anchor_t anchor,
           bool merge_token) {
    if (error_) return;
    if (anchor != 0) anchors_[anchor] = Anchored{.value = value, .nodes = nodes};
    if (stack_.empty()) {
      result_ = std::move(value);
      start_ = mark;  // where the document's content begins, past any `---` and comments
      return;
    }
    Frame& top = stack_.back();
    top.nodes += nodes;
    if (top.value.is_array()) {
      top.value.push_back(std::move(value));
    } else if (!top.key) {
      if (value.is_structured()) return Fail(mark, "a mapping key must be a scalar");
      top.key = merge_token ? "<<" : KeyText(value);
      top.key_is_merge = merge_token;
      top.key_mark = mark;
    } else {
      if (top.key_is_merge) {
        Merge(top, value, mark);
      } else if (!top.explicit_keys.insert(*top.key).second) {
        return Fail(top.key_mark, "mapping key \"" + *top.key + "\" is defined twice");
      } else {
        top.value[*top.key] = std::move(value);
      }
      top.key.reset();
      top.key_is_merge = false;
    }
  }

  // `<<: *base` or `<<: [*a, *b]`: keys written in the mapping itself win, then earlier merged
  // mappings.
  void Merge(Frame& target, const Json& source, const YAML::Mark& mark) {
    auto merge_one = [&](const Json& mapping) {
      if (!mapping.is_object())
        return Fail(mark, "a << merge takes a mapping or a list of mappings");
      for (const auto& [key, value] : mapping.items()) {
        if (!target.value.contains(key)) target.value[key] = value;
      }
    };
    if (source.is_array()) {
      for (const Json& mapping : source) merge_one(mapping);
    } else {
      merge_one(source);
    }
  }

  struct Anchored {
    Json value;
    size_t nodes = 1;
  };

  ScalarTyping typing_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Anchored> anchors_;
  size_t alias_nodes_ = 0;  // nodes the document's aliases have copied so far
  std::optional<Json> result_;
  std::optional<std::pair<YAML::Mark, std::string>> error_;
  YAML::Mark start_;
  YAML::Mark document_start_;
};

SourceLocation Locate(std::string_view file_name, int document, const YAML::Mark& mark) {
  return SourceLocation{.file = std::string(file_name),
                        .document = document,
                        .line = mark.line + 1,
                        .column = mark.column + 1};
}

absl::Status ErrorAt(const SourceLocation& where, std::string_view message) {
  return absl::InvalidArgumentError(where.Describe() + ": " + std::string(message));
}

// Where the first C0 control character other than tab, line feed and carriage return is: YAML
// does not allow them in a stream, and yaml-cpp would take NUL bytes as a sign of UTF-16 or
// UTF-32 and read something else than was written. (YAML's other non-printable characters, DEL
// and the C1 controls, read back unchanged and are let through.)
size_t FirstControlCharacter(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') return i;
  }
  return std::string_view::npos;
}

absl::Status CheckText(std::string_view text, std::string_view file_name) {
  size_t position = FirstInvalidUtf8(text);
  std::string_view problem = "invalid UTF-8 (a YAML file must be UTF-8 text)";
  if (position == std::string_view::npos) {
    position = FirstControlCharacter(text);
    problem = "a control character, which YAML does not allow (escape it in a quoted string)";
  }
  if (position == std::string_view::npos) return absl::OkStatus();
  const std::string_view before = text.substr(0, position);
  const size_t line = std::count(before.begin(), before.end(), '\n') + 1;
  const size_t line_start = before.rfind('\n');
  const size_t column = position - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
  return absl::InvalidArgumentError(absl::StrCat(std::string(file_name), ": line ", line,
                                                 ", column ", column, ": ", std::string(problem)));
}

}  // namespace

size_t FirstInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the allowed range of the second byte
    if (byte >= 0xC2 && byte <= 0xDF) {
      length = 2;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      length = 3;
      if (byte == 0xE0) low = 0xA0;
      if (byte == 0xED) high = 0x9F;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      length = 4;
      if (byte == 0xF0) low = 0x90;
      if (byte == 0xF4) high = 0x8F;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF)) return i;
    }
    i += length;
  }
  return std::string_view::npos;
}

absl::StatusOr<std::vector<Document>> ParseYamlDocuments(std::string_view text,
                                                         std::string_view file_name,
                                                         const ParseOptions& options) {
  if (absl::Status checked = CheckText(text, file_name); !checked.ok()) return checked;
  std::vector<Document> documents;
  std::istringstream stream{std::string(text)};
  JsonBuilder builder(options.typing);
  int document = 0;
  try {
    YAML::Parser parser(stream);
    std::optional<int> previous_start;
    for (; parser.HandleNextDocument(builder); ++document) {
      if (const auto& error = builder.error()) {
        return ErrorAt(Locate(file_name, document, error->first), error->second);
      }
      // yaml-cpp leaves a token that cannot begin a node (a stray `,` at the top level) unread and
      // reports an empty document before it, forever. A document that starts where the previous
      // one started has consumed nothing: stop there instead of looping.
      if (previous_start == builder.document_start().pos) {
        return ErrorAt(Locate(file_name, document - 1, builder.document_start()),
                       "unexpected character; a node cannot start here");
      }
      previous_start = builder.document_start().pos;
      Json value = builder.TakeResult();
      if (value.is_null()) continue;  // empty document: comments only, or a bare `---`
      documents.push_back(Document{.json = std::move(value),
                                   .source = Locate(file_name, document, builder.start())});
    }
  } catch (const YAML::Exception& error) {
    return ErrorAt(Locate(file_name, document, error.mark), error.msg);
  }
  return documents;
}

absl::StatusOr<std::vector<Object>> ReadObjects(std::string_view text, std::string_view file_name,
                                                const ParseOptions& options) {
  auto documents = ParseYamlDocuments(text, file_name, options);
  if (!documents.ok()) return documents.status();
  std::vector<Object> objects;
  objects.reserve(documents->size());
  for (Document& document : *documents) {
    const Json& json = document.json;
    if (!json.is_object()) {
      return ErrorAt(document.source,
                     "a Kubernetes object must be a mapping, not " + std::string(json.type_name()));
    }
    for (const char* field : {"apiVersion", "kind"}) {
      if (!json.contains(field) || !json[field].is_string() ||
          json[field].get<std::string>().empty()) {
        return ErrorAt(document.source, std::string("the object has no ") + field +
                                            " (every Kubernetes object needs one)");
      }
    }
    objects.emplace_back(std::move(document.json), std::move(document.source));
  }
  return objects;
}

}  // namespace fluxcpp::manifest
