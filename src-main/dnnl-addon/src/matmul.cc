// Batched matrix products for ContrastLab's wasm backend, run by oneDNN on float32 tensors in the wasm
// heap (the JS side passes Float32Array views of it). out[b] = op(a[b]) · op(c[b]) where op transposes
// when asked; a batch of 1 on either side is broadcast. Primitives are created once per shape and kept.

#include <oneapi/dnnl/dnnl.hpp>

#include <array>
#include <map>
#include <memory>
#include <string>

#include "entry_points.h"
#include "napi_util.h"
#include "onednn.h"

namespace contrastlab {
namespace {

using dnnl::memory;
using dt = memory::data_type;

// batch of a, batch of b, M, K, N, a transposed, b transposed.
constexpr size_t kDims = 7;
using Key = std::array<int64_t, kDims>;

struct Prepared {
  dnnl::matmul primitive;
  memory::desc a, b, out;
};

// A [batch, rows, cols] operand stored row-major, or its transpose (stored [batch, cols, rows]).
memory::desc operand(int64_t batch, int64_t rows, int64_t cols, bool transposed) {
  memory::dims strides = transposed ? memory::dims{rows * cols, 1, rows} : memory::dims{rows * cols, cols, 1};
  return memory::desc({batch, rows, cols}, dt::f32, strides);
}

Prepared prepare(const Key &k) {
  int64_t batchA = k[0], batchB = k[1], m = k[2], kk = k[3], n = k[4];
  memory::desc a = operand(batchA, m, kk, k[5] != 0);
  memory::desc b = operand(batchB, kk, n, k[6] != 0);
  memory::desc out({std::max(batchA, batchB), m, n}, dt::f32, memory::format_tag::abc);
  dnnl::matmul::desc desc(a, b, out);
  dnnl::matmul::primitive_desc pd(desc, cpu());
  return {dnnl::matmul(pd), a, b, out};
}

Prepared &prepared(const Key &key) {
  thread_local std::map<Key, std::unique_ptr<Prepared>> cache;  // per thread, see onednn.h
  auto &entry = cache[key];
  if (!entry) entry = std::make_unique<Prepared>(prepare(key));
  return *entry;
}

Key readKey(napi_env env, napi_value value) {
  size_t length = 0;
  const int32_t *v = typedArray<int32_t>(env, value, napi_int32_array, &length, "dims", "Int32Array");
  if (length != kDims) throw JsError("dims must hold 7 values, got " + std::to_string(length));
  Key key;
  for (size_t i = 0; i < kDims; ++i) key[i] = v[i];
  for (size_t i = 0; i < 5; ++i)
    if (key[i] < 1) throw JsError("dims: batch sizes and matrix sizes must be positive");
  if (key[0] != key[1] && key[0] != 1 && key[1] != 1)
    throw JsError("dims: the batch sizes must be equal or one of them 1");
  return key;
}

}  // namespace

// matmul(a, b, out, dims): out = op(a) · op(b), synchronously.
napi_value MatMul(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value argv[4];
    args(env, info, argv);
    Key key = readKey(env, argv[3]);
    Prepared &p = withOneDnn([&]() -> Prepared & { return prepared(key); });
    float *a = tensorData(env, argv[0], p.a, "a");
    float *b = tensorData(env, argv[1], p.b, "b");
    float *out = tensorData(env, argv[2], p.out, "out");
    withOneDnn([&] {
      memory ma(p.a, cpu(), a), mb(p.b, cpu(), b), mo(p.out, cpu(), out);
      p.primitive.execute(cpuStream(), {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mo}});
      cpuStream().wait();
    });
    return nullptr;
  });
}

}  // namespace contrastlab
