// mime.types rules: a recursive-descent parser for CUPS's rule grammar and the
// matcher over a document's first bytes.
#include "pipeline/mime_types.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace quire {

struct MimeTypes::Node {
  enum class Kind { kOr, kAnd, kString, kIString, kContains, kChar, kPrintable, kUtf8, kNever, kPriority };
  Kind kind = Kind::kNever;
  std::vector<std::shared_ptr<const Node>> children;
  std::size_t offset = 0;
  std::size_t length = 0;
  std::string value;
};

namespace {

using Node = MimeTypes::Node;
using NodePtr = std::shared_ptr<const Node>;
using Bytes = std::span<const std::byte>;

std::string_view as_text(Bytes b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

bool is_printable_byte(unsigned char c) {
  return c >= 32 || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\b';
}

// Valid UTF-8 without control characters other than white space and form feed. A
// sequence cut by the end of the window is accepted.
bool is_utf8_text(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (!is_printable_byte(c) || c == 0x7f) return false;
      ++i;
      continue;
    }
    int more = c >= 0xf0 && c <= 0xf4 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 && c < 0xe0 ? 1 : -1;
    if (more < 0 || c > 0xf4) return false;
    for (int k = 1; k <= more; ++k) {
      if (i + k >= s.size()) return true;
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += static_cast<std::size_t>(more) + 1;
  }
  return !s.empty();
}

bool iequals_at(std::string_view hay, std::size_t at, std::string_view needle) {
  if (at + needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i < needle.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(hay[at + i])) != std::tolower(static_cast<unsigned char>(needle[i])))
      return false;
  return true;
}

bool evaluate(const Node& n, std::string_view data) {
  switch (n.kind) {
    case Node::Kind::kOr:
      return std::any_of(n.children.begin(), n.children.end(), [&](const NodePtr& c) { return evaluate(*c, data); });
    case Node::Kind::kAnd:
      return std::all_of(n.children.begin(), n.children.end(), [&](const NodePtr& c) { return evaluate(*c, data); });
    case Node::Kind::kString:
      return n.offset + n.value.size() <= data.size() && data.compare(n.offset, n.value.size(), n.value) == 0;
    case Node::Kind::kIString:
      return iequals_at(data, n.offset, n.value);
    case Node::Kind::kContains: {
      if (n.offset >= data.size()) return false;
      return data.substr(n.offset, n.length).find(n.value) != std::string_view::npos;
    }
    case Node::Kind::kChar:
      return n.offset < data.size() && static_cast<unsigned char>(data[n.offset]) == n.length;
    case Node::Kind::kPrintable: {
      if (n.offset >= data.size()) return false;
      auto window = data.substr(n.offset, n.length);
      return std::all_of(window.begin(), window.end(), [](char c) { return is_printable_byte(static_cast<unsigned char>(c)); });
    }
    case Node::Kind::kUtf8:
      return n.offset < data.size() && is_utf8_text(data.substr(n.offset, n.length));
    case Node::Kind::kNever:
    case Node::Kind::kPriority:
      return false;
  }
  return false;
}

// Parses one rule expression. Grammar (CUPS's, without regex/locale functions):
//   or   := and ((ws | ',') and)*      and := term ('+' term)*
//   term := '(' or ')' | name '(' args ')' | word
class RuleParser {
 public:
  explicit RuleParser(std::string_view text) : s_(text) {}

  std::expected<NodePtr, std::string> parse() {
    auto node = parse_or();
    if (!node) return node;
    skip_ws();
    if (pos_ != s_.size()) return fail("unexpected \"" + std::string(1, s_[pos_]) + "\"");
    return node;
  }

 private:
  std::unexpected<std::string> fail(std::string what) const {
    return std::unexpected("at column " + std::to_string(pos_ + 1) + ": " + what);
  }
  void skip_ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool at_end_of_group() {
    skip_ws();
    return pos_ >= s_.size() || s_[pos_] == ')';
  }

  std::expected<NodePtr, std::string> parse_or() {
    auto node = std::make_shared<Node>();
    node->kind = Node::Kind::kOr;
    while (!at_end_of_group()) {
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      auto term = parse_and();
      if (!term) return term;
      if ((*term)->kind != Node::Kind::kPriority) node->children.push_back(*term);
    }
    return node;
  }

