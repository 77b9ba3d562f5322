#version 450
// out[i] = in[base + Σ over d of (coordinate_d(i) mod period_d) · stride_d]: a transpose (permuted
// strides), a slice (a base and the input's strides), a broadcast (stride 0), a tile (the period is the
// input's size along d) or a reversal (negative strides). Copies bits, so it serves every 4-byte dtype.
// With `scatter` the roles swap: out[base + Σ …] = in[i], i running over the input (a concatenation
// writes each input into its part of the output this way).
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer In { uint x[]; };
layout(set = 0, binding = 1) writeonly buffer Out { uint o[]; };
layout(push_constant) uniform Push {
  uint n;
  uint rank;
  int base;
  uint shape[6];   // the output's, innermost last
  int stride[6];   // in input elements, per output dimension
  uint period[6];  // the output's size along d, except for a tile
  uint scatter;
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    uint rest = i;
    int at = p.base;
    for (int d = int(p.rank) - 1; d >= 0; d--) {
      at += int((rest % p.shape[d]) % p.period[d]) * p.stride[d];
      rest /= p.shape[d];
    }
    if (p.scatter == 1u) o[at] = x[i]; else o[i] = x[at];
  }
}
