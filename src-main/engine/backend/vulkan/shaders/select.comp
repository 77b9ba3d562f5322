#version 450
// out[i] = cond[i / rowSize] != 0 ? t[i] : e[i] (tf.where): a condition of t's shape has rowSize 1, a
// rank-1 one picks whole rows. Elements are moved as bits, so float32 and int32 alike.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer Cond { uint cond[]; };
layout(set = 0, binding = 1) readonly buffer T { uint t[]; };
layout(set = 0, binding = 2) readonly buffer E { uint e[]; };
layout(set = 0, binding = 3) writeonly buffer Out { uint o[]; };
layout(push_constant) uniform Push {
  uint n;
  uint rowSize;
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    o[i] = cond[i / p.rowSize] != 0u ? t[i] : e[i];
  }
}
