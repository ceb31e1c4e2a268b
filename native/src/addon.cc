// fourier-augmix native kernels: an N-API addon over oneDNN (Debian's libdnnl, OpenMP runtime).
// Every function reads and writes the tensors' own Float32Array buffers in place (no copies):
// JS allocates the outputs, C++ fills them. Convolutions and matmuls are oneDNN primitives cached
// by shape; the elementwise, reduction and BatchNorm kernels are plain loops with OpenMP.
#include <node_api.h>
#include <omp.h>
#include <sys/mman.h>
#include <pmmintrin.h>
#include <xmmintrin.h>

#include <dnnl.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

namespace {

struct JsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

engine &eng() {
  static engine e(engine::kind::cpu, 0);
  return e;
}
stream &strm() {
  static stream s(eng());
  return s;
}

// ---- N-API argument helpers ----
struct Args {
  napi_env env;
  size_t argc = 16;
  napi_value argv[16];
  Args(napi_env e, napi_callback_info info) : env(e) {
    if (napi_get_cb_info(e, info, &argc, argv, nullptr, nullptr) != napi_ok) throw JsError("bad call");
  }
  napi_value at(size_t i) const {
    if (i >= argc) throw JsError("missing argument " + std::to_string(i));
    return argv[i];
  }
  float *f32(size_t i, size_t *len = nullptr) const {
    napi_typedarray_type t;
    size_t n;
    void *data;
    napi_value ab;
    size_t off;
    if (napi_get_typedarray_info(env, at(i), &t, &n, &data, &ab, &off) != napi_ok || t != napi_float32_array)
      throw JsError("argument " + std::to_string(i) + " must be a Float32Array");
    if (len) *len = n;
    return static_cast<float *>(data);
  }
  float *f32opt(size_t i) const {
    napi_valuetype vt;
    if (i >= argc || napi_typeof(env, argv[i], &vt) != napi_ok || vt == napi_null || vt == napi_undefined) return nullptr;
    return f32(i);
  }
  double num(size_t i) const {
    double v;
    if (napi_get_value_double(env, at(i), &v) != napi_ok) throw JsError("argument " + std::to_string(i) + " must be a number");
    return v;
  }
  int64_t i64(size_t i) const { return static_cast<int64_t>(num(i)); }
  // An array of integers (a JS array or Int32Array).
  std::vector<int64_t> ints(size_t i) const {
    std::vector<int64_t> out;
    napi_value v = at(i);
    bool isArr = false;
    napi_is_array(env, v, &isArr);
    if (isArr) {
      uint32_t n;
      napi_get_array_length(env, v, &n);
      out.resize(n);
      for (uint32_t k = 0; k < n; k++) {
        napi_value e;
        double d;
        napi_get_element(env, v, k, &e);
        if (napi_get_value_double(env, e, &d) != napi_ok) throw JsError("integer list expected");
        out[k] = static_cast<int64_t>(d);
      }
      return out;
    }
    napi_typedarray_type t;
    size_t n;
    void *data;
    napi_value ab;
    size_t off;
    if (napi_get_typedarray_info(env, v, &t, &n, &data, &ab, &off) != napi_ok || t != napi_int32_array)
      throw JsError("argument " + std::to_string(i) + " must be an array of integers");
    out.assign(static_cast<int32_t *>(data), static_cast<int32_t *>(data) + n);
    return out;
  }
};

napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

template <typename F>
napi_value guarded(napi_env env, F &&f) {
  try {
    return f();
  } catch (const dnnl::error &e) {
    napi_throw_error(env, nullptr, (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception &e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

std::string keyOf(const char *kind, const std::vector<int64_t> &p) {
  std::string k(kind);
  for (auto v : p) k += "," + std::to_string(v);
  return k;
}

// ---- Convolution (NHWC activations, HWIO weights as tfjs stores them) ----
// p = [N, H, W, CI, KH, KW, CO, OH, OW, sh, sw, dh, dw, pt, pl, pb, pr]
struct ConvShape {
  memory::dims src, wei, dst, strides, dil, pl, pr;
  explicit ConvShape(const std::vector<int64_t> &p) {
    if (p.size() != 17) throw JsError("conv params: 17 integers expected");
    src = {p[0], p[3], p[1], p[2]};
    wei = {p[6], p[3], p[4], p[5]};
    dst = {p[0], p[6], p[7], p[8]};
    strides = {p[9], p[10]};
    dil = {p[11] - 1, p[12] - 1};
    pl = {p[13], p[14]};
    pr = {p[15], p[16]};
  }
  memory::desc srcMd() const { return {src, dt::f32, tag::nhwc}; }
  memory::desc dstMd() const { return {dst, dt::f32, tag::nhwc}; }
  memory::desc weiAny() const { return {wei, dt::f32, tag::any}; }
  memory::desc weiUser() const { return {wei, dt::f32, tag::hwio}; }
  memory::desc biasMd() const { return {{wei[0]}, dt::f32, tag::a}; }
};

convolution_forward::primitive_desc convFwdPd(const ConvShape &s, bool bias, int act, float alpha) {
  auto d = bias ? convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, s.srcMd(), s.weiAny(), s.biasMd(),
                                            s.dstMd(), s.strides, s.dil, s.pl, s.pr)
                : convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, s.srcMd(), s.weiAny(), s.dstMd(),
                                            s.strides, s.dil, s.pl, s.pr);
  primitive_attr attr;
  if (act != 0) {
    post_ops po;
    // 1 relu, 2 relu6, 3 leakyrelu(alpha), 4 elu, 5 sigmoid
    switch (act) {
      case 1: po.append_eltwise(1.f, algorithm::eltwise_relu, 0.f, 0.f); break;
      case 2: po.append_eltwise(1.f, algorithm::eltwise_clip, 0.f, 6.f); break;
      case 3: po.append_eltwise(1.f, algorithm::eltwise_relu, alpha, 0.f); break;
      case 4: po.append_eltwise(1.f, algorithm::eltwise_elu, 1.f, 0.f); break;
      case 5: po.append_eltwise(1.f, algorithm::eltwise_logistic, 0.f, 0.f); break;
      default: throw JsError("unknown activation");
    }
    attr.set_post_ops(po);
  }
  return convolution_forward::primitive_desc(d, attr, eng());
}

// Weights in a primitive's own layout: reordered from the user's HWIO on each call when it differs.
struct PrimWeights {
  memory::desc user;
  std::unique_ptr<memory> buf;
  std::unique_ptr<reorder> toPrim;
  PrimWeights(const memory::desc &prim, const memory::desc &userMd) : user(userMd) {
    if (prim != user) {
      buf.reset(new memory(prim, eng()));
      toPrim.reset(new reorder(memory(user, eng(), nullptr), *buf));
    }
  }
  memory in(float *w) {
    memory wu(user, eng(), w);
    if (!buf) return wu;
    toPrim->execute(strm(), wu, *buf);
    return *buf;
  }
};

struct ConvFwd {
  convolution_forward prim;
  PrimWeights wei;
};
struct ConvBwdData {
  convolution_backward_data prim;
  PrimWeights wei;
};
struct ConvBwdWeights {
  convolution_backward_weights prim;
  memory::desc dweiMd, weiUser;
  std::unique_ptr<memory> dweiBuf;
  std::unique_ptr<reorder> dweiReorder;
};

std::map<std::string, std::unique_ptr<ConvFwd>> convFwdCache;
std::map<std::string, std::unique_ptr<ConvBwdData>> convBwdDataCache;
std::map<std::string, std::unique_ptr<ConvBwdWeights>> convBwdWeightsCache;
std::map<std::string, std::unique_ptr<matmul>> matmulCache;

// Runs a forward convolution with params p (see ConvShape) on user buffers.
void convForwardRun(const std::vector<int64_t> &p, float *x, float *w, float *y, float *bias, int act, float alpha) {
  auto key = keyOf(bias ? "fb" : "f", p) + ",a" + std::to_string(act) + "," + std::to_string(alpha);
  auto &e = convFwdCache[key];
  ConvShape s(p);
  if (!e) {
    auto pd = convFwdPd(s, bias != nullptr, act, alpha);
    e.reset(new ConvFwd{convolution_forward(pd), PrimWeights(pd.weights_desc(), s.weiUser())});
  }
  memory xm(s.srcMd(), eng(), x), ym(s.dstMd(), eng(), y);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, e->wei.in(w)}, {DNNL_ARG_DST, ym}};
  if (bias) args.insert({DNNL_ARG_BIAS, memory(s.biasMd(), eng(), bias)});
  e->prim.execute(strm(), args);
  strm().wait();
}

// convForward(x, w, y, params, bias|null, act, alpha)
napi_value ConvForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info);
    float *x = a.f32(0), *w = a.f32(1), *y = a.f32(2);
    auto p = a.ints(3);
    float *bias = a.f32opt(4);
    int act = a.argc > 5 ? static_cast<int>(a.num(5)) : 0;
    float alpha = a.argc > 6 ? static_cast<float>(a.num(6)) : 0.f;
    convForwardRun(p, x, w, y, bias, act, alpha);
    return undef(env);
  });
}

