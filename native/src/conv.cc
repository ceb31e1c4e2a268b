// Convolutions and matmul: oneDNN primitives, cached by shape.
#include "common.h"

namespace fa {

// Convolution (NHWC activations, HWIO weights as tfjs stores them) ----
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


void clearPrimitiveCaches() {
  convFwdCache.clear();
  convBwdDataCache.clear();
  convBwdWeightsCache.clear();
  matmulCache.clear();
}

napi_value CacheSize(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, static_cast<int32_t>(convFwdCache.size() + convBwdDataCache.size() + convBwdWeightsCache.size() + matmulCache.size()), &v);
  return v;
}

}  // namespace fa
