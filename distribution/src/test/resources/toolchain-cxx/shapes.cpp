#include "shapes.hpp"

#include <cmath>
#include <sstream>

namespace shapes {
namespace {
class Circle final : public Shape {
 public:
  explicit Circle(double r) : r_(r) {}
  double area() const override { return M_PI * r_ * r_; }
  std::string name() const override {
    std::ostringstream s;
    s << "circle(" << r_ << ")";
    return s.str();
  }

 private:
  double r_;
};

class Rect final : public Shape {
 public:
  Rect(double w, double h) : w_(w), h_(h) {}
  double area() const override { return w_ * h_; }
  std::string name() const override { return "rect(" + std::to_string(w_) + "x" + std::to_string(h_) + ")"; }

 private:
  double w_, h_;
};
}  // namespace

std::unique_ptr<Shape> circle(double r) { return std::make_unique<Circle>(r); }
std::unique_ptr<Shape> rect(double w, double h) { return std::make_unique<Rect>(w, h); }
}  // namespace shapes
