// The one oneDNN CPU engine and stream the addon's primitives run on.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

namespace contrastlab {

inline dnnl::engine &cpu() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

inline dnnl::stream &cpuStream() {
  static dnnl::stream stream(cpu());
  return stream;
}

}  // namespace contrastlab
