#version 450
#extension GL_GOOGLE_include_directive : require
// y[n, oy, ox, co] = Σ over ky, kx, ci of x[n, oy·sh + ky·dh − pt, ox·sw + kx·dw − pl, ci] · w[ky, kx, ci, co],
// one output element per invocation; taps outside the image read the zero padding.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) readonly buffer W { float wt[]; };
layout(set = 0, binding = 2) writeonly buffer Y { float y[]; };
#include "conv-layout.glsl"

void main() {
  uint total = p.n * p.oh * p.ow * p.cout;
  for (uint i = gl_GlobalInvocationID.x; i < total; i += gl_NumWorkGroups.x * 256u) {
    uint co = i % p.cout, rest = i / p.cout;
    uint ox = rest % p.ow; rest /= p.ow;
    uint oy = rest % p.oh;
    uint b = rest / p.oh;
    float acc = 0.0;
    for (uint ky = 0u; ky < p.kh; ky++) {
      int iy = int(oy * p.strideH + ky * p.dilationH) - p.padTop;
      if (iy < 0 || iy >= int(p.h)) continue;
      for (uint kx = 0u; kx < p.kw; kx++) {
        int ix = int(ox * p.strideW + kx * p.dilationW) - p.padLeft;
        if (ix < 0 || ix >= int(p.w)) continue;
        uint xBase = ((b * p.h + uint(iy)) * p.w + uint(ix)) * p.cin;
        uint wBase = (ky * p.kw + kx) * p.cin * p.cout + co;
        for (uint ci = 0u; ci < p.cin; ci++) acc += x[xBase + ci] * wt[wBase + ci * p.cout];
      }
    }
    y[i] = acc;
  }
}
