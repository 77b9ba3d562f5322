#version 450
#extension GL_GOOGLE_include_directive : require
// Max pooling's gradient: dx[n, iy, ix, c] = Σ dy[n, oy, ox, c] over the windows whose maximum is
// x[n, iy, ix, c], the first in row-major order where several tie (tfjs's cpu maxPoolPositions). Each
// invocation finds the windows that contain its pixel and recomputes their maxima.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) readonly buffer Dy { float dy[]; };
layout(set = 0, binding = 2) writeonly buffer Dx { float dx[]; };
#include "conv-layout.glsl"

// The flat input index of the first largest tap of window (oy, ox), or −1 where no tap wins.
int argMax(uint b, uint oy, uint ox, uint c) {
  float best = uintBitsToFloat(0xff800000u);
  int at = -1;
  for (uint ky = 0u; ky < p.kh; ky++) {
    int iy = int(oy * p.strideH + ky * p.dilationH) - p.padTop;
    if (iy < 0 || iy >= int(p.h)) continue;
    for (uint kx = 0u; kx < p.kw; kx++) {
      int ix = int(ox * p.strideW + kx * p.dilationW) - p.padLeft;
      if (ix < 0 || ix >= int(p.w)) continue;
      int j = int(((b * p.h + uint(iy)) * p.w + uint(ix)) * p.cin + c);
      float v = x[j];
      if (v > best) {
        best = v;
        at = j;
      }
    }
  }
  return at;
}

void main() {
  uint total = p.n * p.h * p.w * p.cin;
  for (uint i = gl_GlobalInvocationID.x; i < total; i += gl_NumWorkGroups.x * 256u) {
    uint c = i % p.cin, rest = i / p.cin;
    uint ix = rest % p.w; rest /= p.w;
    uint iy = rest % p.h;
    uint b = rest / p.h;
    float acc = 0.0;
    // Window oy covers rows oy·sh − pt … oy·sh − pt + (kh − 1)·dh.
    int span = int((p.kh - 1u) * p.dilationH), spanW = int((p.kw - 1u) * p.dilationW);
    int yFirst = max(0, (int(iy) + p.padTop - span + int(p.strideH) - 1) / int(p.strideH));
    int xFirst = max(0, (int(ix) + p.padLeft - spanW + int(p.strideW) - 1) / int(p.strideW));
    for (int oy = yFirst; oy < int(p.oh) && oy * int(p.strideH) - p.padTop <= int(iy); oy++) {
      for (int ox = xFirst; ox < int(p.ow) && ox * int(p.strideW) - p.padLeft <= int(ix); ox++) {
        if (argMax(b, uint(oy), uint(ox), c) == int(i)) acc += dy[((b * p.oh + uint(oy)) * p.ow + uint(ox)) * p.cin + c];
      }
    }
    dx[i] = acc;
  }
}
