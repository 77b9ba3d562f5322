#version 450
// out = op(a), elementwise. Every buffer holds 4-byte elements, read as bits: int32 and bool (0 or 1)
// tensors are never reinterpreted as floats. Ops: 0 relu, 1 exp, 2 log, 3 neg, 4 sqrt, 5 rsqrt, 6 square,
// 7 abs, 8 sigmoid, 9 tanh, 10 reciprocal, 11 fill with `value`, 12 int32 to float32, 13 float32 to int32
// (truncating), 14 float32 to bool, 15 copy, 16 step (1 where x > 0, else `value`: ReLU's derivative),
// 17 logical not of a bool.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer A { uint a[]; };
layout(set = 0, binding = 1) writeonly buffer Out { uint o[]; };
layout(push_constant) uniform Push {
  uint op;
  uint n;
  float value;
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    if (p.op >= 11u && p.op != 16u) {
      uint bits = p.op == 11u ? 0u : a[i];
      switch (p.op) {
        case 11u: o[i] = floatBitsToUint(p.value); break;
        case 12u: o[i] = floatBitsToUint(float(int(bits))); break;
        case 13u: o[i] = uint(int(uintBitsToFloat(bits))); break;
        case 14u: o[i] = uintBitsToFloat(bits) != 0.0 ? 1u : 0u; break;
        case 17u: o[i] = bits == 0u ? 1u : 0u; break;
        default: o[i] = bits; break;
      }
      continue;
    }
    float x = uintBitsToFloat(a[i]), r;
    switch (p.op) {
      case 0u: r = max(x, 0.0); break;
      case 1u: r = exp(x); break;
      case 2u: r = log(x); break;
      case 3u: r = -x; break;
      case 4u: r = sqrt(x); break;
      case 5u: r = inversesqrt(x); break;
      case 6u: r = x * x; break;
      case 7u: r = abs(x); break;
      case 8u: r = 1.0 / (1.0 + exp(-x)); break;
      // tanh through exp overflows to inf/inf = NaN on some drivers beyond |x| ~ 44; it is ±1 there.
      case 9u: r = tanh(clamp(x, -15.0, 15.0)); break;
      case 16u: r = isnan(x) ? x : (x > 0.0 ? 1.0 : p.value); break;
      default: r = 1.0 / x; break;
    }
    o[i] = floatBitsToUint(r);
  }
}
