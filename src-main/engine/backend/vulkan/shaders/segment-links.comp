#version 450
// The rows of each segment of tf.unsortedSegmentSum, as chains in row order: links[s] (s < segments) is
// the first row whose id is s, links[segments + i] the next row after i with row i's id; −1 ends a chain.
// One invocation per segment and per row, each scanning the ids (4-byte reads, no atomics).
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer Ids { int ids[]; };
layout(set = 0, binding = 1) writeonly buffer Links { int links[]; };
layout(push_constant) uniform Push {
  uint segments;
  uint rows;
} p;

void main() {
  for (uint t = gl_GlobalInvocationID.x; t < p.segments + p.rows; t += gl_NumWorkGroups.x * 256u) {
    // A segment looks for its first row; a row for the next one with its id.
    int id = t < p.segments ? int(t) : ids[t - p.segments];
    uint from = t < p.segments ? 0u : t - p.segments + 1u;
    int found = -1;
    for (uint r = from; r < p.rows && found < 0; r++) {
      if (ids[r] == id) found = int(r);
    }
    links[t] = found;
  }
}