  std::expected<NodePtr, std::string> parse_and() {
    auto first = parse_term();
    if (!first) return first;
    skip_ws();
    if (pos_ >= s_.size() || s_[pos_] != '+') return first;
    auto node = std::make_shared<Node>();
    node->kind = Node::Kind::kAnd;
    if ((*first)->kind != Node::Kind::kPriority) node->children.push_back(*first);
    while (pos_ < s_.size() && s_[pos_] == '+') {
      ++pos_;
      skip_ws();
      auto next = parse_term();
      if (!next) return next;
      if ((*next)->kind != Node::Kind::kPriority) node->children.push_back(*next);
      skip_ws();
    }
    if (node->children.empty()) node->kind = Node::Kind::kPriority;
    return node;
  }

  std::expected<NodePtr, std::string> parse_term() {
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '(') {
      ++pos_;
      auto inner = parse_or();
      if (!inner) return inner;
      if (pos_ >= s_.size() || s_[pos_] != ')') return fail("missing \")\"");
      ++pos_;
      return inner;
    }
    std::size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' ||
                                s_[pos_] == '-' || s_[pos_] == '.'))
      ++pos_;
    std::string name(s_.substr(start, pos_ - start));
    if (name.empty()) return fail("expected a rule");
    if (pos_ >= s_.size() || s_[pos_] != '(') return std::make_shared<Node>();  // an extension: never matches
    ++pos_;
    std::vector<std::string> args;
    for (;;) {
      auto arg = parse_value();
      if (!arg) return std::unexpected(arg.error());
      args.push_back(*arg);
      if (pos_ >= s_.size()) return fail("unterminated " + name + "(");
      if (s_[pos_++] == ')') break;
    }
    return make_function(name, args);
  }

  // A value: quoted text, <hex> bytes and bare characters, up to ',' or ')'.
  std::expected<std::string, std::string> parse_value() {
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != ')') {
      char c = s_[pos_];
      if (c == '"') {
        auto end = s_.find('"', pos_ + 1);
        if (end == std::string_view::npos) return fail("unterminated quote");
        out.append(s_.substr(pos_ + 1, end - pos_ - 1));
        pos_ = end + 1;
      } else if (c == '<') {
        auto end = s_.find('>', pos_ + 1);
        if (end == std::string_view::npos) return fail("unterminated <hex>");
        auto hex = s_.substr(pos_ + 1, end - pos_ - 1);
        if (hex.size() % 2) return fail("odd number of hex digits");
        for (std::size_t i = 0; i < hex.size(); i += 2) {
          auto digit = [](char h) { return std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10); };
          if (!std::isxdigit(static_cast<unsigned char>(hex[i])) || !std::isxdigit(static_cast<unsigned char>(hex[i + 1])))
            return fail("bad hex digit");
          out.push_back(static_cast<char>(digit(hex[i]) * 16 + digit(hex[i + 1])));
        }
        pos_ = end + 1;
      } else {
        out.push_back(c);
        ++pos_;
      }
    }
    return out;
  }

  std::expected<NodePtr, std::string> make_function(const std::string& name, const std::vector<std::string>& args) {
    auto node = std::make_shared<Node>();
    auto number = [&](std::size_t i, std::size_t& out) -> bool {
      if (i >= args.size() || args[i].empty()) return false;
      char* end = nullptr;
      out = std::strtoul(args[i].c_str(), &end, 0);
      return *end == '\0';
    };
    auto need = [&](std::size_t count) { return args.size() == count; };
    bool ok = false;
    if (name == "string" || name == "istring") {
      node->kind = name == "string" ? Node::Kind::kString : Node::Kind::kIString;
      ok = need(2) && number(0, node->offset);
      if (ok) node->value = args[1];
    } else if (name == "contains") {
      node->kind = Node::Kind::kContains;
      ok = need(3) && number(0, node->offset) && number(1, node->length);
      if (ok) node->value = args[2];
    } else if (name == "char") {
      node->kind = Node::Kind::kChar;
      ok = need(2) && number(0, node->offset) && number(1, node->length);
    } else if (name == "printable" || name == "utf8") {
      node->kind = name == "printable" ? Node::Kind::kPrintable : Node::Kind::kUtf8;
      ok = need(2) && number(0, node->offset) && number(1, node->length);
    } else if (name == "priority") {
      ok = true;  // order of declaration decides instead; the term is dropped
      node->kind = Node::Kind::kPriority;
    } else {
      return fail("unknown rule function \"" + name + "\"");
    }
    if (!ok) return fail("bad arguments to " + name + "()");
    return NodePtr(node);
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

bool is_valid_type_name(std::string_view t) {
  auto slash = t.find('/');
  return slash != std::string_view::npos && slash > 0 && slash + 1 < t.size() && t.find('/', slash + 1) == std::string_view::npos;
}

}  // namespace

