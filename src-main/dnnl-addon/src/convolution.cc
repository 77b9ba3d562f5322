// Convolutions for ContrastLab's wasm backend, run by oneDNN (the library PyTorch's CPU convolutions use)
// on float32 tensors that live in the wasm backend's heap: the JS side passes Float32Array views of that
// heap, so nothing is copied. Layouts are tfjs's: activations NHWC, filters [kh, kw, in, out] (HWIO).
//
// One entry point runs one of three convolutions, given the shapes in `dims` (see Dims):
//   kind 0, forward:          out = conv(a = x, b = w)
//   kind 1, backward data:    out = dx from (a = dy, b = w)
//   kind 2, backward weights: out = dw from (a = x, b = dy)
// Primitives are created once per shape and kept (creating one JIT-compiles its kernel).

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "entry_points.h"
#include "napi_util.h"
#include "onednn.h"

namespace contrastlab {
namespace {


using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

// N, H, W, C (input), KH, KW, OC (filter), OH, OW (output), stride h/w, dilation h/w (1 = none),
// padding top, left, bottom, right.
constexpr size_t kDims = 17;
struct Dims {
  int64_t n, h, w, c, kh, kw, oc, oh, ow, sh, sw, dh, dw, pt, pl, pb, pr;
};

enum Kind { kForward = 0, kBackwardData = 1, kBackwardWeights = 2 };

// A tensor as the caller holds it (`user`, tfjs's layout) and as the primitive wants it (`inner`). Where
// they differ, the tensor is reordered through a buffer of its own on the way in or out. `view` is what
// of the caller's memory that reorder reads: the whole tensor (`user`), or a strided view of some of it.
struct Operand {
  memory::desc user, view, inner;
  int arg;
  bool output;
  std::unique_ptr<memory> buffer;        // inner layout, only where it differs from the view
  std::unique_ptr<dnnl::reorder> reorder;  // view -> inner (inputs) or inner -> view (the output)

  Operand(const memory::desc &user, const memory::desc &inner, int arg, bool output)
      : Operand(user, user, inner, arg, output) {}

  Operand(const memory::desc &user, const memory::desc &view, const memory::desc &inner, int arg, bool output)
      : user(user), view(view), inner(inner), arg(arg), output(output) {
    if (view == inner) return;
    buffer = std::make_unique<memory>(inner, cpu());
    memory probe(view, cpu(), DNNL_MEMORY_NONE);
    reorder = output ? std::make_unique<dnnl::reorder>(*buffer, probe) : std::make_unique<dnnl::reorder>(probe, *buffer);
  }
};

// One convolution, ready to run: its primitive and its three operands (a, b, out).
struct Prepared {
  dnnl::primitive primitive;
  std::unique_ptr<Operand> a, b, out;
  std::string impl;
};

struct Descs {
  memory::desc src, weights, dst;  // the user's layouts
  memory::desc weightsAny;         // what the primitive is offered for the filter
  memory::dims strides, dilates, padL, padR;
};

// Activations stay NHWC: oneDNN has direct AVX2/AVX-512 kernels for it, and reordering activations
// would cost a pass over each. The filter layout is left to oneDNN and reordered, which costs little
// since filters are small. (ResNet-18 width 16 layers, batch 256: NHWC with a fixed HWIO filter runs as
// im2col + GEMM, 3-4 times slower; blocked activations with their reorders about 2 times slower.)
Descs descsOf(const Dims &d) {
  return {memory::desc({d.n, d.c, d.h, d.w}, dt::f32, tag::nhwc),
          memory::desc({d.oc, d.c, d.kh, d.kw}, dt::f32, tag::hwio),
          memory::desc({d.n, d.oc, d.oh, d.ow}, dt::f32, tag::nhwc),
          memory::desc({d.oc, d.c, d.kh, d.kw}, dt::f32, tag::any),
          {d.sh, d.sw},
          {d.dh - 1, d.dw - 1},  // oneDNN counts dilation from 0
          {d.pt, d.pl},
          {d.pb, d.pr}};
}

dnnl::convolution_forward::primitive_desc forwardPd(const Descs &s) {
  dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
                                       s.src, s.weightsAny, s.dst, s.strides, s.dilates, s.padL, s.padR);
  return dnnl::convolution_forward::primitive_desc(desc, cpu());
}

// A 1×1 convolution with a stride and no padding (ResNet's downsampling shortcuts). oneDNN 2.6's jit_1x1
// filter gradient (jit_1x1:avx2, chosen where there is no AVX-512; the avx512 one places them alike)
// copies the strided pixels of an NHWC input into per-thread scratch space, but puts each chunk at
// pixel × 8 (16) floats there, the offset for a blocked input, instead of pixel × C
// (jit_avx2_1x1_convolution.cpp, `rp.ws = ...`). With fewer channels the copies run past the thread's
// part of the scratchpad: over the other thread's pixels, the weight reducer's buffers and its spin
// barrier, or the heap. Gradients came out wrong and different from run to run, and a thread could spin
// forever in the overwritten barrier. So these reach oneDNN as what they are: a stride-1 convolution of
// the pixels the filter sees.
bool stridedPointwise(const Dims &d) {
  return d.kh == 1 && d.kw == 1 && (d.sh > 1 || d.sw > 1) && d.pt == 0 && d.pl == 0 && d.pb == 0 &&
         d.pr == 0 && d.oh == (d.h - 1) / d.sh + 1 && d.ow == (d.w - 1) / d.sw + 1;
}

// The filter gradient of such a convolution: a reorder gathers the pixels the filter sees (a strided
// view of x) for the stride-1 convolution over them.
Prepared preparePointwiseWeights(const Dims &d) {
  Dims unit = d;
  unit.h = d.oh, unit.w = d.ow, unit.sh = 1, unit.sw = 1;
  Descs s = descsOf(d), u = descsOf(unit);
  dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, u.src, u.weightsAny, u.dst,
                                                u.strides, u.dilates, u.padL, u.padR);
  dnnl::convolution_backward_weights::primitive_desc pd(desc, cpu(), forwardPd(u));
  memory::desc pixels({d.n, d.c, d.oh, d.ow}, dt::f32, memory::dims{d.h * d.w * d.c, 1, d.sh * d.w * d.c, d.sw * d.c});
  Prepared p;
  p.primitive = dnnl::convolution_backward_weights(pd);
  p.a = std::make_unique<Operand>(s.src, pixels, pd.src_desc(), DNNL_ARG_SRC, false);
  p.b = std::make_unique<Operand>(s.dst, pd.diff_dst_desc(), DNNL_ARG_DIFF_DST, false);
  p.out = std::make_unique<Operand>(s.weights, pd.diff_weights_desc(), DNNL_ARG_DIFF_WEIGHTS, true);
  p.impl = pd.impl_info_str();
  return p;
}

