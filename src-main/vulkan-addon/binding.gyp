{
  "targets": [
    {
      "target_name": "contrastlab_vulkan",
      "sources": ["src/addon.cc", "src/device.cc", "src/volk.c"],
      "include_dirs": ["../dnnl-addon/src"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-Wno-missing-field-initializers"],
      "libraries": ["-ldl"]
    }
  ]
}
