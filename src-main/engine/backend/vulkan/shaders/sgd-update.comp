#version 450
// One SGD step of one parameter (kernels/sgd-update.ts), as torch.optim.SGD: v ← μv + (g + λw);
// w ← w − η·v, or with Nesterov momentum w ← w − η·(g + λw + μv). `precise` keeps each product and sum rounded on its own, as the six tfjs ops round
// them, so the result equals the cpu backend's bit for bit (no fused multiply-add).
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer W { float w[]; };
layout(set = 0, binding = 1) readonly buffer V { float v[]; };
layout(set = 0, binding = 2) readonly buffer G { float g[]; };
layout(set = 0, binding = 3) writeonly buffer WOut { float wOut[]; };
layout(set = 0, binding = 4) writeonly buffer VOut { float vOut[]; };
layout(push_constant) uniform Push {
  uint n;
  uint nesterov;
  float lr;
  float momentum;
  float weightDecay;
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    precise float decayed = p.weightDecay > 0.0 ? g[i] + w[i] * p.weightDecay : g[i];
    precise float velocity = v[i] * p.momentum + decayed;
    vOut[i] = velocity;
    precise float step_ = p.nesterov != 0u ? decayed + velocity * p.momentum : velocity;
    precise float weight = w[i] - step_ * p.lr;
    wOut[i] = weight;
  }
}
