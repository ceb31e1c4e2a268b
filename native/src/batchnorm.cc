// Training-mode BatchNorm forward and backward, and the fused scale-shift, over [R, C] rows.
#include "common.h"

namespace fa {

// Over [R, C]: R = N·H·W, NHWC.
// Plain functions over restrict pointers (no lambda captures) so that the channel loops vectorise;
// each is compiled for AVX2+FMA and for baseline x86-64, picked at load time.
#define FA_CLONES __attribute__((target_clones("arch=haswell", "default")))

// Per-channel sums of (x − shift) and (x − shift)² over rows [r0, r1), added into a1, a2.
FA_CLONES static void bnSums(const float *__restrict x, const float *__restrict shift, int64_t r0, int64_t r1, int64_t C, double *__restrict a1,
                   double *__restrict a2) {
  std::vector<float> v1(C), v2(C);
  float *__restrict b1 = v1.data();
  float *__restrict b2 = v2.data();
  for (int64_t i = r0; i < r1;) {
    const int64_t i1 = std::min(r1, i + 16);
    for (int64_t c = 0; c < C; c++) b1[c] = b2[c] = 0.f;
    for (; i < i1; i++) {
      const float *__restrict row = x + i * C;
#pragma omp simd
      for (int64_t c = 0; c < C; c++) {
        const float v = row[c] - shift[c];
        b1[c] += v;
        b2[c] += v * v;
      }
    }
    for (int64_t c = 0; c < C; c++) {
      a1[c] += b1[c];
      a2[c] += b2[c];
    }
  }
}

// Per-channel sums of g and g·(x − mean) over rows [r0, r1), g = dy masked by y > 0 when y.
FA_CLONES static void bnGradSums(const float *__restrict x, const float *__restrict dy, const float *__restrict y, const float *__restrict mean, int64_t r0,
                       int64_t r1, int64_t C, double *__restrict a1, double *__restrict a2) {
  std::vector<float> v1(C), v2(C);
  float *__restrict b1 = v1.data();
  float *__restrict b2 = v2.data();
  for (int64_t i = r0; i < r1;) {
    const int64_t i1 = std::min(r1, i + 16);
    for (int64_t c = 0; c < C; c++) b1[c] = b2[c] = 0.f;
    for (; i < i1; i++) {
      const float *__restrict xr = x + i * C;
      const float *__restrict dr = dy + i * C;
      if (y) {
        const float *__restrict yr = y + i * C;
#pragma omp simd
        for (int64_t c = 0; c < C; c++) {
          const float d = dr[c];  // loaded unconditionally, so the select vectorises
          const float g = yr[c] > 0.f ? d : 0.f;
          b1[c] += g;
          b2[c] += g * (xr[c] - mean[c]);
        }
      } else {
#pragma omp simd
        for (int64_t c = 0; c < C; c++) {
          b1[c] += dr[c];
          b2[c] += dr[c] * (xr[c] - mean[c]);
        }
      }
    }
    for (int64_t c = 0; c < C; c++) {
      a1[c] += b1[c];
      a2[c] += b2[c];
    }
  }
}

// y = x·sc + bi per channel over rows [r0, r1), then max(·, 0) when relu.
FA_CLONES static void bnApply(const float *__restrict x, const float *__restrict sc, const float *__restrict bi, float *__restrict y, int64_t r0, int64_t r1,
                    int64_t C, bool relu) {
  for (int64_t i = r0; i < r1; i++) {
    const float *__restrict row = x + i * C;
    float *__restrict out = y + i * C;
    if (relu) {
#pragma omp simd
      for (int64_t c = 0; c < C; c++) out[c] = std::max(row[c] * sc[c] + bi[c], 0.f);
    } else {
#pragma omp simd
      for (int64_t c = 0; c < C; c++) out[c] = row[c] * sc[c] + bi[c];
    }
  }
}

// dx = k1·g − k2·(x − mean) − k3 over rows [r0, r1).
FA_CLONES static void bnGradApply(const float *__restrict x, const float *__restrict dy, const float *__restrict y, const float *__restrict mean,
                        const float *__restrict k1, const float *__restrict k2, const float *__restrict k3, float *__restrict dx, int64_t r0,
                        int64_t r1, int64_t C) {
  for (int64_t i = r0; i < r1; i++) {
    const float *__restrict xr = x + i * C;
    const float *__restrict dr = dy + i * C;
    float *__restrict o = dx + i * C;
    if (y) {
      const float *__restrict yr = y + i * C;
#pragma omp simd
      for (int64_t c = 0; c < C; c++) {
        const float d = dr[c];
        o[c] = k1[c] * (yr[c] > 0.f ? d : 0.f) - k2[c] * (xr[c] - mean[c]) - k3[c];
      }
    } else {
#pragma omp simd
      for (int64_t c = 0; c < C; c++) o[c] = k1[c] * dr[c] - k2[c] * (xr[c] - mean[c]) - k3[c];
    }
  }
}

// Runs fn(t, r0, r1) on nt threads over R rows.
template <typename F>
static void splitRows(int64_t R, int nt, F &&fn) {
#pragma omp parallel num_threads(nt)
  {
    const int t = omp_get_thread_num(), T = omp_get_num_threads();
    fn(t, R * t / T, R * (t + 1) / T);
  }
}

// bnTrainForward(x, gamma, beta, y, mean, var, R, C, eps, relu): batch statistics (biased
// variance), y = (x − mean)·gamma/√(var + eps) + beta, then max(·, 0) when relu.
napi_value BnTrainForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info);
    const float *x = a.f32(0), *gamma = a.f32(1), *beta = a.f32(2);
    float *y = a.f32(3), *mean = a.f32(4), *var = a.f32(5);
    const int64_t R = a.i64(6), C = a.i64(7);
    const float eps = static_cast<float>(a.num(8));
    const bool relu = a.num(9) != 0;
    const int nt = R * C >= kPar ? omp_get_max_threads() : 1;
    std::vector<double> s1(static_cast<size_t>(nt) * C, 0.0), s2(static_cast<size_t>(nt) * C, 0.0);
    // Sums shifted by the first row keep the one-pass variance accurate.
    const float *shift = x;
    splitRows(R, nt, [&](int t, int64_t r0, int64_t r1) { bnSums(x, shift, r0, r1, C, s1.data() + t * C, s2.data() + t * C); });
    std::vector<float> scale(C), bias(C);
    for (int64_t c = 0; c < C; c++) {
      double m1 = 0, m2 = 0;
      for (int t = 0; t < nt; t++) {
        m1 += s1[static_cast<size_t>(t) * C + c];
        m2 += s2[static_cast<size_t>(t) * C + c];
      }
      m1 /= static_cast<double>(R);
      m2 /= static_cast<double>(R);
      const double v = std::max(m2 - m1 * m1, 0.0);
      const double mu = m1 + shift[c];
      mean[c] = static_cast<float>(mu);
      var[c] = static_cast<float>(v);
      const double inv = 1.0 / std::sqrt(v + eps);
      scale[c] = static_cast<float>(gamma[c] * inv);
      bias[c] = static_cast<float>(beta[c] - mu * gamma[c] * inv);
    }
    splitRows(R, nt, [&](int, int64_t r0, int64_t r1) { bnApply(x, scale.data(), bias.data(), y, r0, r1, C, relu); });
    return undef(env);
  });
}

