/**
 * Which compute backend a run asks for. `auto` takes the first that loads: tfjs-node(-gpu), then the
 * project's vulkan backend on a discrete GPU, then WebGPU on a GPU, then wasm; `tensorflow` is
 * tfjs-node(-gpu), `vulkan` the project's own Vulkan compute backend (any Vulkan device, lavapipe's CPU
 * one included), `cpu` tfjs's pure-JS backend.
 */
export const backendPreferences = ['auto', 'tensorflow', 'vulkan', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendPreference = (typeof backendPreferences)[number];
