#version 450
// A target tensor moved toward its online tensor (kernels/ema-update.ts): t + rate·(o − t), rounded
// step by step as the three tfjs ops are (`precise`: no fused multiply-add), so equal to the cpu's.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer Target { float target[]; };
layout(set = 0, binding = 1) readonly buffer Online { float online[]; };
layout(set = 0, binding = 2) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint n;
  float rate;
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    precise float step_ = (online[i] - target[i]) * p.rate;
    precise float moved = target[i] + step_;
    o[i] = moved;
  }
}
