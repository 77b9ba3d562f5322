#version 450
#extension GL_GOOGLE_include_directive : require
// part[e, s] = Σ over the images b of slice s, and over oy, ox, of
//   x[b, oy·sh + ky·dh − pt, ox·sw + kx·dw − pl, ci] · dy[b, oy, ox, co]   for the filter element e = (ky, kx, ci, co).
// One invocation per (filter element, slice of the batch), with no barriers; the kernel sums the slices
// with the reduce shader (the filter gradient, dw[e] = Σ_s part[e, s]). Slicing the batch gives a small
// filter enough invocations to fill a GPU. Neighbouring invocations take neighbouring output channels of
// one slice, so their loads of dy are contiguous and those of x shared.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) readonly buffer DY { float dy[]; };
layout(set = 0, binding = 2) writeonly buffer Part { float part[]; };
#include "conv-layout.glsl"

void main() {
  uint weights = p.kh * p.kw * p.cin * p.cout;
  uint perSlice = (p.n + p.slices - 1u) / p.slices;
  for (uint i = gl_GlobalInvocationID.x; i < weights * p.slices; i += gl_NumWorkGroups.x * 256u) {
    uint e = i % weights, s = i / weights;
    uint co = e % p.cout, rest = e / p.cout;
    uint ci = rest % p.cin; rest /= p.cin;
    uint kx = rest % p.kw;
    uint ky = rest / p.kw;
    float acc = 0.0;
    for (uint b = s * perSlice; b < min(p.n, (s + 1u) * perSlice); b++) {
      for (uint oy = 0u; oy < p.oh; oy++) {
        int iy = int(oy * p.strideH + ky * p.dilationH) - p.padTop;
        if (iy < 0 || iy >= int(p.h)) continue;
        uint xRow = (b * p.h + uint(iy)) * p.w;
        uint dyRow = (b * p.oh + oy) * p.ow;
        for (uint ox = 0u; ox < p.ow; ox++) {
          int ix = int(ox * p.strideW + kx * p.dilationW) - p.padLeft;
          if (ix < 0 || ix >= int(p.w)) continue;
          acc += x[(xRow + uint(ix)) * p.cin + ci] * dy[(dyRow + ox) * p.cout + co];
        }
      }
    }
    part[e * p.slices + s] = acc;
  }
}
