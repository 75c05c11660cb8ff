#include <iostream>

#include "shapes.hpp"

int main() {
  std::vector<std::unique_ptr<shapes::Shape>> all;
  all.push_back(shapes::circle(1.0));
  all.push_back(shapes::rect(2.0, 3.0));
  all.push_back(shapes::rect(2.0, 3.0));
  for (const auto& n : shapes::names(all)) std::cout << n << '\n';
  std::cout << "total " << shapes::total_area(all.begin(), all.end()) << '\n';
  return 0;
}
