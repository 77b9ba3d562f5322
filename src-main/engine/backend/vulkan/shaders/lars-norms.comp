#version 450
// The first pass of a LARS step (kernels/lars-update.ts): partial sums of w² and of (g + λw)² over
// chunks of `chunk` values, one workgroup each, combined in shared memory:
// partials[2·k] = Σw², partials[2·k + 1] = Σ(g + λw)² over chunk k.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer W { float w[]; };
layout(set = 0, binding = 1) readonly buffer G { float g[]; };
layout(set = 0, binding = 2) writeonly buffer Partials { float partials[]; };
layout(push_constant) uniform Push {
  uint n;
  uint chunk;
  float weightDecay;
} p;

shared float sharedW[256];
shared float sharedG[256];

void main() {
  uint t = gl_LocalInvocationID.x;
  uint begin = gl_WorkGroupID.x * p.chunk;
  uint end = min(begin + p.chunk, p.n);
  float sw = 0.0;
  float sg = 0.0;
  for (uint i = begin + t; i < end; i += 256u) {
    float wi = w[i];
    precise float decayed = g[i] + wi * p.weightDecay;
    sw += wi * wi;
    sg += decayed * decayed;
  }
  sharedW[t] = sw;
  sharedG[t] = sg;
  barrier();
  for (uint half_ = 128u; half_ > 0u; half_ >>= 1u) {
    if (t < half_) {
      sharedW[t] += sharedW[t + half_];
      sharedG[t] += sharedG[t + half_];
    }
    barrier();
  }
  if (t == 0u) {
    partials[2u * gl_WorkGroupID.x] = sharedW[0];
    partials[2u * gl_WorkGroupID.x + 1u] = sharedG[0];
  }
}
