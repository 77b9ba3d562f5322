#version 450
// One invocation per channel: adds up its chunks' partial sums (batch-norm-sums.comp; compensated, so
// hundreds of chunks lose nothing) and turns them into the batch-norm training kernels' per-channel
// values (kernels/batch-norm-train.ts), over m = rows values of the channel:
//   forward  (mode 0): μ = K + Σa/m, σ² = Σb/m − (Σa/m)² (biased, ≥ 0); out1 = μ, out2 = σ²;
//                      coefficients scale = γ/√(σ² + ε), μ and β, so y = (x − μ)·scale + β. (Folding
//                      that into x·scale + shift cancels catastrophically in float32 where |μ| ≫ σ.)
//   backward (mode 1): with s = 1/√(σ² + ε): out1 = ∂L/∂γ = Σg(x − μ)·s, out2 = ∂L/∂β = Σg;
//                      coefficients k = γ·s, a = Σg/m, b = s²·Σg(x − μ)/m, so ∂L/∂x = k·(g − a − (x − μ)·b).
// `second` is β forward and σ² backward; `x` gives K forward (backward binds anything there).
layout(local_size_x = 64) in;
layout(set = 0, binding = 0) readonly buffer Partials { float partials[]; };
layout(set = 0, binding = 1) readonly buffer X { float x[]; };
layout(set = 0, binding = 2) readonly buffer Gamma { float gamma[]; };
layout(set = 0, binding = 3) readonly buffer Second { float second[]; };
layout(set = 0, binding = 4) writeonly buffer Out1 { float out1[]; };
layout(set = 0, binding = 5) writeonly buffer Out2 { float out2[]; };
layout(set = 0, binding = 6) writeonly buffer Coefficients { float coefficients[]; };
layout(push_constant) uniform Push {
  uint rows;
  uint channels;
  uint chunks;
  uint mode;
  float epsilon;
} p;

void main() {
  uint c = gl_GlobalInvocationID.x;
  if (c >= p.channels) return;
  // Kahan summation over the chunks; `precise`, or a compiler may simplify the compensation away.
  precise float sa = 0.0, ea = 0.0, sb = 0.0, eb = 0.0;
  for (uint k = 0u; k < p.chunks; k++) {
    precise float ya = partials[(k * 2u) * p.channels + c] - ea;
    precise float ta = sa + ya;
    ea = (ta - sa) - ya;
    sa = ta;
    precise float yb = partials[(k * 2u + 1u) * p.channels + c] - eb;
    precise float tb = sb + yb;
    eb = (tb - sb) - yb;
    sb = tb;
  }
  float m = float(p.rows);
  uint C = p.channels;
  if (p.mode == 0u) {
    float shiftedMean = sa / m;
    float mu = x[c] + shiftedMean;
    float variance = max(0.0, sb / m - shiftedMean * shiftedMean);
    float scale = gamma[c] / sqrt(variance + p.epsilon);
    out1[c] = mu;
    out2[c] = variance;
    coefficients[c] = scale;
    coefficients[C + c] = mu;
    coefficients[2u * C + c] = second[c];
  } else {
    float s = 1.0 / sqrt(second[c] + p.epsilon);
    out1[c] = sb * s;
    out2[c] = sa;
    coefficients[c] = gamma[c] * s;
    coefficients[C + c] = sa / m;
    coefficients[2u * C + c] = s * s * sb / m;
  }
}
