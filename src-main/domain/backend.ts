/**
 * Which compute backend a run asks for. `auto` takes the first that loads: tfjs-node-gpu (CUDA), then
 * WebGPU on a discrete GPU, then wasm; `tensorflow` is tfjs-node(-gpu), `cpu` tfjs's pure-JS backend.
 */
export const backendPreferences = ['auto', 'tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof backendPreferences)[number];
