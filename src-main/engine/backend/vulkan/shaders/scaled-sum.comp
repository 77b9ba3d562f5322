#version 450
// a·α + b·β (kernels/scaled-sum.ts), each product and the sum rounded on its own as the three tfjs ops
// round them (`precise`: no fused multiply-add), so equal to the cpu's bit for bit.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer A { float a[]; };
layout(set = 0, binding = 1) readonly buffer B { float b[]; };
layout(set = 0, binding = 2) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint n;
  float alpha;
  float beta;
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    precise float x = a[i] * p.alpha;
    precise float y = b[i] * p.beta;
    o[i] = x + y;
  }
}
