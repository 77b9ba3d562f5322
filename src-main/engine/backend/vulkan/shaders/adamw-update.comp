#version 450
// One AdamW step of one parameter (kernels/adamw-update.ts): m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
// w ← w·(1 − η·λ) − η·(m/c₁) / (√(v/c₂) + ε). The factors 1 − β₁, 1 − β₂ and 1 − η·λ come rounded to
// float32 from the host, as the tfjs ops' scalars do; `precise` rounds each step as those ops do.
layout(local_size_x = 256) in;
layout(set = 0, binding = 0) readonly buffer W { float w[]; };
layout(set = 0, binding = 1) readonly buffer M { float m[]; };
layout(set = 0, binding = 2) readonly buffer V { float v[]; };
layout(set = 0, binding = 3) readonly buffer G { float g[]; };
layout(set = 0, binding = 4) writeonly buffer WOut { float wOut[]; };
layout(set = 0, binding = 5) writeonly buffer MOut { float mOut[]; };
layout(set = 0, binding = 6) writeonly buffer VOut { float vOut[]; };
layout(push_constant) uniform Push {
  uint n;
  float lr;
  float beta1;
  float oneMinusBeta1;
  float beta2;
  float oneMinusBeta2;
  float correction1;
  float correction2;
  float epsilon;
  float decayFactor;  // 1 − η·λ
} p;

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < p.n; i += gl_NumWorkGroups.x * 256u) {
    float gi = g[i];
    precise float mi = m[i] * p.beta1 + gi * p.oneMinusBeta1;
    precise float vi = v[i] * p.beta2 + (gi * gi) * p.oneMinusBeta2;
    precise float update = (mi / p.correction1) / (sqrt(vi / p.correction2) + p.epsilon);
    precise float wi = w[i] * p.decayFactor - update * p.lr;
    mOut[i] = mi;
    vOut[i] = vi;
    wOut[i] = wi;
  }
}
