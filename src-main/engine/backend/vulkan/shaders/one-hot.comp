#version 450
// out[r, c] = indices[r] == c ? on : off, for depth classes c; on and off come as their bits (float32 or
// int32). Indices outside [0, depth) give a row of `off`, as TensorFlow's OneHot does.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer Indices { int indices[]; };
layout(set = 0, binding = 1) writeonly buffer Out { uint o[]; };
layout(push_constant) uniform Push {
  uint n;  // rows · depth
  uint depth;
  uint on;
  uint off;
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    o[i] = indices[i / p.depth] == int(i % p.depth) ? p.on : p.off;
  }
}
