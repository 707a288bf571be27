// ConversionGraph: which filters turn one document type into another, at what cost
// (mime.convs-like files, CUPS's grammar), and the cheapest chain from a document's
// type to any format a printer accepts. Immutable once loaded; share it freely.
#pragma once

#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

// One conversion: run `program` (a filter name, or "-" for none) to turn `source`
// into `destination`.
struct Conversion {
  std::string source;
  std::string destination;
  int cost = 0;
  std::string program;
  bool operator==(const Conversion&) const = default;
};

class ConversionGraph {
 public:
  // Lines "source/type destination/type cost program", "#" comments. A later line for
  // the same (source, destination) replaces the earlier one (local files override).
  std::expected<void, std::string> add_rules(std::string_view text, std::string_view source_name);
  std::expected<void, std::string> add_file(const std::filesystem::path& file);
  void add(Conversion conversion);

  // The cheapest chain from `from` to any of `targets` (ties: fewer filters, then the
  // earlier target). Empty when `from` is itself a target; nullopt when none exists.
  // `extra` conversions (a PPD's filters) take part for this search only.
  std::optional<std::vector<Conversion>> cheapest_chain(std::string_view from, const std::vector<std::string>& targets,
                                                        const std::vector<Conversion>& extra = {}) const;
  // A same-type conversion for `type` (to apply job options when no conversion is
  // otherwise needed), if one is declared.
  std::optional<Conversion> identity_for(std::string_view type) const;

  const std::vector<Conversion>& conversions() const { return conversions_; }

 private:
  std::vector<Conversion> conversions_;
};

}  // namespace quire
