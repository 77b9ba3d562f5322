#version 450
// Per-channel partial sums for the batch-norm training kernels (kernels/batch-norm-train.ts gives the
// formulas), over x viewed as [rows, C] with the channels innermost:
//   forward  (mode 0): a = x − K and b = (x − K)², K = x[0, c], the channel's first value. Shifted data
//                      keeps Σb/m − (Σa/m)² free of the cancellation of Σx²/m − μ² in float32 (K lies
//                      within a few σ of μ).
//   backward (mode 1): a = g and b = g·(x − μ), g = dy; mode 2 masks g by the ReLU's y > 0.
// Workgroup (channel block, chunk): 32 channels × 8 lanes. Lane l sums rows chunk·R + l, + 8, … of its
// channel, so consecutive invocations read consecutive values of a row; the lanes combine in shared
// memory. partials[(chunk · 2 + q) · C + c]: q = 0 holds Σa, q = 1 holds Σb.
layout(local_size_x = 32, local_size_y = 8) in;
layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) readonly buffer Dy { float dy[]; };
layout(set = 0, binding = 2) readonly buffer Y { float y[]; };
layout(set = 0, binding = 3) readonly buffer Mean { float mean[]; };
layout(set = 0, binding = 4) writeonly buffer Partials { float partials[]; };
layout(push_constant) uniform Push {
  uint rows;
  uint channels;
  uint rowsPerChunk;
  uint mode;
} p;

shared float sharedA[8][32];
shared float sharedB[8][32];

void main() {
  uint j = gl_LocalInvocationID.x;
  uint lane = gl_LocalInvocationID.y;
  uint c = gl_WorkGroupID.x * 32u + j;
  uint chunk = gl_WorkGroupID.y;
  float a = 0.0;
  float b = 0.0;
  if (c < p.channels) {
    uint begin = chunk * p.rowsPerChunk;
    uint end = min(begin + p.rowsPerChunk, p.rows);
    if (p.mode == 0u) {
      float k = x[c];
      for (uint r = begin + lane; r < end; r += 8u) {
        float d = x[r * p.channels + c] - k;
        a += d;
        b += d * d;
      }
    } else {
      float mu = mean[c];
      for (uint r = begin + lane; r < end; r += 8u) {
        uint i = r * p.channels + c;
        float g = dy[i];
        if (p.mode == 2u && !(y[i] > 0.0)) g = 0.0;
        a += g;
        b += g * (x[i] - mu);
      }
    }
  }
  sharedA[lane][j] = a;
  sharedB[lane][j] = b;
  barrier();
  if (lane == 0u && c < p.channels) {
    for (uint l = 1u; l < 8u; l++) {
      a += sharedA[l][j];
      b += sharedB[l][j];
    }
    partials[(chunk * 2u) * p.channels + c] = a;
    partials[(chunk * 2u + 1u) * p.channels + c] = b;
  }
}
