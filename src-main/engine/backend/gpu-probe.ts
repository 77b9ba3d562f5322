import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Whether Dawn sees a real GPU, asked in a short-lived child process whose stderr is dropped. Dawn and
 * the Vulkan loader print warnings from C++ (`XDG_RUNTIME_DIR is invalid`, "shaderUniform*ArrayDynamicIndexing
 * required" with a foreign build path) that no JavaScript can catch; probing in-process put them at the top
 * of every CPU run's log. The answer is kept in the environment, so the processes this one starts inherit it.
 */
export type GpuProbe = { ok: true; adapter: string } | { ok: false; reason: string };

const MEMO = 'CONTRASTLAB_GPU_PROBE';

// Runs in the child: the adapter's name and whether it is a software one, as one JSON line.
const script = (entry: string) => `
const dawn = await import(${JSON.stringify(entry)});
for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) globalThis[k] = v;
const adapter = await dawn.create([]).requestAdapter({ powerPreference: 'high-performance' });
const info = adapter?.info ?? {};
const name = [info.device, info.vendor, info.architecture, info.description].map((s) => (s ?? '').trim()).filter(Boolean).join(' ');
process.stdout.write(JSON.stringify(adapter ? { name, fallback: !!(adapter.isFallbackAdapter || info.isFallbackAdapter) } : null) + '\\n');
process.exit(0);
`;

export function probeGpuQuietly(dawnPackage: string): GpuProbe {
  const memo = process.env[MEMO];
  if (memo) {
    try {
      return JSON.parse(memo) as GpuProbe;
    } catch {
      // A malformed memo is probed again.
    }
  }
  const result = probe(dawnPackage);
  process.env[MEMO] = JSON.stringify(result);
  return result;
}

function probe(dawnPackage: string): GpuProbe {
  let entry: string;
  try {
    entry = pathToFileURL(createRequire(import.meta.url).resolve(dawnPackage)).href;
  } catch {
    return { ok: false, reason: `the optional package ${dawnPackage} is not installed` };
  }
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script(entry)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 30_000,
  });
  const line = child.stdout?.trim().split('\n').at(-1);
  if (child.status !== 0 || !line) {
    return { ok: false, reason: `${dawnPackage} (Dawn) could not be started to look for a GPU` };
  }
  const found = JSON.parse(line) as { name: string; fallback: boolean } | null;
  if (!found)
    return {
      ok: false,
      reason: `${dawnPackage} found no GPU adapter (Dawn needs a Vulkan driver and a GPU)`,
    };
  if (found.fallback || /swiftshader|llvmpipe|lavapipe/i.test(found.name)) {
    return { ok: false, reason: `${dawnPackage} found only a software adapter (${found.name}), no GPU` };
  }
  return { ok: true, adapter: found.name };
}
