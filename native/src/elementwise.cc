// Elementwise kernels: broadcasting binary ops and unary ops, OpenMP loops.
#include "common.h"

namespace fa {

enum BinOp { ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, SQDIFF };
template <int OP>
inline float bin(float x, float y) {
  if constexpr (OP == ADD) return x + y;
  if constexpr (OP == SUB) return x - y;
  if constexpr (OP == MUL) return x * y;
  if constexpr (OP == DIV) return x / y;
  if constexpr (OP == MAXIMUM) return (x >= y || std::isnan(x)) ? x : y;
  if constexpr (OP == MINIMUM) return (x <= y || std::isnan(x)) ? x : y;
  if constexpr (OP == SQDIFF) return (x - y) * (x - y);
  return 0.f;
}

// Strides of `shape` broadcast against `out` (right-aligned), 0 on broadcast axes.
std::vector<int64_t> bcastStrides(const std::vector<int64_t> &shape, const std::vector<int64_t> &out) {
  size_t r = out.size();
  std::vector<int64_t> st(r, 0);
  int64_t s = 1;
  for (size_t k = 0; k < shape.size(); k++) {
    size_t ai = shape.size() - 1 - k, oi = r - 1 - k;
    st[oi] = shape[ai] == 1 && out[oi] != 1 ? 0 : s;
    s *= shape[ai];
  }
  return st;
}

template <int OP>
void binaryLoop(const float *A, const float *B, float *C, std::vector<int64_t> out, std::vector<int64_t> sa, std::vector<int64_t> sb) {
  // Merge adjacent axes that stay contiguous for both inputs.
  std::vector<int64_t> d, xa, xb;
  for (size_t k = 0; k < out.size(); k++) {
    if (out[k] == 1) continue;
    if (!d.empty() && xa.back() == sa[k] * out[k] && xb.back() == sb[k] * out[k]) {
      d.back() *= out[k];
      xa.back() = sa[k];
      xb.back() = sb[k];
    } else {
      d.push_back(out[k]);
      xa.push_back(sa[k]);
      xb.push_back(sb[k]);
    }
  }
  if (d.empty()) {
    C[0] = bin<OP>(A[0], B[0]);
    return;
  }
  const size_t r = d.size();
  const int64_t inner = d[r - 1], ia = xa[r - 1], ib = xb[r - 1];
  int64_t rows = 1;
  for (size_t k = 0; k + 1 < r; k++) rows *= d[k];
  auto rowFn = [&](int64_t row) {
    int64_t offA = 0, offB = 0, rem = row;
    for (int k = static_cast<int>(r) - 2; k >= 0; k--) {
      int64_t i = rem % d[k];
      rem /= d[k];
      offA += i * xa[k];
      offB += i * xb[k];
    }
    const float *a = A + offA, *b = B + offB;
    float *c = C + row * inner;
    if (ia == 1 && ib == 1) {
#pragma omp simd
      for (int64_t j = 0; j < inner; j++) c[j] = bin<OP>(a[j], b[j]);
    } else if (ia == 1 && ib == 0) {
      const float bv = b[0];
#pragma omp simd
      for (int64_t j = 0; j < inner; j++) c[j] = bin<OP>(a[j], bv);
    } else if (ia == 0 && ib == 1) {
      const float av = a[0];
#pragma omp simd
      for (int64_t j = 0; j < inner; j++) c[j] = bin<OP>(av, b[j]);
    } else {
      for (int64_t j = 0; j < inner; j++) c[j] = bin<OP>(a[j * ia], b[j * ib]);
    }
  };
  const int64_t total = rows * inner;
  if (rows == 1 && total >= kPar) {
    // one long row: split it
#pragma omp parallel for schedule(static)
    for (int64_t j = 0; j < inner; j++) C[j] = bin<OP>(A[j * ia], B[j * ib]);
    return;
  }
#pragma omp parallel for schedule(static) if (total >= kPar)
  for (int64_t row = 0; row < rows; row++) rowFn(row);
}

// binary(op, a, aShape, b, bShape, out, outShape)
napi_value Binary(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info);
    int op = static_cast<int>(a.num(0));
    float *A = a.f32(1), *B = a.f32(3), *C = a.f32(5);
    auto as = a.ints(2), bs = a.ints(4), os = a.ints(6);
    auto sa = bcastStrides(as, os), sb = bcastStrides(bs, os);
    switch (op) {
      case ADD: binaryLoop<ADD>(A, B, C, os, sa, sb); break;
      case SUB: binaryLoop<SUB>(A, B, C, os, sa, sb); break;
      case MUL: binaryLoop<MUL>(A, B, C, os, sa, sb); break;
      case DIV: binaryLoop<DIV>(A, B, C, os, sa, sb); break;
      case MAXIMUM: binaryLoop<MAXIMUM>(A, B, C, os, sa, sb); break;
      case MINIMUM: binaryLoop<MINIMUM>(A, B, C, os, sa, sb); break;
      case SQDIFF: binaryLoop<SQDIFF>(A, B, C, os, sa, sb); break;
      default: throw JsError("unknown binary op");
    }
    return undef(env);
  });
}