Prepared prepare(Kind kind, const Dims &d) {
  if (kind == kBackwardWeights && stridedPointwise(d)) return preparePointwiseWeights(d);
  Descs s = descsOf(d);
  auto fwd = forwardPd(s);
  Prepared p;
  if (kind == kForward) {
    p.primitive = dnnl::convolution_forward(fwd);
    p.a = std::make_unique<Operand>(s.src, fwd.src_desc(), DNNL_ARG_SRC, false);
    p.b = std::make_unique<Operand>(s.weights, fwd.weights_desc(), DNNL_ARG_WEIGHTS, false);
    p.out = std::make_unique<Operand>(s.dst, fwd.dst_desc(), DNNL_ARG_DST, true);
    p.impl = fwd.impl_info_str();
  } else if (kind == kBackwardData) {
    dnnl::convolution_backward_data::desc desc(dnnl::algorithm::convolution_direct, s.src, s.weightsAny,
                                               s.dst, s.strides, s.dilates, s.padL, s.padR);
    dnnl::convolution_backward_data::primitive_desc pd(desc, cpu(), fwd);
    p.primitive = dnnl::convolution_backward_data(pd);
    p.a = std::make_unique<Operand>(s.dst, pd.diff_dst_desc(), DNNL_ARG_DIFF_DST, false);
    p.b = std::make_unique<Operand>(s.weights, pd.weights_desc(), DNNL_ARG_WEIGHTS, false);
    p.out = std::make_unique<Operand>(s.src, pd.diff_src_desc(), DNNL_ARG_DIFF_SRC, true);
    p.impl = pd.impl_info_str();
  } else {
    dnnl::convolution_backward_weights::desc desc(dnnl::algorithm::convolution_direct, s.src, s.weightsAny,
                                                  s.dst, s.strides, s.dilates, s.padL, s.padR);
    dnnl::convolution_backward_weights::primitive_desc pd(desc, cpu(), fwd);
    p.primitive = dnnl::convolution_backward_weights(pd);
    p.a = std::make_unique<Operand>(s.src, pd.src_desc(), DNNL_ARG_SRC, false);
    p.b = std::make_unique<Operand>(s.dst, pd.diff_dst_desc(), DNNL_ARG_DIFF_DST, false);
    p.out = std::make_unique<Operand>(s.weights, pd.diff_weights_desc(), DNNL_ARG_DIFF_WEIGHTS, true);
    p.impl = pd.impl_info_str();
  }
  return p;
}

std::map<std::pair<int, std::array<int64_t, kDims>>, std::unique_ptr<Prepared>> &cache() {
  // Per thread (see onednn.h): the reorder buffers in a Prepared are written by every call.
  thread_local std::map<std::pair<int, std::array<int64_t, kDims>>, std::unique_ptr<Prepared>> prepared;
  return prepared;
}

