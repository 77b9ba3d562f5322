#version 450
#extension GL_GOOGLE_include_directive : require
// Max pooling, NHWC: y[n, oy, ox, c] = the largest x[n, oy·sh + ky·dh − pt, ox·sw + kx·dw − pl, c] over
// the window's taps inside the image (padding never wins), −∞ where none is; NaN never wins, as on the
// cpu (a strict comparison).
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) writeonly buffer Y { float y[]; };
#include "conv-layout.glsl"

void main() {
  uint total = p.n * p.oh * p.ow * p.cin;
  for (uint i = gl_GlobalInvocationID.x; i < total; i += gl_NumWorkGroups.x * 256u) {
    uint c = i % p.cin, rest = i / p.cin;
    uint ox = rest % p.ow; rest /= p.ow;
    uint oy = rest % p.oh;
    uint b = rest / p.oh;
    float best = uintBitsToFloat(0xff800000u);  // −∞
    for (uint ky = 0u; ky < p.kh; ky++) {
      int iy = int(oy * p.strideH + ky * p.dilationH) - p.padTop;
      if (iy < 0 || iy >= int(p.h)) continue;
      for (uint kx = 0u; kx < p.kw; kx++) {
        int ix = int(ox * p.strideW + kx * p.dilationW) - p.padLeft;
        if (ix < 0 || ix >= int(p.w)) continue;
        float v = x[((b * p.h + uint(iy)) * p.w + uint(ix)) * p.cin + c];
        if (v > best) best = v;
      }
    }
    y[i] = best;
  }
}