// The input gradient of a stride-1, undilated convolution is itself a forward convolution: of dy
// with the kernel rotated by 180 degrees and its in/out channels swapped, padded k-1-p per side.
// oneDNN 2.6 has its fast brgemm kernels for forward NHWC convolutions only: its backward-data
// kernel is markedly slower than the forward one (docs/benchmarks.md).
// Returns false where the identity does not apply (strides, dilation, padding beyond k-1).
std::vector<float> flippedWeights;
bool convBackwardDataAsForward(const std::vector<int64_t> &p, float *dy, float *w, float *dx) {
  const int64_t N = p[0], H = p[1], W = p[2], CI = p[3], KH = p[4], KW = p[5], CO = p[6], OH = p[7], OW = p[8];
  const int64_t pt = p[13], pl = p[14], pb = p[15], pr = p[16];
  if (p[9] != 1 || p[10] != 1 || p[11] != 1 || p[12] != 1) return false;
  for (int64_t v : {pt, pb}) if (v < 0 || v > KH - 1) return false;
  for (int64_t v : {pl, pr}) if (v < 0 || v > KW - 1) return false;
  // w is HWIO [KH, KW, CI, CO]; the flipped kernel is [KH, KW, CO, CI] with taps reversed.
  flippedWeights.resize(static_cast<size_t>(KH * KW * CI * CO));
  float *f = flippedWeights.data();
#pragma omp parallel for collapse(2)
  for (int64_t i = 0; i < KH; i++)
    for (int64_t j = 0; j < KW; j++) {
      const float *src = w + ((KH - 1 - i) * KW + (KW - 1 - j)) * CI * CO;
      float *dst = f + (i * KW + j) * CO * CI;
      for (int64_t c = 0; c < CI; c++)
        for (int64_t o = 0; o < CO; o++) dst[o * CI + c] = src[c * CO + o];
    }
  std::vector<int64_t> q{N, OH, OW, CO, KH, KW, CI, H, W, 1, 1, 1, 1, KH - 1 - pt, KW - 1 - pl, KH - 1 - pb, KW - 1 - pr};
  convForwardRun(q, dy, f, dx, nullptr, 0, 0.f);
  return true;
}

