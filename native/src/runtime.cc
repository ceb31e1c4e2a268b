// The addon's runtime: OpenMP threads, denormals, version info, huge-page output buffers.
#include "common.h"

namespace fa {

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
      clearPrimitiveCaches();
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

}  // namespace fa
