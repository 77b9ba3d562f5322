#version 450
#extension GL_GOOGLE_include_directive : require
// dx[n, iy, ix, ci] = Σ over the taps (ky, kx) and output positions (oy, ox) that read x[n, iy, ix] of
// dy[n, oy, ox, co] · w[ky, kx, ci, co]: oy = (iy + pt − ky·dh) / sh where that divides exactly. The
// kernel hands the filter over transposed, as wt[ky, kx, co, ci], so that neighbouring invocations (which
// take neighbouring input channels) load neighbouring weights.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer DY { float dy[]; };
layout(set = 0, binding = 1) readonly buffer W { float wt[]; };
layout(set = 0, binding = 2) writeonly buffer DX { float dx[]; };
#include "conv-layout.glsl"

void main() {
  uint total = p.n * p.h * p.w * p.cin;
  for (uint i = gl_GlobalInvocationID.x; i < total; i += gl_NumWorkGroups.x * 256u) {
    uint ci = i % p.cin, rest = i / p.cin;
    uint ix = rest % p.w; rest /= p.w;
    uint iy = rest % p.h;
    uint b = rest / p.h;
    float acc = 0.0;
    for (uint ky = 0u; ky < p.kh; ky++) {
      int ty = int(iy) + p.padTop - int(ky * p.dilationH);
      if (ty < 0 || ty % int(p.strideH) != 0) continue;
      uint oy = uint(ty) / p.strideH;
      if (oy >= p.oh) continue;
      for (uint kx = 0u; kx < p.kw; kx++) {
        int tx = int(ix) + p.padLeft - int(kx * p.dilationW);
        if (tx < 0 || tx % int(p.strideW) != 0) continue;
        uint ox = uint(tx) / p.strideW;
        if (ox >= p.ow) continue;
        uint dyBase = ((b * p.oh + oy) * p.ow + ox) * p.cout;
        uint wBase = (ky * p.kw + kx) * p.cout * p.cin + ci;
        for (uint co = 0u; co < p.cout; co++) acc += dy[dyBase + co] * wt[wBase + co * p.cin];
      }
    }
    dx[i] = acc;
  }
}