// convBackwardData(dy, w, dx, params)
napi_value ConvBackwardData(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info);
    float *dy = a.f32(0), *w = a.f32(1), *dx = a.f32(2);
    auto p = a.ints(3);
    if (convBackwardDataAsForward(p, dy, w, dx)) return undef(env);
    auto &e = convBwdDataCache[keyOf("d", p)];
    ConvShape s(p);
    if (!e) {
      auto fpd = convFwdPd(s, false, 0, 0.f);
      auto d = convolution_backward_data::desc(algorithm::convolution_direct, s.srcMd(), s.weiAny(), s.dstMd(), s.strides, s.dil, s.pl, s.pr);
      auto pd = convolution_backward_data::primitive_desc(d, eng(), fpd);
      e.reset(new ConvBwdData{convolution_backward_data(pd), PrimWeights(pd.weights_desc(), s.weiUser())});
    }
    memory dym(s.dstMd(), eng(), dy), dxm(s.srcMd(), eng(), dx);
    e->prim.execute(strm(), {{DNNL_ARG_DIFF_DST, dym}, {DNNL_ARG_WEIGHTS, e->wei.in(w)}, {DNNL_ARG_DIFF_SRC, dxm}});
    strm().wait();
    return undef(env);
  });
}

// convBackwardWeights(x, dy, dw, params)
napi_value ConvBackwardWeights(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info);
    float *x = a.f32(0), *dy = a.f32(1), *dw = a.f32(2);
    auto p = a.ints(3);
    auto &e = convBwdWeightsCache[keyOf("w", p)];
    ConvShape s(p);
    if (!e) {
      auto fpd = convFwdPd(s, false, 0, 0.f);
      auto d = convolution_backward_weights::desc(algorithm::convolution_direct, s.srcMd(), s.weiAny(), s.dstMd(), s.strides, s.dil, s.pl, s.pr);
      auto pd = convolution_backward_weights::primitive_desc(d, eng(), fpd);
      e.reset(new ConvBwdWeights{convolution_backward_weights(pd), pd.diff_weights_desc(), s.weiUser(), nullptr, nullptr});
      if (e->dweiMd != e->weiUser) {
        e->dweiBuf.reset(new memory(e->dweiMd, eng()));
        e->dweiReorder.reset(new reorder(*e->dweiBuf, memory(e->weiUser, eng(), nullptr)));
      }
    }
    memory xm(s.srcMd(), eng(), x), dym(s.dstMd(), eng(), dy), dwu(e->weiUser, eng(), dw);
    memory dwm = e->dweiBuf ? *e->dweiBuf : dwu;
    e->prim.execute(strm(), {{DNNL_ARG_SRC, xm}, {DNNL_ARG_DIFF_DST, dym}, {DNNL_ARG_DIFF_WEIGHTS, dwm}});
    if (e->dweiBuf) e->dweiReorder->execute(strm(), *e->dweiBuf, dwu);
    strm().wait();
    return undef(env);
  });
}

