// Batch normalisation's four passes over an activation (see the JS side,
// src-main/engine/backend/kernels/batch-norm-train.ts, for the formulas and the per-channel coefficients
// it computes between the passes), run natively on the wasm heap: the same passes as
// batch-norm-simd.wat, with the CPU's full vector width and on every OpenMP thread.
//
// Every pointer argument is a byte offset into `heap`, a Uint8Array over the whole wasm memory; the
// activation is [rows, c] (NHWC flattened), per-channel arrays are float32 except the float64 sums.
// Sums are accumulated in float32 over blocks of rows and in float64 across blocks, each thread into
// its own partial sums, which are added in thread order afterwards: the result depends on the thread
// count but not on timing.

#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "entry_points.h"
#include "napi_util.h"

namespace contrastlab {
namespace {

// The wasm heap and checked views of it.
struct Heap {
  uint8_t *base;
  size_t size;

  template <typename T>
  T *at(int64_t offset, int64_t count, const char *name) const {
    if (offset < 0 || count < 0 || offset % alignof(T) != 0 ||
        static_cast<size_t>(offset) + static_cast<size_t>(count) * sizeof(T) > size)
      throw JsError(std::string(name) + ": offset " + std::to_string(offset) + " (" + std::to_string(count) +
                    " values) lies outside the heap or is misaligned");
    return reinterpret_cast<T *>(base + offset);
  }
};

Heap heapOf(napi_env env, napi_value value) {
  size_t length = 0;
  uint8_t *base = typedArray<uint8_t>(env, value, napi_uint8_array, &length, "heap", "Uint8Array");
  return {base, length};
}

// Rows per block: about 4096 values, so a block of x (and dy) stays in the L1 cache.
int64_t blockRows(int64_t c) { return std::max<int64_t>(1, 4096 / c); }

// Per-thread float64 sums of two per-channel quantities, added in thread order at the end.
class ChannelSums {
 public:
  ChannelSums(int threads, int64_t c) : c_(c), sums_(static_cast<size_t>(threads) * 2 * c, 0.0) {}
  double *first(int thread) { return &sums_[static_cast<size_t>(thread) * 2 * c_]; }
  double *second(int thread) { return first(thread) + c_; }
  void addTo(double *a, double *b, int threads) {
    for (int t = 0; t < threads; ++t)
      for (int64_t ch = 0; ch < c_; ++ch) {
        a[ch] += first(t)[ch];
        b[ch] += second(t)[ch];
      }
  }

 private:
  int64_t c_;
  std::vector<double> sums_;
};

// Σx and Σx² per channel, added to sum and sumSq.
void stats(const float *__restrict x, int64_t rows, int64_t c, double *sum, double *sumSq) {
  int threads = omp_get_max_threads();
  ChannelSums partial(threads, c);
  int64_t block = blockRows(c), blocks = (rows + block - 1) / block;
#pragma omp parallel num_threads(threads)
  {
    int t = omp_get_thread_num();
    double *s = partial.first(t), *q = partial.second(t);
    std::vector<float> bs(c), bq(c);
#pragma omp for schedule(static)
    for (int64_t k = 0; k < blocks; ++k) {
      std::fill(bs.begin(), bs.end(), 0.f);
      std::fill(bq.begin(), bq.end(), 0.f);
      float *__restrict fs = bs.data(), *__restrict fq = bq.data();
      for (int64_t r = k * block, end = std::min(rows, r + block); r < end; ++r) {
        const float *__restrict row = x + r * c;
        for (int64_t ch = 0; ch < c; ++ch) {
          fs[ch] += row[ch];
          fq[ch] += row[ch] * row[ch];
        }
      }
      for (int64_t ch = 0; ch < c; ++ch) {
        s[ch] += fs[ch];
        q[ch] += fq[ch];
      }
    }
  }
  partial.addTo(sum, sumSq, threads);
}

// y = x·scale + shift; mode 1: then ReLU; mode 2: ReLU(x·scale + shift + r).
void normalize(const float *__restrict x, float *__restrict y, const float *__restrict r, int64_t rows,
               int64_t c, const float *__restrict scale, const float *__restrict shift, int mode) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < rows; ++i) {
    const float *xi = x + i * c;
    float *yi = y + i * c;
    if (mode == 0) {
      for (int64_t ch = 0; ch < c; ++ch) yi[ch] = xi[ch] * scale[ch] + shift[ch];
    } else if (mode == 1) {
      for (int64_t ch = 0; ch < c; ++ch) yi[ch] = std::max(0.f, xi[ch] * scale[ch] + shift[ch]);
    } else {
      const float *ri = r + i * c;
      for (int64_t ch = 0; ch < c; ++ch) yi[ch] = std::max(0.f, xi[ch] * scale[ch] + shift[ch] + ri[ch]);
    }
  }
}

