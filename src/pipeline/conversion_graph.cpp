// mime.convs parsing and the cheapest-chain search (Dijkstra over document types).
#include "pipeline/conversion_graph.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <queue>
#include <sstream>

namespace quire {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::expected<void, std::string> ConversionGraph::add_rules(std::string_view text, std::string_view source_name) {
  std::istringstream in{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream fields(line);
    Conversion c;
    std::string cost;
    if (!(fields >> c.source)) continue;
    auto fail = [&](const std::string& what) {
      return std::unexpected(std::string(source_name) + ":" + std::to_string(number) + ": " + what);
    };
    if (!(fields >> c.destination >> cost >> c.program)) return fail("expected \"source destination cost program\"");
    std::string rest;
    if (fields >> rest) return fail("unexpected \"" + rest + "\" after the program");
    if (c.source.find('/') == std::string::npos || c.destination.find('/') == std::string::npos)
      return fail("types are written type/subtype");
    char* end = nullptr;
    long value = std::strtol(cost.c_str(), &end, 10);
    if (*end != '\0' || value < 0 || value > 1000000) return fail("bad cost \"" + cost + "\"");
    c.cost = static_cast<int>(value);
    if (c.program.find('/') != std::string::npos) return fail("program is a filter name, not a path");
    add(std::move(c));
  }
  return {};
}

std::expected<void, std::string> ConversionGraph::add_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::unexpected(file.string() + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  return add_rules(text.str(), file.string());
}

void ConversionGraph::add(Conversion c) {
  c.source = lower(std::move(c.source));
  c.destination = lower(std::move(c.destination));
  auto same = [&](const Conversion& o) { return o.source == c.source && o.destination == c.destination; };
  if (auto it = std::find_if(conversions_.begin(), conversions_.end(), same); it != conversions_.end()) *it = std::move(c);
  else conversions_.push_back(std::move(c));
}

std::optional<std::vector<Conversion>> ConversionGraph::cheapest_chain(std::string_view from_type,
                                                                       const std::vector<std::string>& targets,
                                                                       const std::vector<Conversion>& extra) const {
  std::string from = lower(std::string(from_type));
  std::vector<std::string> goals;
  for (const auto& t : targets) goals.push_back(lower(t));
  if (std::find(goals.begin(), goals.end(), from) != goals.end()) return std::vector<Conversion>{};

  std::vector<const Conversion*> edges;
  for (const auto& c : conversions_) edges.push_back(&c);
  for (const auto& c : extra) edges.push_back(&c);

  // Dijkstra on (cost, filters); `via` remembers the edge that reached each type.
  using Key = std::pair<long, int>;
  std::map<std::string, Key> best;
  std::map<std::string, const Conversion*> via;
  using Item = std::pair<Key, std::string>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> frontier;
  best[from] = {0, 0};
  frontier.push({{0, 0}, from});
  while (!frontier.empty()) {
    auto [key, type] = frontier.top();
    frontier.pop();
    if (best[type] < key) continue;
    for (const Conversion* e : edges) {
      if (lower(e->source) != type || lower(e->destination) == type) continue;
      Key next{key.first + e->cost, key.second + 1};
      std::string dest = lower(e->destination);
      auto found = best.find(dest);
      if (found != best.end() && !(next < found->second)) continue;
      best[dest] = next;
      via[dest] = e;
      frontier.push({next, dest});
    }
  }
  const std::string* goal = nullptr;
  for (const auto& g : goals) {
    auto it = best.find(g);
    if (it != best.end() && (!goal || it->second < best[*goal])) goal = &g;
  }
  if (!goal) return std::nullopt;
  std::vector<Conversion> chain;
  for (std::string at = *goal; at != from;) {
    const Conversion* e = via.at(at);
    chain.push_back(*e);
    at = lower(e->source);
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

std::optional<Conversion> ConversionGraph::identity_for(std::string_view type) const {
  std::string t = lower(std::string(type));
  for (const auto& c : conversions_)
    if (c.source == t && c.destination == t) return c;
  return std::nullopt;
}

}  // namespace quire