// matmul(a, b, c, [batchA, batchB, M, K, N, transA, transB]): c[batch, M, N] = op(a) op(b),
// a stored [batchA, M, K] (or [batchA, K, M] when transA), b [batchB, K, N] (or [batchB, N, K]).
// batchA and batchB are equal or one of them is 1 (broadcast).
napi_value MatMul(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info);
    float *A = a.f32(0), *B = a.f32(1), *C = a.f32(2);
    auto p = a.ints(3);
    if (p.size() != 7) throw JsError("matmul params: 7 integers expected");
    int64_t ba = p[0], bb = p[1], M = p[2], K = p[3], N = p[4];
    bool ta = p[5] != 0, tb = p[6] != 0;
    int64_t bc = std::max(ba, bb);
    memory::desc amd({ba, M, K}, dt::f32, ta ? memory::dims{M * K, 1, M} : memory::dims{M * K, K, 1});
    memory::desc bmd({bb, K, N}, dt::f32, tb ? memory::dims{K * N, 1, K} : memory::dims{K * N, N, 1});
    memory::desc cmd({bc, M, N}, dt::f32, memory::dims{M * N, N, 1});
    auto &e = matmulCache[keyOf("m", p)];
    if (!e) {
      auto pd = matmul::primitive_desc(matmul::desc(amd, bmd, cmd), eng());
      e.reset(new matmul(pd));
    }
    memory am(amd, eng(), A), bm(bmd, eng(), B), cm(cmd, eng(), C);
    e->execute(strm(), {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
    strm().wait();
    return undef(env);
  });
}

// ---- Elementwise ----
constexpr int64_t kPar = 1 << 15;  // below this many elements, one thread

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

// ---- Reductions ----
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

// ---- BatchNorm over [R, C] (R = N·H·W, NHWC) ----
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

