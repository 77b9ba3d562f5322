#version 450
// out = op(a), elementwise. Every buffer holds 4-byte elements, read as bits: int32 and bool (0 or 1)
// tensors are never reinterpreted as floats. Ops: 0 relu, 1 exp, 2 log, 3 neg, 4 sqrt, 5 rsqrt, 6 square,
// 7 abs, 8 sigmoid, 9 tanh, 10 reciprocal, 11 fill with `value`, 12 int32 to float32, 13 float32 to int32
// (truncating), 14 float32 to bool, 15 copy, 16 step (1 where x > 0, else `value`: ReLU's derivative),
// 17 logical not of a bool, 18 log1p, 19 erf, 20 clip to [value, value2], 21 range: value + i · value2
// (float32), 22 the same in int32.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer A { uint a[]; };
layout(set = 0, binding = 1) writeonly buffer Out { uint o[]; };
layout(push_constant) uniform Push {
  uint op;
  uint n;
  float value;
  float value2;
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    if (p.op == 21u || p.op == 22u) {
      // Range reads nothing. tfjs's cpu adds the step element by element; here it is start + i · step.
      o[i] = p.op == 21u ? floatBitsToUint(p.value + float(i) * p.value2)
                         : uint(int(p.value) + int(i) * int(p.value2));
      continue;
    }
    if (p.op >= 11u && p.op != 16u && p.op < 18u) {
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
      case 18u: {
        // log(1 + x) loses x's low bits where |x| is small; Kahan's correction gives them back.
        float u = 1.0 + x;
        r = u == 1.0 ? x : log(u) * x / (u - 1.0);
        break;
      }
      case 19u: {
        // Abramowitz and Stegun 7.1.26 (|error| < 1.5e-7), the approximation tfjs's cpu kernel uses.
        float v = abs(x), t = 1.0 / (1.0 + 0.3275911 * v);
        float poly = ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t;
        r = sign(x) * (1.0 - poly * exp(-v * v));
        break;
      }
      // NaN passes through, as in tfjs (both comparisons are false).
      case 20u: r = x > p.value2 ? p.value2 : (x < p.value ? p.value : x); break;
      default: r = 1.0 / x; break;
    }
    o[i] = floatBitsToUint(r);
  }
}
