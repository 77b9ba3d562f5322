#version 450
// out[o, j, k] = x[o, indices[j], k] (tf.gather along one axis, no batch dimensions): o runs over the
// axes before it, k over those after. Indices outside [0, size) give 0. Moves bits, so any 4-byte dtype.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer X { uint x[]; };
layout(set = 0, binding = 1) readonly buffer Indices { int indices[]; };
layout(set = 0, binding = 2) writeonly buffer Out { uint o[]; };
layout(push_constant) uniform Push {
  uint n;      // outer · count · inner
  uint count;  // indices
  uint size;   // x's length along the axis
  uint inner;
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    uint k = i % p.inner, rest = i / p.inner;
    uint j = rest % p.count, outer = rest / p.count;
    int at = indices[j];
    o[i] = at >= 0 && uint(at) < p.size ? x[(outer * p.size + uint(at)) * p.inner + k] : 0u;
  }
}
