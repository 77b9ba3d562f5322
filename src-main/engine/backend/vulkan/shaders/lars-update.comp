#version 450
// The second pass of a LARS step (kernels/lars-update.ts): every workgroup adds up the `chunks` (≤ 256)
// partial sums of lars-norms.comp in the same order, so all agree on the trust ratio
// η‖w‖/‖g + λw‖ (1 where either norm is 0), then updates its share of the tensor:
// v ← μv + (g + λw)·trust; w ← w − lr·v, each step rounded as the tfjs ops round it (`precise`).
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer W { float w[]; };
layout(set = 0, binding = 1) readonly buffer V { float v[]; };
layout(set = 0, binding = 2) readonly buffer G { float g[]; };
layout(set = 0, binding = 3) readonly buffer Partials { float partials[]; };
layout(set = 0, binding = 4) writeonly buffer WOut { float wOut[]; };
layout(set = 0, binding = 5) writeonly buffer VOut { float vOut[]; };
layout(push_constant) uniform Push {
  uint n;
  uint chunks;
  float lr;
  float momentum;
  float weightDecay;
  float trustCoefficient;
} p;

shared float sharedW[256];
shared float sharedG[256];

void main() {
  uint t = gl_LocalInvocationID.x;
  sharedW[t] = t < p.chunks ? partials[2u * t] : 0.0;
  sharedG[t] = t < p.chunks ? partials[2u * t + 1u] : 0.0;
  barrier();
  for (uint half_ = 128u; half_ > 0u; half_ >>= 1u) {
    if (t < half_) {
      sharedW[t] += sharedW[t + half_];
      sharedG[t] += sharedG[t + half_];
    }
    barrier();
  }
  float wNorm = sqrt(sharedW[0]);
  float gNorm = sqrt(sharedG[0]);
  float trust = wNorm > 0.0 && gNorm > 0.0 ? p.trustCoefficient * wNorm / gNorm : 1.0;
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    precise float decayed = g[i] + w[i] * p.weightDecay;
    precise float vi = v[i] * p.momentum + decayed * trust;
    vOut[i] = vi;
    precise float weight = w[i] - vi * p.lr;
    wOut[i] = weight;
  }
}