// Σg and Σg·(x − μ) per channel, added to sumG and sumGX, with g = dy, or dy·[y > 0] when mode has bit
// 1 (ReLU); with bit 2 also writes g to dRes (the residual's gradient).
void gradSums(const float *__restrict dy, const float *__restrict x, const float *__restrict y,
              float *__restrict dRes, int64_t rows, int64_t c, const float *__restrict mean, double *sumG,
              double *sumGX, int mode) {
  int threads = omp_get_max_threads();
  ChannelSums partial(threads, c);
  int64_t block = blockRows(c), blocks = (rows + block - 1) / block;
  bool relu = mode & 1, writeRes = mode & 2;
#pragma omp parallel num_threads(threads)
  {
    int t = omp_get_thread_num();
    double *s = partial.first(t), *q = partial.second(t);
    std::vector<float> bs(c), bq(c);
#pragma omp for schedule(static)
    for (int64_t k = 0; k < blocks; ++k) {
      std::fill(bs.begin(), bs.end(), 0.f);
      std::fill(bq.begin(), bq.end(), 0.f);
      float *__restrict fs = bs.data(), *__restrict fq = bq.data();
      for (int64_t r = k * block, end = std::min(rows, r + block); r < end; ++r) {
        const float *dyr = dy + r * c, *xr = x + r * c;
        if (!relu) {
          for (int64_t ch = 0; ch < c; ++ch) {
            fs[ch] += dyr[ch];
            fq[ch] += dyr[ch] * (xr[ch] - mean[ch]);
          }
        } else {
          const float *yr = y + r * c;
          float *dr = writeRes ? dRes + r * c : nullptr;
          for (int64_t ch = 0; ch < c; ++ch) {
            float g = yr[ch] > 0.f ? dyr[ch] : 0.f;
            if (dr) dr[ch] = g;
            fs[ch] += g;
            fq[ch] += g * (xr[ch] - mean[ch]);
          }
        }
      }
      for (int64_t ch = 0; ch < c; ++ch) {
        s[ch] += fs[ch];
        q[ch] += fq[ch];
      }
    }
  }
  partial.addTo(sumG, sumGX, threads);
}

// dx = k·(g − a − (x − μ)·b) per channel, g as in gradSums.
void inputGrad(const float *__restrict dy, const float *__restrict x, const float *__restrict y,
               float *__restrict dx, int64_t rows, int64_t c, const float *__restrict mean,
               const float *__restrict k, const float *__restrict a, const float *__restrict b, bool relu) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < rows; ++i) {
    const float *dyi = dy + i * c, *xi = x + i * c;
    float *dxi = dx + i * c;
    if (!relu) {
      for (int64_t ch = 0; ch < c; ++ch) dxi[ch] = k[ch] * (dyi[ch] - a[ch] - (xi[ch] - mean[ch]) * b[ch]);
    } else {
      const float *yi = y + i * c;
      for (int64_t ch = 0; ch < c; ++ch) {
        float g = yi[ch] > 0.f ? dyi[ch] : 0.f;
        dxi[ch] = k[ch] * (g - a[ch] - (xi[ch] - mean[ch]) * b[ch]);
      }
    }
  }
}

// The shape arguments (rows, c) and the element count of the activation.
struct Shape {
  int64_t rows, c, n;
};

