#version 450
// out[g] = reduce over part of a row: the reduced axes are innermost (the kernel transposes them there
// first), and each row of `inner` values is cut into `chunks` parts of `chunk` values, g = row · chunks +
// part. A long row thus spreads over many workgroups, whose partials a second dispatch reduces; one
// workgroup looping over millions of values would leave a GPU idle (and lavapipe summed wrongly past
// 65,524 values per invocation). A part takes a workgroup, its invocations combining in shared memory;
// short rows (`serial`, such as a global average pool's 4 × 4) take one invocation each, no barriers.
// Ops: 0 sum, 1 max, 2 min, 3 mean (the sum divided by `count`, the whole row's length).
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer In { float x[]; };
layout(set = 0, binding = 1) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint op;
  uint outputs;  // rows · chunks
  uint inner;
  uint serial;
  uint chunks;
  uint chunk;
  uint count;
} p;

shared float partial[256];

float combine(float u, float v) {
  if (p.op == 1u) return max(u, v);
  if (p.op == 2u) return min(u, v);
  return u + v;
}

float finish(float acc) {
  return p.op == 3u ? acc / float(p.count) : acc;
}

void main() {
  uint t = gl_LocalInvocationID.x;
  float start = p.op == 1u ? -1.0 / 0.0 : (p.op == 2u ? 1.0 / 0.0 : 0.0);
  if (p.serial == 1u) {
    for (uint row = gl_GlobalInvocationID.x; row < p.outputs; row += gl_NumWorkGroups.x * 256u) {
      float acc = start;
      for (uint k = 0u; k < p.inner; k++) acc = combine(acc, x[row * p.inner + k]);
      o[row] = finish(acc);
    }
    return;
  }
  for (uint g = gl_WorkGroupID.x; g < p.outputs; g += gl_NumWorkGroups.x) {
    uint row = g / p.chunks;
    uint begin = row * p.inner + (g % p.chunks) * p.chunk;
    uint end = row * p.inner + min((g % p.chunks + 1u) * p.chunk, p.inner);
    float acc = start;
    for (uint k = begin + t; k < end; k += 256u) acc = combine(acc, x[k]);
    partial[t] = acc;
    barrier();
    for (uint half_ = 128u; half_ > 0u; half_ >>= 1u) {
      if (t < half_) partial[t] = combine(partial[t], partial[t + half_]);
      barrier();
    }
    if (t == 0u) o[g] = finish(partial[0]);
    barrier();
  }
}