std::expected<void, std::string> MimeTypes::add_rules(std::string_view text, std::string_view source_name) {
  // Join continuation lines (leading white space) onto their type line.
  std::vector<std::pair<int, std::string>> logical;
  std::istringstream in{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if ((line[0] == ' ' || line[0] == '\t') && !logical.empty()) logical.back().second += " " + line;
    else logical.emplace_back(number, line);
  }
  for (const auto& [number, body] : logical) {
    auto where = [&, number = number](const std::string& what) {
      return std::unexpected(std::string(source_name) + ":" + std::to_string(number) + ": " + what);
    };
    auto split = body.find_first_of(" \t");
    std::string type = body.substr(0, split);
    if (!is_valid_type_name(type)) return where("bad type name \"" + type + "\"");
    std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
    auto rule = RuleParser(split == std::string::npos ? std::string_view() : std::string_view(body).substr(split)).parse();
    if (!rule) return where(rule.error());
    if (auto* existing = const_cast<Entry*>(find(type))) {
      // A later file adds alternatives to an existing type, as CUPS's do.
      auto merged = std::make_shared<Node>();
      merged->kind = Node::Kind::kOr;
      merged->children = {existing->rule, *rule};
      existing->rule = merged;
    } else {
      entries_.push_back({type, *rule});
    }
  }
  return {};
}

std::expected<void, std::string> MimeTypes::add_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::unexpected(file.string() + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  return add_rules(text.str(), file.string());
}

const MimeTypes::Entry* MimeTypes::find(std::string_view type) const {
  for (const auto& e : entries_)
    if (e.type.size() == type.size() && iequals_at(e.type, 0, type)) return &e;
  return nullptr;
}

std::string MimeTypes::detect(std::span<const std::byte> head) const {
  auto data = as_text(head);
  for (const auto& e : entries_)
    if (e.type != kOctetStream && evaluate(*e.rule, data)) return e.type;
  return std::string(kOctetStream);
}

bool MimeTypes::matches(std::string_view type, std::span<const std::byte> head) const {
  const Entry* e = find(type);
  return e && evaluate(*e->rule, as_text(head));
}

bool MimeTypes::knows(std::string_view type) const { return find(type) != nullptr; }

std::vector<std::string> MimeTypes::types() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.type);
  return out;
}

std::expected<DocumentTyping, std::string> type_document(const MimeTypes& types, std::string_view claimed,
                                                         std::span<const std::byte> head) {
  DocumentTyping result;
  result.detected = types.detect(head);
  std::string claim(claimed);
  std::transform(claim.begin(), claim.end(), claim.begin(), [](unsigned char c) { return std::tolower(c); });
  if (auto semi = claim.find(';'); semi != std::string::npos) claim.erase(semi);  // "text/plain;charset=utf-8"
  if (claim.empty() || claim == kOctetStream) {
    result.type = result.detected;
    return result;
  }
  if (!types.matches(claim, head))
    return std::unexpected("document-format \"" + std::string(claimed) + "\" does not match the content (" +
                           result.detected + ")");
  result.type = claim;
  return result;
}

std::expected<std::vector<std::byte>, std::string> read_head(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(file.string() + ": " + std::strerror(errno));
  std::vector<std::byte> head(kTypingWindow);
  std::size_t got = 0;
  while (got < head.size()) {
    ssize_t n = ::read(fd, head.data() + got, head.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int saved = errno;
      ::close(fd);
      return std::unexpected(file.string() + ": " + std::strerror(saved));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  head.resize(got);
  return head;
}

}  // namespace quire
