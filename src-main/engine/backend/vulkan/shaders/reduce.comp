#version 450
// out[r] = reduce(in[r * inner .. (r + 1) * inner)): the reduced axes are innermost (the kernel transposes
// them there first). Long rows take a workgroup each, its invocations combining their parts in shared
// memory; short ones (`serial`, such as a global average pool's 4 × 4) one invocation each, with no
// barriers. Ops: 0 sum, 1 max, 2 min, 3 mean.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer In { float x[]; };
layout(set = 0, binding = 1) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint op;
  uint rows;
  uint inner;
  uint serial;
} p;

shared float partial[256];

float combine(float u, float v) {
  if (p.op == 1u) return max(u, v);
  if (p.op == 2u) return min(u, v);
  return u + v;
}

void main() {
  uint t = gl_LocalInvocationID.x;
  float start = p.op == 1u ? -1.0 / 0.0 : (p.op == 2u ? 1.0 / 0.0 : 0.0);
  if (p.serial == 1u) {
    for (uint row = gl_GlobalInvocationID.x; row < p.rows; row += gl_NumWorkGroups.x * 256u) {
      float acc = start;
      for (uint k = 0u; k < p.inner; k++) acc = combine(acc, x[row * p.inner + k]);
      o[row] = p.op == 3u ? acc / float(p.inner) : acc;
    }
    return;
  }
  for (uint row = gl_WorkGroupID.x; row < p.rows; row += gl_NumWorkGroups.x) {
    float acc = start;
    for (uint k = t; k < p.inner; k += 256u) acc = combine(acc, x[row * p.inner + k]);
    partial[t] = acc;
    barrier();
    for (uint half_ = 128u; half_ > 0u; half_ >>= 1u) {
      if (t < half_) partial[t] = combine(partial[t], partial[t + half_]);
      barrier();
    }
    if (t == 0u) o[row] = p.op == 3u ? partial[0] / float(p.inner) : partial[0];
    barrier();
  }
}
