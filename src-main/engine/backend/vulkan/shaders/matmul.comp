#version 450
// out[b] = op(a[b]) · op(b[b]) for each matrix of a batch, op transposing where asked; an operand with one
// matrix is shared by the whole batch. 16 × 16 output tiles, with 16 × 16 tiles of both operands staged in
// shared memory.
layout(local_size_x = 16, local_size_y = 16) in;
layout(set = 0, binding = 0) readonly buffer A { float a[]; };
layout(set = 0, binding = 1) readonly buffer B { float b[]; };
layout(set = 0, binding = 2) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push {
  uint m;
  uint n;
  uint k;
  uint batchA;  // 1 or the batch
  uint batchB;
  uint transposeA;  // a is stored k × m
  uint transposeB;  // b is stored n × k
} p;

shared float tileA[16][17];
shared float tileB[16][17];

void main() {
  uint batch = gl_WorkGroupID.z;
  uint row = gl_WorkGroupID.y * 16u + gl_LocalInvocationID.y;
  uint col = gl_WorkGroupID.x * 16u + gl_LocalInvocationID.x;
  uint ty = gl_LocalInvocationID.y, tx = gl_LocalInvocationID.x;
  uint baseA = (p.batchA == 1u ? 0u : batch) * p.m * p.k;
  uint baseB = (p.batchB == 1u ? 0u : batch) * p.k * p.n;
  float acc = 0.0;
  for (uint k0 = 0u; k0 < p.k; k0 += 16u) {
    // tileA[ty][tx] = A[row][k0 + tx]; tileB[ty][tx] = B[k0 + ty][col]
    uint ka = k0 + tx, kb = k0 + ty;
    tileA[ty][tx] = (row < p.m && ka < p.k) ? a[baseA + (p.transposeA == 1u ? ka * p.m + row : row * p.k + ka)] : 0.0;
    tileB[ty][tx] = (kb < p.k && col < p.n) ? b[baseB + (p.transposeB == 1u ? col * p.k + kb : kb * p.n + col)] : 0.0;
    barrier();
    for (uint j = 0u; j < 16u; j++) acc += tileA[ty][j] * tileB[j][tx];
    barrier();
  }
  if (row < p.m && col < p.n) o[(batch * p.m + row) * p.n + col] = acc;
}
