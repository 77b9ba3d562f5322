#version 450
// out[r] = the index of the largest of in[r · inner .. (r + 1) · inner), the first where several tie, as
// tfjs's cpu kernel chooses (the kernel moves the axis innermost first). One invocation per row: arg max
// serves labels and similarity rows, short rows.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer In { float x[]; };
layout(set = 0, binding = 1) writeonly buffer Out { int o[]; };
layout(push_constant) uniform Push {
  uint rows;
  uint inner;
} p;

void main() {
  for (uint row = gl_GlobalInvocationID.x; row < p.rows; row += gl_NumWorkGroups.x * 256u) {
    float best = x[row * p.inner];
    int at = 0;
    for (uint k = 1u; k < p.inner; k++) {
      float v = x[row * p.inner + k];
      if (v > best) {
        best = v;
        at = int(k);
      }
    }
    o[row] = at;
  }
}
