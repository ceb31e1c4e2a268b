// Shared by the addon's files: oneDNN's engine and stream, N-API argument helpers, and the
// declarations of every exported function.
#pragma once

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


namespace fa {

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

struct JsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline engine &eng() {
  static engine e(engine::kind::cpu, 0);
  return e;
}
inline stream &strm() {
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

inline napi_value undef(napi_env env) {
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

inline std::string keyOf(const char *kind, const std::vector<int64_t> &p) {
  std::string k(kind);
  for (auto v : p) k += "," + std::to_string(v);
  return k;
}

// Below this many elements a loop runs on one thread.
constexpr int64_t kPar = 1 << 15;

// The functions the module exports, one file per family (conv.cc, elementwise.cc, reduce.cc,
// batchnorm.cc, runtime.cc).
napi_value ConvForward(napi_env env, napi_callback_info info);
napi_value ConvBackwardData(napi_env env, napi_callback_info info);
napi_value ConvBackwardWeights(napi_env env, napi_callback_info info);
napi_value MatMul(napi_env env, napi_callback_info info);
napi_value CacheSize(napi_env env, napi_callback_info info);
napi_value Binary(napi_env env, napi_callback_info info);
napi_value Unary(napi_env env, napi_callback_info info);
napi_value Reduce(napi_env env, napi_callback_info info);
napi_value Transpose(napi_env env, napi_callback_info info);
napi_value BnTrainForward(napi_env env, napi_callback_info info);
napi_value BnTrainBackward(napi_env env, napi_callback_info info);
napi_value ScaleShift(napi_env env, napi_callback_info info);
napi_value SetThreads(napi_env env, napi_callback_info info);
napi_value GetThreads(napi_env env, napi_callback_info info);
napi_value Info(napi_env env, napi_callback_info info);
napi_value AllocFloat32(napi_env env, napi_callback_info info);

// The cached oneDNN primitives (conv.cc), dropped when the thread count changes.
void clearPrimitiveCaches();
// Flushes denormals to zero on every thread of the OpenMP pool (runtime.cc).
void flushDenormals();

}  // namespace fa
