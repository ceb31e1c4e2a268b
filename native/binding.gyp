{
  "targets": [
    {
      "target_name": "fa_native",
      "sources": ["src/addon.cc", "src/conv.cc", "src/elementwise.cc", "src/reduce.cc", "src/batchnorm.cc", "src/runtime.cc"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-O3", "-fopenmp", "-fexceptions"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl"]
    }
  ]
}
