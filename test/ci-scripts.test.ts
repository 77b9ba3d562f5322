/**
 * The shell scripts CI runs (.ci/run and what it calls) use `set -o pipefail`. Under it, a pipe into a
 * reader that stops early (`head`) fails whenever the writer is still writing when the reader exits:
 * the writer dies of SIGPIPE and the script with 141. Whether it happens depends on timing, so a script
 * can pass here and fail on CI's machine, as `glslc --version | head -n 1` once did.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/cli';

/** The scripts that CI runs with pipefail, relative to the repository root. */
function pipefailScripts(): string[] {
  const candidates = [
    '.ci/run',
    ...fs.readdirSync(path.join(repoRoot, 'scripts')).map((f) => `scripts/${f}`),
  ];
  return candidates.filter((file) => {
    const full = path.join(repoRoot, file);
    return fs.statSync(full).isFile() && /set -[a-z]*o pipefail/.test(fs.readFileSync(full, 'utf8'));
  });
}

/** A pipe (not ||) into head, or into grep with -q or -m among its flags: readers that stop early. */
const earlyExit = /(?<!\|)\|(?!\|)\s*(head\b|grep\s+(-\w*\s+)*-[A-Za-z]*[qm])/;

/** Lines (file:line: text) where a pipe ends in a reader that can exit before its writer is done. */
function earlyExitingReaders(file: string): string[] {
  const lines = fs.readFileSync(path.join(repoRoot, file), 'utf8').split('\n');
  return lines.flatMap((line, i) => {
    const code = line.replace(/(^|\s)#.*$/, '');
    return earlyExit.test(code) ? [`${file}:${i + 1}: ${line.trim()}`] : [];
  });
}

describe('CI shell scripts under pipefail', () => {
  it('an early-exiting reader fails the pipe under pipefail (the failure the rule prevents)', () => {
    const r = spawnSync('bash', ['-c', 'set -o pipefail; yes | head -n 1 >/dev/null'], { encoding: 'utf8' });
    expect(r.status).toBe(141);
  });

  it('.ci/run is among the scripts checked', () => {
    expect(pipefailScripts()).toContain('.ci/run');
  });

  it('recognises such readers', () => {
    for (const line of ['x | head -n 1', 'x | grep -qE a', 'x |grep -m1 a', 'x | grep -E -q a']) {
      expect(earlyExit.test(line)).toBe(true);
    }
    for (const line of ['x | sed -n 1p', 'x | grep -E a >/dev/null', 'x | grep -v q', 'x || head']) {
      expect(earlyExit.test(line)).toBe(false);
    }
  });

  it('no pipe ends in a reader that exits early', () => {
    expect(pipefailScripts().flatMap(earlyExitingReaders)).toEqual([]);
  });
});
