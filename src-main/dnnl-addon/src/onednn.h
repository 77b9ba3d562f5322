// The oneDNN CPU engine the addon's primitives run on, and a stream per thread: a process may load the
// addon on more than one JavaScript thread (a run's training thread and its input thread), and each
// thread keeps its own primitives and stream, so nothing mutable is shared between them.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <string>

#include "napi_util.h"

namespace contrastlab {

inline dnnl::engine &cpu() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

inline dnnl::stream &cpuStream() {
  thread_local dnnl::stream stream(cpu());
  return stream;
}

// Runs f; a oneDNN error becomes an error for the JavaScript caller, named as oneDNN's.
template <typename F>
auto withOneDnn(F f) -> decltype(f()) {
  try {
    return f();
  } catch (const dnnl::error &e) {
    throw JsError(std::string("oneDNN: ") + e.what());
  }
}

// The data of a Float32Array argument that must hold exactly the tensor `md` describes.
inline float *tensorData(napi_env env, napi_value value, const dnnl::memory::desc &md, const char *name) {
  size_t length = 0;
  float *data = typedArray<float>(env, value, napi_float32_array, &length, name, "Float32Array");
  size_t needed = md.get_size() / sizeof(float);
  if (length != needed)
    throw JsError(std::string(name) + " holds " + std::to_string(length) + " values, the shape needs " +
                  std::to_string(needed));
  return data;
}

}  // namespace contrastlab
