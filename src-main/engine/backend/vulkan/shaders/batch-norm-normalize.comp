#version 450
// The batch-norm training kernels' forward output (kernels/batch-norm-train.ts): y = (x − μ)·scale + β per
// channel (coefficients from batch-norm-coefficients.comp), then mode 1: max(·, 0); mode 2: + r, then
// max(·, 0) (a ResNet block's end).
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer X { float x[]; };
layout(set = 0, binding = 1) readonly buffer Coefficients { float coefficients[]; };
layout(set = 0, binding = 2) readonly buffer Residual { float residual[]; };
layout(set = 0, binding = 3) writeonly buffer Out { float y[]; };
layout(push_constant) uniform Push {
  uint n;
  uint channels;
  uint mode;
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    uint c = i % p.channels;
    float v = (x[i] - coefficients[p.channels + c]) * coefficients[c] + coefficients[2u * p.channels + c];
    if (p.mode == 2u) v += residual[i];
    if (p.mode != 0u) v = max(v, 0.0);
    y[i] = v;
  }
}
