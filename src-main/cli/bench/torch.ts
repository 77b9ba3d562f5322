import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// The repository root, as bench/common.ts has it; not imported from there, which loads TensorFlow.js, so
// `bench --help` (which names defaultPython) answers without it.
const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** Debian's interpreter, which sees Debian's python3-torch. */
export const defaultPython = '/usr/bin/python3';

/** Where the PyTorch yardstick runs: `auto` is CUDA when ours ran on a GPU and PyTorch sees one. */
export const torchDevices = ['auto', 'cpu', 'cuda'] as const;
export type TorchDevicePreference = (typeof torchDevices)[number];

/** An interpreter that imports torch, with the CUDA device torch sees (null: none). */
export interface TorchInstall {
  python: string;
  version: string;
  cuda: string | null;
}

/** The PyTorch yardsticks: one SimCLR step (two views, NT-Xent, SGD) of the same network on the CPU. */
export const torchScripts: Record<string, string> = {
  resnet18: path.resolve(repoRoot, '../shared/bench/torch_simclr_step.py'),
  convnet: path.resolve(repoRoot, 'bench/torch_convnet_step.py'),
};

/** Python or its torch package is missing, or the script failed: one line for the user. */
export class TorchReferenceError extends Error {
  override name = 'TorchReferenceError';
}

/** What the scripts print (one JSON object), with the script that printed it. */
export interface TorchResult {
  reference: string;
  backbone: string;
  width: number;
  batch_size: number;
  threads: number;
  /** 'cpu' or 'cuda' (the scripts' --device). */
  device: string;
  step_ms: number;
  images_per_s: number;
  script: string;
  python: string;
}

/** Why a configuration has no PyTorch yardstick, or null when it has one. */
export function torchUnsupported(method: string, backbone: string): string | null {
  if (method !== 'simclr') {
    return `the PyTorch reference times a SimCLR step only, so there is none for method ${method}`;
  }
  if (!torchScripts[backbone]) {
    return (
      `the PyTorch reference covers the ${Object.keys(torchScripts).join(' and ')} backbones only, ` +
      `not ${backbone}; timing ours only`
    );
  }
  return null;
}

function run(python: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(python, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim())
      .at(-1) ?? ''
  );
}

const probe =
  'import json, torch; c = torch.cuda.is_available(); ' +
  'print(json.dumps({"version": torch.__version__, "cuda": torch.cuda.get_device_name(0) if c else None}))';

/**
 * Checks that `python` runs and imports torch, and asks torch for a CUDA device; throws a
 * TorchReferenceError with a one-line reason (and the apt command) otherwise. Cheap next to a bench, so
 * it runs before ours does.
 */
export async function checkTorch(python = defaultPython): Promise<TorchInstall> {
  try {
    const { stdout } = await run(python, ['-c', probe], 120_000);
    const { version, cuda } = JSON.parse(lastLine(stdout)) as { version: string; cuda: string | null };
    return { python, version, cuda };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new TorchReferenceError(
        `--compare-torch needs ${python} with PyTorch, and ${python} does not exist (apt-get install -y python3-torch)`,
      );
    }
    if (/No module named .?torch/.test(err.stderr ?? '')) {
      throw new TorchReferenceError(
        `--compare-torch needs PyTorch for ${python}: python3-torch is not installed (apt-get install -y python3-torch)`,
      );
    }
    throw new TorchReferenceError(
      `--compare-torch: ${python} cannot import torch: ${lastLine(err.stderr ?? err.message)}`,
    );
  }
}

/**
 * The interpreter for the yardstick: the one given, else the first of `python3` on PATH (a virtual
 * environment's, as on GPU machines) and Debian's whose torch sees a CUDA device, else the first that
 * imports torch. When none does, the reason given is Debian's interpreter's.
 */
export async function findTorch(python?: string, path = process.env.PATH ?? ''): Promise<TorchInstall> {
  if (python !== undefined) return checkTorch(python);
  const onPath = path
    .split(':')
    .filter(Boolean)
    .map((dir) => `${dir}/python3`)
    .find((file) => fs.existsSync(file));
  const candidates = [...new Set([...(onPath ? [onPath] : []), defaultPython])];
  const found: TorchInstall[] = [];
  let reason: unknown = null;
  for (const candidate of candidates) {
    try {
      found.push(await checkTorch(candidate));
    } catch (e) {
      if (candidate === defaultPython) reason = e;
    }
  }
  const chosen = found.find((t) => t.cuda) ?? found[0];
  if (chosen) return chosen;
  throw reason ?? new TorchReferenceError('--compare-torch found no interpreter that imports torch');
}

/**
 * The yardstick's device. `auto` compares like with like: CUDA when ours ran on a GPU and PyTorch sees
 * one, else the CPU. `cuda` without a CUDA device is refused in one line.
 */
export function torchDevice(
  preference: TorchDevicePreference,
  install: TorchInstall,
  oursOnGpu: boolean,
): 'cpu' | 'cuda' {
  if (preference === 'cuda' && !install.cuda) {
    throw new TorchReferenceError(
      `--torch-device cuda: PyTorch ${install.version} at ${install.python} sees no CUDA device`,
    );
  }
  if (preference === 'auto') return oursOnGpu && install.cuda ? 'cuda' : 'cpu';
  return preference;
}

export interface TorchOptions {
  backbone: string;
  width: number;
  batchSize: number;
  steps: number;
  /** PyTorch intra-op threads; the script's default is every core. */
  threads?: number;
  python?: string;
  device?: 'cpu' | 'cuda';
}

/** Runs the PyTorch yardstick for the backbone and parses its JSON line. */
export async function runTorchReference(options: TorchOptions): Promise<TorchResult> {
  const script = torchScripts[options.backbone];
  if (!script) throw new TorchReferenceError(`no PyTorch reference script for backbone ${options.backbone}`);
  if (!fs.existsSync(script))
    throw new TorchReferenceError(`the PyTorch reference script ${script} is missing`);
  const python = options.python ?? defaultPython;
  const args = [
    script,
    '--width',
    String(options.width),
    '--batch-size',
    String(options.batchSize),
    '--steps',
    String(options.steps),
  ];
  if (options.threads !== undefined) args.push('--threads', String(options.threads));
  args.push('--device', options.device ?? 'cpu');
  let stdout: string;
  try {
    ({ stdout } = await run(python, args, 3_600_000));
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new TorchReferenceError(
      `the PyTorch reference failed: ${lastLine(err.stderr ?? '') || err.message}`,
    );
  }
  try {
    const parsed = JSON.parse(lastLine(stdout)) as Omit<TorchResult, 'script' | 'python'>;
    if (typeof parsed.images_per_s !== 'number') throw new Error('no images_per_s');
    return { ...parsed, script, python };
  } catch (e) {
    throw new TorchReferenceError(
      `could not read the PyTorch reference's output (${(e as Error).message}): ${lastLine(stdout)}`,
    );
  }
}