// Denormal floats are flushed to zero on every thread of the pool, as TensorFlow's CPU runtime
// does: backward passes otherwise produce denormals that slow every kernel after them 2-10x.
void flushDenormals() {
  _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
  _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
#pragma omp parallel
  {
    _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
    _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
  }
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info);
    int n = static_cast<int>(a.num(0));
    if (n < 1) throw JsError("threads must be >= 1");
    // oneDNN fixes a primitive's thread partitioning when it is created: primitives made for
    // another count would keep running on that many threads (a 2-thread step ran at 1 thread's speed).
    if (n != omp_get_max_threads()) {
      convFwdCache.clear();
      convBwdDataCache.clear();
      convBwdWeightsCache.clear();
      matmulCache.clear();
    }
    omp_set_num_threads(n);
    flushDenormals();
    return undef(env);
  });
}

napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, omp_get_max_threads(), &v);
  return v;
}

napi_value Info(napi_env env, napi_callback_info) {
  const dnnl_version_t *v = dnnl_version();
  std::string s = "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) + " (" +
                  (v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other runtime") + ")";
  napi_value out;
  napi_create_string_utf8(env, s.c_str(), s.size(), &out);
  return out;
}

// Large kernel outputs live in 2 MiB-aligned memory the kernel may back with transparent huge
// pages: a fresh 4 KiB-paged 25 MB array costs ~6,000 page faults on its first write, a
// huge-paged one ~13. The contents are arbitrary, as for any kernel output.
constexpr size_t kHuge = size_t(2) << 20;

void freeHuge(napi_env env, void *data, void *hint) {
  int64_t bytes = static_cast<int64_t>(reinterpret_cast<uintptr_t>(hint));
  int64_t ignored;
  napi_adjust_external_memory(env, -bytes, &ignored);
  std::free(data);
}

napi_value AllocFloat32(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a(env, info);
    double n = a.num(0);
    if (!(n >= 1) || n > 1e10 || n != std::floor(n)) throw JsError("allocFloat32: element count must be a positive integer");
    size_t bytes = static_cast<size_t>(n) * sizeof(float);  // exact: the buffer is the array
    void *p = nullptr;
    if (posix_memalign(&p, kHuge, bytes) != 0) throw JsError("allocFloat32: out of memory");
    madvise(p, (bytes + kHuge - 1) / kHuge * kHuge, MADV_HUGEPAGE);  // advice only: without THP, plain pages
    napi_value ab, arr;
    if (napi_create_external_arraybuffer(env, p, bytes, freeHuge, reinterpret_cast<void *>(static_cast<uintptr_t>(bytes)), &ab) != napi_ok) {
      std::free(p);
      throw JsError("allocFloat32: external array buffers are not allowed here");
    }
    int64_t ignored;
    napi_adjust_external_memory(env, static_cast<int64_t>(bytes), &ignored);
    napi_create_typedarray(env, napi_float32_array, static_cast<size_t>(n), ab, 0, &arr);
    return arr;
  });
}

napi_value CacheSize(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, static_cast<int32_t>(convFwdCache.size() + convBwdDataCache.size() + convBwdWeightsCache.size() + matmulCache.size()), &v);
  return v;
}

}  // namespace

NAPI_MODULE_INIT() {
  flushDenormals();
  struct Fn {
    const char *name;
    napi_callback cb;
  } fns[] = {
      {"convForward", ConvForward},     {"convBackwardData", ConvBackwardData}, {"convBackwardWeights", ConvBackwardWeights},
      {"matmul", MatMul},               {"binary", Binary},                     {"unary", Unary},
      {"reduce", Reduce},               {"transpose", Transpose},               {"bnTrainForward", BnTrainForward},
      {"bnTrainBackward", BnTrainBackward}, {"scaleShift", ScaleShift},         {"setThreads", SetThreads},
      {"getThreads", GetThreads},       {"info", Info},                         {"cacheSize", CacheSize},
      {"allocFloat32", AllocFloat32},
  };
  for (auto &f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  return exports;
}