enum UnOp { RELU, STEP, NEG, EXP, LOG, SQRT, RSQRT, SQUARE, ABS, RELU6, SIGMOID, TANH };
template <int OP>
void unaryLoop(const float *x, float *y, int64_t n, float alpha) {
#pragma omp parallel for simd schedule(static) if (n >= kPar)
  for (int64_t i = 0; i < n; i++) {
    float v = x[i];
    if constexpr (OP == RELU) y[i] = v > 0.f ? v : (std::isnan(v) ? v : 0.f);
    if constexpr (OP == STEP) y[i] = std::isnan(v) ? v : (v > 0.f ? 1.f : alpha);
    if constexpr (OP == NEG) y[i] = -v;
    if constexpr (OP == EXP) y[i] = std::exp(v);
    if constexpr (OP == LOG) y[i] = std::log(v);
    if constexpr (OP == SQRT) y[i] = std::sqrt(v);
    if constexpr (OP == RSQRT) y[i] = 1.f / std::sqrt(v);
    if constexpr (OP == SQUARE) y[i] = v * v;
    if constexpr (OP == ABS) y[i] = std::fabs(v);
    if constexpr (OP == RELU6) y[i] = std::isnan(v) ? v : std::min(std::max(v, 0.f), 6.f);
    if constexpr (OP == SIGMOID) y[i] = 1.f / (1.f + std::exp(-v));
    if constexpr (OP == TANH) y[i] = std::tanh(v);
  }
}

// unary(op, x, y, alpha)
napi_value Unary(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info);
    int op = static_cast<int>(a.num(0));
    size_t n, m;
    float *x = a.f32(1, &n), *y = a.f32(2, &m);
    if (m != n) throw JsError("unary: size mismatch");
    float alpha = a.argc > 3 ? static_cast<float>(a.num(3)) : 0.f;
    auto N = static_cast<int64_t>(n);
    switch (op) {
      case RELU: unaryLoop<RELU>(x, y, N, alpha); break;
      case STEP: unaryLoop<STEP>(x, y, N, alpha); break;
      case NEG: unaryLoop<NEG>(x, y, N, alpha); break;
      case EXP: unaryLoop<EXP>(x, y, N, alpha); break;
      case LOG: unaryLoop<LOG>(x, y, N, alpha); break;
      case SQRT: unaryLoop<SQRT>(x, y, N, alpha); break;
      case RSQRT: unaryLoop<RSQRT>(x, y, N, alpha); break;
      case SQUARE: unaryLoop<SQUARE>(x, y, N, alpha); break;
      case ABS: unaryLoop<ABS>(x, y, N, alpha); break;
      case RELU6: unaryLoop<RELU6>(x, y, N, alpha); break;
      case SIGMOID: unaryLoop<SIGMOID>(x, y, N, alpha); break;
      case TANH: unaryLoop<TANH>(x, y, N, alpha); break;
      default: throw JsError("unknown unary op");
    }
    return undef(env);
  });
}

}  // namespace fa
