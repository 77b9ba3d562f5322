#version 450
// tf.unsortedSegmentSum with one segment id per row (a gather's gradient): out[s, k] = Σ over the rows i
// whose id is s of x[i, k], walking segment s's chain of rows (shaders/segment-links.comp) in row order, as
// the cpu sums them; ids outside [0, segments) belong to no chain.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) readonly buffer Links { int links[]; };
layout(set = 0, binding = 2) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint n;  // segments · inner
  uint segments;
  uint inner;  // elements per row
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    uint k = i % p.inner;
    float acc = 0.0;
    for (int row = links[i / p.inner]; row >= 0; row = links[p.segments + uint(row)]) {
      acc += x[uint(row) * p.inner + k];
    }
    o[i] = acc;
  }
}
