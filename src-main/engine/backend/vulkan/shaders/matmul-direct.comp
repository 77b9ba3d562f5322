#version 450
// The same product as matmul.comp, one output element per invocation with no shared memory: for thin
// matrices (a colour transform's 3 × 3, a head's few outputs), where 16 × 16 tiles would mostly idle.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer A { float a[]; };
layout(set = 0, binding = 1) readonly buffer B { float b[]; };
layout(set = 0, binding = 2) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint m;
  uint n;
  uint k;
  uint batchA;
  uint batchB;
  uint transposeA;
  uint transposeB;
  uint batch;
} p;

void main() {
  uint total = p.batch * p.m * p.n;
  for (uint i = gl_GlobalInvocationID.x; i < total; i += gl_NumWorkGroups.x * 256u) {
    uint col = i % p.n, rest = i / p.n;
    uint row = rest % p.m;
    uint batch = rest / p.m;
    uint baseA = (p.batchA == 1u ? 0u : batch) * p.m * p.k;
    uint baseB = (p.batchB == 1u ? 0u : batch) * p.k * p.n;
    float acc = 0.0;
    for (uint j = 0u; j < p.k; j++) {
      float x = a[baseA + (p.transposeA == 1u ? j * p.m + row : row * p.k + j)];
      float y = b[baseB + (p.transposeB == 1u ? col * p.k + j : j * p.n + col)];
      acc += x * y;
    }
    o[i] = acc;
  }
}
