import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultPython,
  findTorch,
  torchDevice,
  TorchReferenceError,
  type TorchInstall,
} from '../../../src-main/cli/bench/torch';
import { runCli } from '../../helpers/cli';

const probe = spawnSync(defaultPython, ['-c', 'import torch; print(torch.cuda.is_available())'], {
  encoding: 'utf8',
});
const hasTorch = probe.status === 0;
const hasCuda = probe.stdout.trim() === 'True';
const noTorch = 'python3-torch is not installed (apt-get install -y python3-torch)';

describe("the PyTorch yardstick's device", () => {
  const cpuOnly: TorchInstall = { python: '/usr/bin/python3', version: '2.5.1', cuda: null };
  const withCuda: TorchInstall = { python: '/opt/venv/bin/python3', version: '2.11.0', cuda: 'NVIDIA H200' };

  it('is CUDA under auto only when ours ran on a GPU and PyTorch sees one', () => {
    expect(torchDevice('auto', withCuda, true)).toBe('cuda');
    expect(torchDevice('auto', withCuda, false)).toBe('cpu');
    expect(torchDevice('auto', cpuOnly, true)).toBe('cpu');
    expect(torchDevice('cpu', withCuda, true)).toBe('cpu');
    expect(torchDevice('cuda', withCuda, false)).toBe('cuda');
  });

  it('refuses cuda in one line when PyTorch sees no CUDA device', () => {
    expect(() => torchDevice('cuda', cpuOnly, true)).toThrow(TorchReferenceError);
    expect(() => torchDevice('cuda', cpuOnly, true)).toThrow(
      '--torch-device cuda: PyTorch 2.5.1 at /usr/bin/python3 sees no CUDA device',
    );
  });
});

describe.skipIf(!hasTorch)('finding an interpreter with PyTorch', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contrastlab-python-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("prefers python3 on PATH, as a GPU machine's virtual environment is found", async () => {
    const bin = path.join(dir, 'with-torch');
    fs.mkdirSync(bin);
    fs.symlinkSync(defaultPython, path.join(bin, 'python3'));
    const found = await findTorch(undefined, `/nonexistent:${bin}`);
    expect(found.python).toBe(path.join(bin, 'python3'));
    expect(found.version).toMatch(/^\d+\.\d+/);
    expect(found.cuda === null).toBe(!hasCuda);
  });

  it("falls back to Debian's interpreter when the one on PATH has no PyTorch", async () => {
    const bin = path.join(dir, 'without-torch');
    fs.mkdirSync(bin);
    // -S leaves out site-packages, where Debian's torch lives: a real interpreter without PyTorch.
    fs.writeFileSync(path.join(bin, 'python3'), `#!/bin/sh\nexec ${defaultPython} -S "$@"\n`, {
      mode: 0o755,
    });
    const found = await findTorch(undefined, bin);
    expect(found.python).toBe(defaultPython);
  });

  it('uses the interpreter given, and says in one line why it cannot', async () => {
    await expect(findTorch(path.join(dir, 'without-torch', 'python3'))).rejects.toThrow(
      /python3-torch is not installed/,
    );
  });
});

describe('bench --torch-device', () => {
  const tiny = ['--backbone', 'convnet', '--width', '4', '--batch-size', '8', '--steps', '1'];

  it('refuses cuda before benchmarking when PyTorch sees no CUDA device', async (ctx) => {
    ctx.skip(!hasTorch || hasCuda, hasTorch ? 'PyTorch sees a CUDA device here' : noTorch);
    const r = await runCli([
      'bench',
      ...tiny,
      '--compare-torch',
      '--torch-device',
      'cuda',
      '--python',
      defaultPython,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--torch-device cuda: PyTorch \S+ at \/usr\/bin\/python3 sees no CUDA device/);
    expect(r.stdout).toBe('');
  });

  it('rejects an unknown device and the flag without --compare-torch', async () => {
    const unknown = await runCli(['bench', ...tiny, '--compare-torch', '--torch-device', 'tpu']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown --torch-device "tpu"; devices: auto, cpu, cuda/);
    const alone = await runCli(['bench', ...tiny, '--torch-device', 'cpu']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--torch-device applies with --compare-torch/);
  });

  it('times PyTorch on the cpu when ours ran on a CPU, and names the interpreter', async (ctx) => {
    ctx.skip(!hasTorch, noTorch);
    const r = await runCli(['bench', ...tiny, '--backend', 'wasm', '--compare-torch', '--threads', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^PyTorch +pytorch \S+ cpu, 1 thread: [\d.]+ images\/s \(step [\d.]+ ms; torch_convnet_step\.py under \S+python3\)$/m,
    );
  });
});
