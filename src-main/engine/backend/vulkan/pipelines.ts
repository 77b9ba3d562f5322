import { spirv, type ShaderName } from './spirv';
import type { VulkanAddon } from './device';

/** What each shader binds: its storage buffers and the bytes of its push-constant block (std430). */
const conv = { bindings: 3, pushBytes: 4 * 16 };
const layouts: Record<ShaderName, { bindings: number; pushBytes: number }> = {
  adamwUpdate: { bindings: 7, pushBytes: 4 * 10 },
  argMax: { bindings: 2, pushBytes: 4 * 2 },
  batchNorm: { bindings: 6, pushBytes: 4 * 6 },
  batchNormCoefficients: { bindings: 7, pushBytes: 4 * 5 },
  batchNormInputGrad: { bindings: 7, pushBytes: 4 * 3 },
  batchNormNormalize: { bindings: 4, pushBytes: 4 * 3 },
  batchNormSums: { bindings: 5, pushBytes: 4 * 4 },
  binary: { bindings: 3, pushBytes: 4 * (3 + 3 * 6) },
  conv2d: conv,
  conv2dBackpropFilter: conv,
  conv2dBackpropInput: conv,
  cropAndResize: { bindings: 4, pushBytes: 4 * 9 },
  depthwiseConv2d: conv,
  emaUpdate: { bindings: 3, pushBytes: 4 * 2 },
  gather: { bindings: 3, pushBytes: 4 * 4 },
  larsNorms: { bindings: 3, pushBytes: 4 * 3 },
  larsUpdate: { bindings: 6, pushBytes: 4 * 6 },
  matmul: { bindings: 3, pushBytes: 4 * 7 },
  matmulDirect: { bindings: 3, pushBytes: 4 * 8 },
  maxPool: { ...conv, bindings: 2 },
  maxPoolGrad: conv,
  mirrorPad: { bindings: 2, pushBytes: 4 * (3 + 3 * 6) },
  oneHot: { bindings: 2, pushBytes: 4 * 4 },
  reduce: { bindings: 2, pushBytes: 7 * 4 },
  scaledSum: { bindings: 3, pushBytes: 4 * 3 },
  scatterUpdate: { bindings: 3, pushBytes: 4 * (5 + 6) },
  segmentLinks: { bindings: 2, pushBytes: 4 * 2 },
  segmentSum: { bindings: 3, pushBytes: 4 * 3 },
  select: { bindings: 4, pushBytes: 4 * 2 },
  sgdUpdate: { bindings: 5, pushBytes: 4 * 5 },
  stridedCopy: { bindings: 2, pushBytes: 4 * (4 + 3 * 6) },
  topK: { bindings: 3, pushBytes: 4 * 4 },
  unary: { bindings: 2, pushBytes: 4 * 4 },
};

/** One shader's share of the device time of a timed stretch. */
export interface ShaderTime {
  shader: string;
  dispatches: number;
  ms: number;
}

/** The most dimensions the elementwise and copy shaders index (their push constants hold 6 per operand). */
export const MAX_RANK = 6;
/** Vulkan guarantees 65,535 workgroups per dimension; the element-wise shaders loop over the rest. */
const MAX_GROUPS = 65535;

/** Records dispatches of the project's shaders, creating each pipeline the first time it is used. */
export class Shaders {
  private readonly pipelines = new Map<ShaderName, number>();

  constructor(private readonly addon: VulkanAddon) {}

  /** One dispatch of `shader` over `buffers` with push constants `push` (32-bit words). */
  run(
    shader: ShaderName,
    buffers: readonly number[],
    push: Uint32Array | Int32Array,
    groups: readonly [number, number?, number?],
  ): void {
    this.addon.dispatch(
      this.pipeline(shader),
      Uint32Array.from(buffers),
      push,
      groups[0],
      groups[1] ?? 1,
      groups[2] ?? 1,
    );
  }

  /** Workgroups for a grid-stride loop over `n` elements, 256 per group. */
  static elementGroups(n: number): [number] {
    return [Math.max(1, Math.min(MAX_GROUPS, Math.ceil(n / 256)))];
  }

  static rowGroups(rows: number): [number] {
    return [Math.max(1, Math.min(MAX_GROUPS, rows))];
  }

  /**
   * Times every dispatch on the GPU (timestamps) while `fn` runs, and returns each shader's device
   * milliseconds, slowest first. Throws where the device's queue writes no timestamps.
   */
  async timeShaders(fn: () => Promise<void>): Promise<ShaderTime[]> {
    this.addon.setTiming(true);
    try {
      await fn();
    } finally {
      this.addon.setTiming(false);
    }
    const names = new Map([...this.pipelines].map(([name, id]) => [id, name]));
    return this.addon
      .takeTimes()
      .map(({ pipeline, dispatches, ms }) => ({
        shader: names.get(pipeline) ?? `#${pipeline}`,
        dispatches,
        ms,
      }))
      .sort((a, b) => b.ms - a.ms);
  }

  private pipeline(shader: ShaderName): number {
    let id = this.pipelines.get(shader);
    if (id === undefined) {
      const bytes = Buffer.from(spirv[shader], 'base64');
      const code = new Uint32Array(bytes.byteLength / 4);
      new Uint8Array(code.buffer).set(bytes); // Buffer.from may hand out a view at an odd offset
      const { bindings, pushBytes } = layouts[shader];
      id = this.addon.createPipeline(code, bindings, pushBytes);
      this.pipelines.set(shader, id);
    }
    return id;
  }
}