Prepared &prepared(Kind kind, const Dims &d) {
  std::array<int64_t, kDims> key;
  std::memcpy(key.data(), &d, sizeof(Dims));
  auto &entry = cache()[{kind, key}];
  if (!entry) entry = std::make_unique<Prepared>(prepare(kind, d));
  return *entry;
}

Dims readDims(napi_env env, napi_value value) {
  size_t length = 0;
  const int32_t *v = typedArray<int32_t>(env, value, napi_int32_array, &length, "dims", "Int32Array");
  if (length != kDims) throw JsError("dims must hold 17 values, got " + std::to_string(length));
  Dims d;
  int64_t *out = &d.n;
  for (size_t i = 0; i < kDims; ++i) out[i] = v[i];
  for (size_t i = 0; i < 13; ++i)
    if (out[i] < 1) throw JsError("dims: sizes, strides and dilations must be positive");
  for (size_t i = 13; i < kDims; ++i)
    if (out[i] < 0) throw JsError("dims: padding must not be negative");
  return d;
}

Kind readKind(napi_env env, napi_value value) {
  int64_t kind = integer(env, value, "kind");
  if (kind < 0 || kind > 2) throw JsError("kind must be 0 (forward), 1 (backward data) or 2 (backward weights)");
  return static_cast<Kind>(kind);
}

}  // namespace

// convolution(kind, a, b, out, dims): runs the convolution synchronously into `out`.
napi_value Convolution(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value argv[5];
    args(env, info, argv);
    Kind kind = readKind(env, argv[0]);
    Dims d = readDims(env, argv[4]);
    Prepared &p = withOneDnn([&]() -> Prepared & { return prepared(kind, d); });
    float *a = tensorData(env, argv[1], p.a->user, "a");
    float *b = tensorData(env, argv[2], p.b->user, "b");
    float *out = tensorData(env, argv[3], p.out->user, "out");
    withOneDnn([&] {
      std::unordered_map<int, memory> primArgs;
      std::vector<std::pair<memory, memory>> after;  // inner -> user reorders once the primitive ran
      for (auto [op, data] : {std::pair{p.a.get(), a}, std::pair{p.b.get(), b}, std::pair{p.out.get(), out}}) {
        memory user(op->view, cpu(), data);
        if (!op->reorder) {
          primArgs.emplace(op->arg, user);
        } else if (op->output) {
          primArgs.emplace(op->arg, *op->buffer);
          after.emplace_back(*op->buffer, user);
        } else {
          op->reorder->execute(cpuStream(), user, *op->buffer);
          primArgs.emplace(op->arg, *op->buffer);
        }
      }
      p.primitive.execute(cpuStream(), primArgs);
      for (auto &[from, to] : after) p.out->reorder->execute(cpuStream(), from, to);
      cpuStream().wait();
    });
    return nullptr;
  });
}

// implementation(kind, dims): the name of the oneDNN kernel chosen for that convolution.
napi_value Implementation(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value argv[2];
    args(env, info, argv);
    Kind kind = readKind(env, argv[0]);
    Dims d = readDims(env, argv[1]);
    return string(env, withOneDnn([&]() -> Prepared & { return prepared(kind, d); }).impl);
  });
}

// version(): oneDNN's version, the instruction set its kernels use on this CPU, its threading and threads.
napi_value Version(napi_env env, napi_callback_info) {
  return guarded(env, [&]() -> napi_value {
    const dnnl_version_t *v = dnnl_version();
    dnnl::cpu_isa isa = dnnl::get_effective_cpu_isa();
    std::string isaName = isa == dnnl::cpu_isa::all       ? "generic"
                          : isa == dnnl::cpu_isa::sse41   ? "sse4.1"
                          : isa == dnnl::cpu_isa::avx     ? "avx"
                          : isa == dnnl::cpu_isa::avx2 || isa == dnnl::cpu_isa::avx2_vnni ? "avx2"
                                                                                        : "avx512";
    std::string runtime = v->cpu_runtime == DNNL_RUNTIME_OMP ? " openmp" : v->cpu_runtime == DNNL_RUNTIME_TBB ? " tbb" : "";
    int threads = omp_get_max_threads();
    return string(env, std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                           std::to_string(v->patch) + " " + isaName + runtime + ", " + std::to_string(threads) +
                           (threads == 1 ? " thread" : " threads"));
  });
}

// setThreads(n): the OpenMP threads this JavaScript thread's native kernels use from now on (an input
// thread takes 1, leaving the cores to training).
napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() -> napi_value {
    napi_value argv[1];
    args(env, info, argv);
    int64_t n = integer(env, argv[0], "threads");
    if (n < 1 || n > 1024) throw JsError("threads must be between 1 and 1024");
    omp_set_num_threads(static_cast<int>(n));
    return nullptr;
  });
}

}  // namespace contrastlab
