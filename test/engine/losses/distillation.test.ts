import '@tensorflow/tfjs-backend-cpu';

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { evaluateLossFixture, lossDescription } from '../../../src-main/engine/losses';

/** Project-made fixtures (no shared one exists), written by distillation_reference.py in float64. */
const FIXTURE_DIR = path.resolve(import.meta.dirname, '../../fixtures/losses');
const REL_TOL = 1e-4;
const ABS_TOL = 1e-5;

interface Fixture {
  loss: string;
  params: Record<string, number>;
  inputs: Record<string, unknown>;
  expected: { loss: number; grads: Record<string, unknown> };
}

const files = readdirSync(FIXTURE_DIR)
  .filter((f) => f.startsWith('distillation-') && f.endsWith('.json'))
  .sort();
const read = (file: string) => JSON.parse(readFileSync(path.join(FIXTURE_DIR, file), 'utf8')) as Fixture;

/** The largest violation of |a − e| ≤ max(1e-4·|e|, 1e-5) over two nested arrays (≤ 0 when they match). */
function worstExcess(actual: unknown, expected: unknown): number {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual) && actual.length === expected.length).toBe(true);
    return Math.max(...expected.map((e, i) => worstExcess((actual as unknown[])[i], e)));
  }
  const [a, e] = [actual as number, expected as number];
  return Math.abs(a - e) - Math.max(REL_TOL * Math.abs(e), ABS_TOL);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('distillation against its float64 reference (SimCLR v2 Eq. 2 and the weighted combination)', () => {
  it('finds the project-made fixtures, one per setting the reference writes', () => {
    expect(files).toEqual([
      'distillation-1.json',
      'distillation-2.json',
      'distillation-3.json',
      'distillation-4.json',
    ]);
  });

  for (const file of files) {
    it(`${file}: the float32 loss and its gradients match within 1e-4 relative; the teacher gets none`, () => {
      const fixture = read(file);
      const before = tf.memory().numTensors;
      const result = evaluateLossFixture(fixture);
      expect(tf.memory().numTensors).toBe(before);
      expect(Object.keys(result.grads).sort()).toEqual(['student', 'teacher']);
      expect(worstExcess(result.loss, fixture.expected.loss)).toBeLessThanOrEqual(0);
      expect(worstExcess(result.grads.student, fixture.expected.grads.student)).toBeLessThanOrEqual(0);
      // The teacher is fixed: its reference gradient is zero, and so is ours.
      const teacherGrad = (result.grads.teacher as number[][]).flat();
      expect(teacherGrad.every((g) => g === 0)).toBe(true);
      expect((fixture.expected.grads.teacher as number[][]).flat().every((g) => g === 0)).toBe(true);
    });
  }

  it("the description's inputs and parameters are the fixtures' names", () => {
    const description = lossDescription('distillation');
    expect(Object.keys(description.params.shape).sort()).toEqual(['label_weight', 'temperature']);
    for (const file of files) {
      for (const name of Object.keys(read(file).inputs)) {
        expect(description.inputs.map((i) => i.name)).toContain(name);
      }
    }
    expect(description.stopGradient).toEqual(['teacher']);
  });

  it('refuses labels outside the classes and a mask without labels, in one line', () => {
    const fixture = read('distillation-2.json');
    const labels = [...(fixture.inputs.labels as number[])];
    labels[1] = 4;
    expect(() => evaluateLossFixture({ ...fixture, inputs: { ...fixture.inputs, labels } })).toThrow(
      /^Invalid distillation fixture: inputs\.labels holds 4 at flat position 1, outside \[0, 4\)/,
    );
    const { labels: _dropped, ...withoutLabels } = fixture.inputs;
    expect(() => evaluateLossFixture({ ...fixture, inputs: withoutLabels })).toThrow(
      /^Invalid distillation fixture: inputs\.labelled marks labelled rows, but inputs\.labels is missing$/,
    );
    expect(() => evaluateLossFixture({ ...fixture, params: { temperature: 0, label_weight: 0.3 } })).toThrow(
      /^Invalid distillation fixture: params\.temperature/,
    );
  });
});
