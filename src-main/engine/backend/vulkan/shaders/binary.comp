#version 450
// out = a (op) b, elementwise, with NumPy broadcasting: a stride of 0 repeats an operand along a dimension.
// Ops: 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min, 6 squared difference, 13 pow, and comparisons whose
// output is a bool tensor (0 or 1 as an int32's bits): 7 greater, 8 greater or equal, 9 less, 10 less or
// equal, 11 equal, 12 not equal; 14 logical and, 15 logical or of two bools. 32 + op: the same on int32
// operands (add, sub, mul, max, min and the comparisons), with int32 results.
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

// JavaScript's Math.pow, which tfjs's cpu kernel uses: a negative base takes integer exponents only.
float powJs(float x, float y) {
  if (y == 0.0) return 1.0;
  if (y == 1.0) return x;
  if (y == 2.0) return x * x;
  if (y == 0.5 && x >= 0.0) return sqrt(x);
  if (x == 0.0) return y > 0.0 ? 0.0 : 1.0 / 0.0;
  float r = pow(abs(x), y);
  if (x < 0.0) {
    if (fract(y) != 0.0) return 0.0 / 0.0;
    if (mod(y, 2.0) == 1.0) r = -r;
  }
  return r;
}

int intOp(uint op, int x, int y, out bool c) {
  switch (op) {
    case 0u: return x + y;
    case 1u: return x - y;
    case 2u: return x * y;
    case 4u: return max(x, y);
    case 5u: return min(x, y);
    case 7u: c = x > y; break;
    case 8u: c = x >= y; break;
    case 9u: c = x < y; break;
    case 10u: c = x <= y; break;
    case 11u: c = x == y; break;
    default: c = x != y; break;
  }
  return 0;
}

bool isComparison(uint op) {
  return (op >= 7u && op <= 12u) || op == 14u || op == 15u;
}

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    uint rest = i, ia = 0u, ib = 0u;
    for (int d = int(p.rank) - 1; d >= 0; d--) {
      uint c = rest % p.shape[d];
      rest /= p.shape[d];
      ia += c * p.aStride[d];
      ib += c * p.bStride[d];
    }
    bool c = false;
    if (p.op >= 32u) {
      uint op = p.op - 32u;
      int r = intOp(op, floatBitsToInt(a[ia]), floatBitsToInt(b[ib]), c);
      o[i] = isComparison(op) ? (c ? 1u : 0u) : uint(r);
      continue;
    }
    float x = a[ia], y = b[ib], r;
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
      case 12u: c = x != y; break;
      case 13u: r = powJs(x, y); break;
      // bools are 0 or 1 as bits: compared as bits, never as (denormal) floats.
      case 14u: c = floatBitsToUint(x) != 0u && floatBitsToUint(y) != 0u; break;
      default: c = floatBitsToUint(x) != 0u || floatBitsToUint(y) != 0u; break;
    }
    o[i] = isComparison(p.op) ? (c ? 1u : 0u) : floatBitsToUint(r);
  }
}
