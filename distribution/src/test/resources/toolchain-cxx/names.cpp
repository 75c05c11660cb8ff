#include <algorithm>
#include <map>

#include "shapes.hpp"

namespace shapes {
std::vector<std::string> names(const std::vector<std::unique_ptr<Shape>>& all) {
  std::map<std::string, int> seen;
  std::vector<std::string> out;
  for (const auto& s : all) {
    if (seen[s->name()]++ == 0) out.push_back(s->name());
  }
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace shapes
