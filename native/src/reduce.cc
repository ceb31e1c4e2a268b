// Reductions and transposes, OpenMP loops (sums accumulate in double).
#include "common.h"

namespace fa {

enum RedOp { SUM, MEAN, MAX, MIN };

// reduce(op, x, shape, axes, out): out has the kept axes' shape. Sums accumulate in double.
napi_value Reduce(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info);
    int op = static_cast<int>(a.num(0));
    float *x = a.f32(1);
    auto shape = a.ints(2), axes = a.ints(3);
    size_t outLen;
    float *out = a.f32(4, &outLen);
    std::vector<bool> red(shape.size(), false);
    for (auto ax : axes) red.at(static_cast<size_t>(ax)) = true;
    // Collapse into alternating groups of reduced / kept axes.
    std::vector<int64_t> d;
    std::vector<bool> r;
    for (size_t k = 0; k < shape.size(); k++) {
      if (shape[k] == 1) continue;
      if (!d.empty() && r.back() == red[k]) d.back() *= shape[k];
      else {
        d.push_back(shape[k]);
        r.push_back(red[k]);
      }
    }
    int64_t total = 1, redCount = 1;
    for (size_t k = 0; k < d.size(); k++) {
      total *= d[k];
      if (r[k]) redCount *= d[k];
    }
    const int64_t outN = static_cast<int64_t>(outLen);
    const double init = op == MAX ? -INFINITY : op == MIN ? INFINITY : 0.0;
    auto finish = [&](double v) { return static_cast<float>(op == MEAN ? v / static_cast<double>(redCount) : v); };
    if (total == 0) {
      for (int64_t o = 0; o < outN; o++) out[o] = op == MEAN ? NAN : static_cast<float>(init);
      return undef(env);
    }
    auto combine = [op](double acc, float v) -> double {
      if (op == MAX) return (v > acc || std::isnan(v)) ? v : acc;
      if (op == MIN) return (v < acc || std::isnan(v)) ? v : acc;
      return acc + v;
    };
    if (d.empty() || (d.size() == 1 && r[0])) {
      // everything reduced
      double acc = init;
      if (op == SUM || op == MEAN) {
#pragma omp parallel for reduction(+ : acc) if (total >= kPar)
        for (int64_t i = 0; i < total; i++) acc += x[i];
      } else {
        for (int64_t i = 0; i < total; i++) acc = combine(acc, x[i]);
      }
      out[0] = finish(acc);
      return undef(env);
    }
    if (d.size() == 2 && r[0] && !r[1]) {
      // [R, C] -> [C] (BatchNorm's moments over N,H,W)
      const int64_t R = d[0], C = d[1];
      int nt = total >= kPar ? omp_get_max_threads() : 1;
      std::vector<double> part(static_cast<size_t>(nt) * C, init);
#pragma omp parallel num_threads(nt)
      {
        int t = omp_get_thread_num(), T = omp_get_num_threads();
        double *acc = part.data() + static_cast<size_t>(t) * C;
        int64_t r0 = R * t / T, r1 = R * (t + 1) / T;
        std::vector<float> blk(C);
        for (int64_t i = r0; i < r1;) {
          // float partial sums over short runs of rows, flushed to double
          int64_t i1 = std::min(r1, i + 16);
          if (op == SUM || op == MEAN) {
            std::fill(blk.begin(), blk.end(), 0.f);
            for (; i < i1; i++) {
              const float *row = x + i * C;
#pragma omp simd
              for (int64_t c = 0; c < C; c++) blk[c] += row[c];
            }
            for (int64_t c = 0; c < C; c++) acc[c] += blk[c];
          } else {
            for (; i < i1; i++)
              for (int64_t c = 0; c < C; c++) acc[c] = combine(acc[c], x[i * C + c]);
          }
        }
      }
      for (int64_t c = 0; c < C; c++) {
        double v = init;
        for (int t = 0; t < nt; t++) {
          double pv = part[static_cast<size_t>(t) * C + c];
          v = (op == SUM || op == MEAN) ? v + pv : combine(v, static_cast<float>(pv));
        }
        out[c] = finish(v);
      }
      return undef(env);
    }
    // General case: walk the output; for each output element, walk its reduced elements.
    std::vector<int64_t> strides(d.size());
    int64_t s = 1;
    for (int k = static_cast<int>(d.size()) - 1; k >= 0; k--) {
      strides[k] = s;
      s *= d[k];
    }
    std::vector<int64_t> kd, ks, rd, rs;
    for (size_t k = 0; k < d.size(); k++) {
      if (r[k]) {
        rd.push_back(d[k]);
        rs.push_back(strides[k]);
      } else {
        kd.push_back(d[k]);
        ks.push_back(strides[k]);
      }
    }
#pragma omp parallel for schedule(static) if (total >= kPar)
    for (int64_t o = 0; o < outN; o++) {
      int64_t base = 0, rem = o;
      for (int k = static_cast<int>(kd.size()) - 1; k >= 0; k--) {
        base += (rem % kd[k]) * ks[k];
        rem /= kd[k];
      }
      double acc = init;
      for (int64_t j = 0; j < redCount; j++) {
        int64_t off = base, rj = j;
        for (int k = static_cast<int>(rd.size()) - 1; k >= 0; k--) {
          off += (rj % rd[k]) * rs[k];
          rj /= rd[k];
        }
        acc = combine(acc, x[off]);
      }
      out[o] = finish(acc);
    }
    return undef(env);
  });
}

// transpose(x, shape, perm, out)
napi_value Transpose(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info);
    float *x = a.f32(0);
    auto shape = a.ints(1), perm = a.ints(2);
    float *y = a.f32(3);
    size_t r = shape.size();
    std::vector<int64_t> inStr(r), outShape(r), srcStr(r);
    int64_t s = 1;
    for (int k = static_cast<int>(r) - 1; k >= 0; k--) {
      inStr[k] = s;
      s *= shape[k];
    }
    const int64_t total = s;
    for (size_t k = 0; k < r; k++) {
      outShape[k] = shape[perm[k]];
      srcStr[k] = inStr[perm[k]];
    }
    if (r == 0 || total == 0) {
      if (total) y[0] = x[0];
      return undef(env);
    }
    const int64_t inner = outShape[r - 1], is = srcStr[r - 1];
    const int64_t rows = total / inner;
#pragma omp parallel for schedule(static) if (total >= kPar)
    for (int64_t row = 0; row < rows; row++) {
      int64_t off = 0, rem = row;
      for (int k = static_cast<int>(r) - 2; k >= 0; k--) {
        off += (rem % outShape[k]) * srcStr[k];
        rem /= outShape[k];
      }
      float *dst = y + row * inner;
      for (int64_t j = 0; j < inner; j++) dst[j] = x[off + j * is];
    }
    return undef(env);
  });
}

}  // namespace fa
