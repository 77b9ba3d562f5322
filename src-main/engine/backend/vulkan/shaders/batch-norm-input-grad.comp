#version 450
// The batch-norm training gradient's ∂L/∂x = k·(g − a − (x − μ)·b) per channel (coefficients from
// batch-norm-coefficients.comp; kernels/batch-norm-train.ts), g = dy, masked by y > 0 where the forward
// had a ReLU (mode bit 1); mode bit 2 also writes ∂L/∂r = g for a residual added before the ReLU.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer Dy { float dy[]; };
layout(set = 0, binding = 1) readonly buffer X { float x[]; };
layout(set = 0, binding = 2) readonly buffer Y { float y[]; };
layout(set = 0, binding = 3) readonly buffer Mean { float mean[]; };
layout(set = 0, binding = 4) readonly buffer Coefficients { float coefficients[]; };
layout(set = 0, binding = 5) writeonly buffer Dx { float dx[]; };
layout(set = 0, binding = 6) writeonly buffer DResidual { float dResidual[]; };
layout(push_constant) uniform Push {
  uint n;
  uint channels;
  uint mode;
} p;

void main() {
  uint C = p.channels;
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    uint c = i % C;
    float g = dy[i];
    if ((p.mode & 1u) != 0u && !(y[i] > 0.0)) g = 0.0;
    dx[i] = coefficients[c] * (g - coefficients[C + c] - (x[i] - mean[c]) * coefficients[2u * C + c]);
    if ((p.mode & 2u) != 0u) dResidual[i] = g;
  }
}
