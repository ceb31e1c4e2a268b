// fourier-augmix native kernels: an N-API addon over oneDNN (Debian's libdnnl, OpenMP runtime).
// Every function reads and writes the tensors' own Float32Array buffers in place (no copies):
// JS allocates the outputs, C++ fills them. Convolutions and matmuls are oneDNN primitives cached
// by shape; the elementwise, reduction and BatchNorm kernels are plain loops with OpenMP.
// This file registers the module's functions; the kernels live in the files beside it.
#include "common.h"

using namespace fa;

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
