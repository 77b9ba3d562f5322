#version 450
#extension GL_GOOGLE_include_directive : require
// Depthwise convolution: y[n, oy, ox, co] = Σ over ky, kx of x[n, iy, ix, co / m] · w[ky, kx, co / m, co mod m]
// with iy = oy·sh + ky·dh − pt, ix = ox·sw + kx·dw − pl, m = cout / cin (the channel multiplier); one
// output element per invocation; taps outside the image read the zero padding. The filter
// [kh, kw, cin, m] is, flattened, [kh, kw, cout].
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) readonly buffer W { float wt[]; };
layout(set = 0, binding = 2) writeonly buffer Y { float y[]; };
#include "conv-layout.glsl"

void main() {
  uint total = p.n * p.oh * p.ow * p.cout;
  uint multiplier = p.cout / p.cin;
  for (uint i = gl_GlobalInvocationID.x; i < total; i += gl_NumWorkGroups.x * 256u) {
    uint co = i % p.cout, rest = i / p.cout;
    uint ox = rest % p.ow; rest /= p.ow;
    uint oy = rest % p.oh;
    uint b = rest / p.oh;
    uint ci = co / multiplier;
    float acc = 0.0;
    for (uint ky = 0u; ky < p.kh; ky++) {
      int iy = int(oy * p.strideH + ky * p.dilationH) - p.padTop;
      if (iy < 0 || iy >= int(p.h)) continue;
      for (uint kx = 0u; kx < p.kw; kx++) {
        int ix = int(ox * p.strideW + kx * p.dilationW) - p.padLeft;
        if (ix < 0 || ix >= int(p.w)) continue;
        acc += x[((b * p.h + uint(iy)) * p.w + uint(ix)) * p.cin + ci] * wt[(ky * p.kw + kx) * p.cout + co];
      }
    }
    y[i] = acc;
  }
}
