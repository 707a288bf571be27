// MimeTypes: what a document is, judged by its bytes. Rules come from mime.types-like
// files (CUPS's grammar, conf/mime.types); detection is a pure function of a
// document's first bytes. Immutable once loaded; share it freely between threads.
#pragma once

#include <cstddef>
#include <expected>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

inline constexpr std::string_view kOctetStream = "application/octet-stream";
// How many leading bytes rules may look at (contains() ranges stop here).
inline constexpr std::size_t kTypingWindow = 8192;

class MimeTypes {
 public:
  // One rule file's text. Lines: "type/subtype rule-expression" (a rule may continue
  // on lines that start with white space), "#" comments. Expressions combine
  //   string(off,"text"|<hex>)  istring(...)  contains(off,len,value)  char(off,n)
  //   printable(off,len)  utf8(off,len)  priority(n)
  // with "+" (and), white space or "," (or) and parentheses. Bare words (CUPS's file
  // extensions) never match: Quire types by content only. Types are tried in the
  // order they were first declared; the first whose rule matches wins.
  std::expected<void, std::string> add_rules(std::string_view text, std::string_view source_name);
  std::expected<void, std::string> add_file(const std::filesystem::path& file);

  // The first matching type, or application/octet-stream.
  std::string detect(std::span<const std::byte> head) const;
  // Whether `type`'s own rule matches (false for a type without a rule).
  bool matches(std::string_view type, std::span<const std::byte> head) const;
  bool knows(std::string_view type) const;
  std::vector<std::string> types() const;

  struct Node;  // a parsed expression (mime_types.cpp)
 private:
  struct Entry {
    std::string type;
    std::shared_ptr<const Node> rule;
  };
  const Entry* find(std::string_view type) const;
  std::vector<Entry> entries_;
};

// The type a document will be processed as, given what the client claimed.
struct DocumentTyping {
  std::string type;      // the type to convert from
  std::string detected;  // what the bytes say
};

// application/octet-stream (or no claim) means "detect"; any other claim must match
// the bytes by its own rule, else the document lies (error names both types).
std::expected<DocumentTyping, std::string> type_document(const MimeTypes& types, std::string_view claimed,
                                                         std::span<const std::byte> head);

// Reads up to kTypingWindow bytes from the start of `file`.
std::expected<std::vector<std::byte>, std::string> read_head(const std::filesystem::path& file);

}  // namespace quire