// bnTrainBackward(x, dy, gamma, mean, var, y|null, dx, dgamma, dbeta, R, C, eps): the gradient of
// bnTrainForward through the batch statistics. With y given (relu), dy is masked by y > 0.
napi_value BnTrainBackward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info);
    const float *x = a.f32(0), *dy = a.f32(1), *gamma = a.f32(2), *mean = a.f32(3), *var = a.f32(4);
    const float *y = a.f32opt(5);
    float *dx = a.f32(6), *dgamma = a.f32(7), *dbeta = a.f32(8);
    const int64_t R = a.i64(9), C = a.i64(10);
    const float eps = static_cast<float>(a.num(11));
    const int nt = R * C >= kPar ? omp_get_max_threads() : 1;
    std::vector<double> sdy(static_cast<size_t>(nt) * C, 0.0), sdyx(static_cast<size_t>(nt) * C, 0.0);
    splitRows(R, nt, [&](int t, int64_t r0, int64_t r1) { bnGradSums(x, dy, y, mean, r0, r1, C, sdy.data() + t * C, sdyx.data() + t * C); });
    // dx = gamma·inv·(g − dbeta/R − xhat·dgamma/R), xhat = (x − mean)·inv
    std::vector<float> k1(C), k2(C), k3(C);
    for (int64_t c = 0; c < C; c++) {
      double db = 0, dyx = 0;
      for (int t = 0; t < nt; t++) {
        db += sdy[static_cast<size_t>(t) * C + c];
        dyx += sdyx[static_cast<size_t>(t) * C + c];
      }
      const double inv = 1.0 / std::sqrt(static_cast<double>(var[c]) + eps);
      const double dg = dyx * inv;
      dgamma[c] = static_cast<float>(dg);
      dbeta[c] = static_cast<float>(db);
      const double gi = gamma[c] * inv;
      k1[c] = static_cast<float>(gi);
      k2[c] = static_cast<float>(gi * dg * inv / static_cast<double>(R));
      k3[c] = static_cast<float>(gi * db / static_cast<double>(R));
    }
    splitRows(R, nt, [&](int, int64_t r0, int64_t r1) { bnGradApply(x, dy, y, mean, k1.data(), k2.data(), k3.data(), dx, r0, r1, C); });
    return undef(env);
  });
}

// scaleShift(x, scale, shift, y, R, C, relu): y = x·scale + shift per channel (BatchNorm in
// evaluation, folded), then max(·, 0) when relu.
napi_value ScaleShift(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info);
    float *x = a.f32(0), *sc = a.f32(1), *sh = a.f32(2), *y = a.f32(3);
    const int64_t R = a.i64(4), C = a.i64(5);
    const bool relu = a.num(6) != 0;
#pragma omp parallel for schedule(static) if (R * C >= kPar)
    for (int64_t i = 0; i < R; i++) {
      const float *row = x + i * C;
      float *out = y + i * C;
      if (relu) {
#pragma omp simd
        for (int64_t c = 0; c < C; c++) out[c] = std::max(row[c] * sc[c] + sh[c], 0.f);
      } else {
#pragma omp simd
        for (int64_t c = 0; c < C; c++) out[c] = row[c] * sc[c] + sh[c];
      }
    }
    return undef(env);
  });
}

}  // namespace fa
