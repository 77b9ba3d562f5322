#version 450
// out = a (op) b, elementwise, with NumPy broadcasting: a stride of 0 repeats an operand along a dimension.
// Ops: 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min, 6 squared difference, and comparisons whose output is a
// bool tensor (0 or 1 as an int32's bits): 7 greater, 8 greater or equal, 9 less, 10 less or equal,
// 11 equal, 12 not equal.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer A { float a[]; };
layout(set = 0, binding = 1) readonly buffer B { float b[]; };
layout(set = 0, binding = 2) writeonly buffer Out { uint o[]; };
layout(push_constant) uniform Push {
  uint op;
  uint n;
  uint rank;
  uint shape[6];    // the output's, innermost last
  uint aStride[6];  // in elements of a, 0 where a is broadcast
  uint bStride[6];
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    uint rest = i, ia = 0u, ib = 0u;
    for (int d = int(p.rank) - 1; d >= 0; d--) {
      uint c = rest % p.shape[d];
      rest /= p.shape[d];
      ia += c * p.aStride[d];
      ib += c * p.bStride[d];
    }
    float x = a[ia], y = b[ib], r;
    bool c;
    switch (p.op) {
      case 0u: r = x + y; break;
      case 1u: r = x - y; break;
      case 2u: r = x * y; break;
      case 3u: r = x / y; break;
      case 4u: r = max(x, y); break;
      case 5u: r = min(x, y); break;
      case 6u: r = (x - y) * (x - y); break;
      case 7u: c = x > y; break;
      case 8u: c = x >= y; break;
      case 9u: c = x < y; break;
      case 10u: c = x <= y; break;
      case 11u: c = x == y; break;
      default: c = x != y; break;
    }
    o[i] = p.op >= 7u ? (c ? 1u : 0u) : floatBitsToUint(r);
  }
}
