{
  "targets": [
    {
      "target_name": "contrastlab_dnnl",
      "sources": ["src/addon.cc", "src/convolution.cc", "src/matmul.cc", "src/batch_norm.cc"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-fopenmp", "-fexceptions"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl"]
    }
  ]
}