Shape shapeOf(napi_env env, napi_value rows, napi_value c) {
  Shape s{integer(env, rows, "rows"), integer(env, c, "c"), 0};
  if (s.rows < 0 || s.c < 1) throw JsError("rows must be non-negative and c positive");
  s.n = s.rows * s.c;
  return s;
}

}  // namespace

// batchNormStats(heap, x, rows, c, sum, sumSq)
napi_value BatchNormStats(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value v[6];
    args(env, info, v);
    Heap h = heapOf(env, v[0]);
    Shape s = shapeOf(env, v[2], v[3]);
    stats(h.at<float>(integer(env, v[1], "x"), s.n, "x"), s.rows, s.c, h.at<double>(integer(env, v[4], "sum"), s.c, "sum"),
          h.at<double>(integer(env, v[5], "sumSq"), s.c, "sumSq"));
    return nullptr;
  });
}

// batchNormNormalize(heap, x, y, r, rows, c, scale, shift, mode)
napi_value BatchNormNormalize(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value v[9];
    args(env, info, v);
    Heap h = heapOf(env, v[0]);
    Shape s = shapeOf(env, v[4], v[5]);
    int64_t mode = integer(env, v[8], "mode");
    if (mode < 0 || mode > 2) throw JsError("mode must be 0, 1 or 2");
    normalize(h.at<float>(integer(env, v[1], "x"), s.n, "x"), h.at<float>(integer(env, v[2], "y"), s.n, "y"),
              mode == 2 ? h.at<float>(integer(env, v[3], "r"), s.n, "r") : nullptr, s.rows, s.c,
              h.at<float>(integer(env, v[6], "scale"), s.c, "scale"),
              h.at<float>(integer(env, v[7], "shift"), s.c, "shift"), static_cast<int>(mode));
    return nullptr;
  });
}

// batchNormGradSums(heap, dy, x, y, dRes, rows, c, mean, sumG, sumGX, mode)
napi_value BatchNormGradSums(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value v[11];
    args(env, info, v);
    Heap h = heapOf(env, v[0]);
    Shape s = shapeOf(env, v[5], v[6]);
    int64_t mode = integer(env, v[10], "mode");
    if (mode < 0 || mode > 3) throw JsError("mode must be 0 to 3");
    gradSums(h.at<float>(integer(env, v[1], "dy"), s.n, "dy"), h.at<float>(integer(env, v[2], "x"), s.n, "x"),
             mode & 1 ? h.at<float>(integer(env, v[3], "y"), s.n, "y") : nullptr,
             mode & 2 ? h.at<float>(integer(env, v[4], "dRes"), s.n, "dRes") : nullptr, s.rows, s.c,
             h.at<float>(integer(env, v[7], "mean"), s.c, "mean"),
             h.at<double>(integer(env, v[8], "sumG"), s.c, "sumG"),
             h.at<double>(integer(env, v[9], "sumGX"), s.c, "sumGX"), static_cast<int>(mode));
    return nullptr;
  });
}

// batchNormInputGrad(heap, dy, x, y, dx, rows, c, mean, k, a, b, relu)
napi_value BatchNormInputGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value v[12];
    args(env, info, v);
    Heap h = heapOf(env, v[0]);
    Shape s = shapeOf(env, v[5], v[6]);
    bool relu = integer(env, v[11], "relu") != 0;
    inputGrad(h.at<float>(integer(env, v[1], "dy"), s.n, "dy"), h.at<float>(integer(env, v[2], "x"), s.n, "x"),
              relu ? h.at<float>(integer(env, v[3], "y"), s.n, "y") : nullptr,
              h.at<float>(integer(env, v[4], "dx"), s.n, "dx"), s.rows, s.c,
              h.at<float>(integer(env, v[7], "mean"), s.c, "mean"), h.at<float>(integer(env, v[8], "k"), s.c, "k"),
              h.at<float>(integer(env, v[9], "a"), s.c, "a"), h.at<float>(integer(env, v[10], "b"), s.c, "b"),
              relu);
    return nullptr;
  });
}

}  // namespace contrastlab
