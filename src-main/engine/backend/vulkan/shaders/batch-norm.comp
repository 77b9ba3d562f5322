#version 450
// y = (x − mean) · scale / sqrt(variance + ε) + offset over the last (channel) axis, as tfjs's
// FusedBatchNorm: each of mean, variance, offset and scale holds one value per channel, or one for all.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) readonly buffer M { float mean[]; };
layout(set = 0, binding = 2) readonly buffer V { float variance[]; };
layout(set = 0, binding = 3) readonly buffer O { float offset[]; };
layout(set = 0, binding = 4) readonly buffer S { float scale[]; };
layout(set = 0, binding = 5) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uint n;
  float epsilon;
  uint meanSize, varianceSize, offsetSize, scaleSize;  // 0 where absent (offset 0, scale 1)
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    float m = mean[i % p.meanSize];
    float v = variance[i % p.varianceSize];
    float s = p.scaleSize == 0u ? 1.0 : scale[i % p.scaleSize];
    float o = p.offsetSize == 0u ? 0.0 : offset[i % p.offsetSize];
    y[i] = (x[i] - m) * s * inversesqrt(v + p.epsilon) + o;
  }
}
