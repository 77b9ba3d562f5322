#version 450
// tf.mirrorPad: out[c] = x[m(c − before)] per dimension, where m reflects a coordinate that falls
// outside [0, size) back into it: about the edge pixel ('reflect', offset 0) or about the edge itself
// ('symmetric', offset 1), as TensorFlow's MirrorPad. Moves bits, so any 4-byte dtype.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer X { uint x[]; };
layout(set = 0, binding = 1) writeonly buffer Out { uint o[]; };
layout(push_constant) uniform Push {
  uint n;      // output elements
  uint rank;
  int offset;  // 0: reflect, 1: symmetric
  uint outShape[6];
  uint inShape[6];
  uint before[6];
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    uint rest = i, at = 0u, stride = 1u;
    for (int d = int(p.rank) - 1; d >= 0; d--) {
      int c = int(rest % p.outShape[d]) - int(p.before[d]);
      rest /= p.outShape[d];
      int size = int(p.inShape[d]);
      if (c < 0) c = -c - p.offset;
      else if (c >= size) c = 2 * (size - 1) - c + p.offset;
      at += uint(c) * stride;
      stride *= p.inShape[d];
    }
    o[i] = x[at];
  }
}
