// The oneDNN CPU engine the addon's primitives run on, and a stream per thread: a process may load the
// addon on more than one JavaScript thread (a run's training thread and its input thread), and each
// thread keeps its own primitives and stream, so nothing mutable is shared between them.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

namespace contrastlab {

inline dnnl::engine &cpu() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

inline dnnl::stream &cpuStream() {
  thread_local dnnl::stream stream(cpu());
  return stream;
}

}  // namespace contrastlab
