// @contrastlab/dnnl: the wasm backend's heaviest kernels, run natively on the wasm heap's memory.
// Convolutions and batched matrix products through oneDNN (convolution.cc, matmul.cc); batch normalisation's passes as vectorised loops on
// OpenMP threads (batch_norm.cc). The JavaScript side is src-main/engine/backend/kernels/.

#include <node_api.h>

#include "entry_points.h"

NAPI_MODULE_INIT() {
  using namespace contrastlab;
  napi_property_descriptor props[] = {
      {"convolution", nullptr, Convolution, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"implementation", nullptr, Implementation, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"matmul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormStats", nullptr, BatchNormStats, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormNormalize", nullptr, BatchNormNormalize, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormGradSums", nullptr, BatchNormGradSums, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormInputGrad", nullptr, BatchNormInputGrad, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
