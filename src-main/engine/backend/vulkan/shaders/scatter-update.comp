#version 450
// tf.tensorScatterUpdate's scatter, after the tensor is copied to the output: update j's slice goes to
// slice Σ_d indices[j, d] · strides[d] (strides in slices, as tfjs's calculateShapes gives them). Where
// several updates name one slice the last wins, as on the cpu, so an invocation skips a slice that a
// later update also names. Slices outside the tensor are skipped (the cpu throws). Moves bits, so any
// 4-byte dtype.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer Indices { int indices[]; };
layout(set = 0, binding = 1) readonly buffer Updates { uint updates[]; };
layout(set = 0, binding = 2) buffer Out { uint o[]; };
layout(push_constant) uniform Push {
  uint n;          // updates · sliceSize
  uint updateCount;
  uint sliceSize;
  uint sliceRank;  // the last dimension of indices
  int slices;      // the tensor's size in slices
  int strides[6];
} p;

int sliceOf(uint j) {
  int at = 0;
  for (uint d = 0u; d < p.sliceRank; d++) at += indices[j * p.sliceRank + d] * p.strides[d];
  return at;
}

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    uint j = i / p.sliceSize;
    int slice = sliceOf(j);
    if (slice < 0 || slice >= p.slices) continue;
    bool overwritten = false;
    for (uint later = j + 1u; later < p.updateCount && !overwritten; later++) overwritten = sliceOf(later) == slice;
    if (!overwritten) o[uint(slice) * p.sliceSize + i % p.sliceSize] = updates[i];
  }
}
