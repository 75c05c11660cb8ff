// A small C++ project for the toolchain-shipping test: templates, the standard library's
// containers and streams, so cc1plus and libstdc++'s headers are exercised.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace shapes {

struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
  virtual std::string name() const = 0;
};

std::unique_ptr<Shape> circle(double r);
std::unique_ptr<Shape> rect(double w, double h);

template <typename It>
double total_area(It first, It last) {
  double sum = 0;
  for (; first != last; ++first) sum += (*first)->area();
  return sum;
}

std::vector<std::string> names(const std::vector<std::unique_ptr<Shape>>& all);

}  // namespace shapes
