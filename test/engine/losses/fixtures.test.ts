import '@tensorflow/tfjs-backend-cpu';

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  LOSS_DESCRIPTIONS,
  evaluateLossFixture,
  type LossFixtureResult,
} from '../../../src-main/engine/losses';
import { sharedDir } from '../../helpers/cli';

const FIXTURE_DIR = path.join(sharedDir, 'fixtures/losses');
const REL_TOL = 1e-4;
const ABS_TOL = 1e-5;
/** Side outputs that are integer labels and must match exactly. */
const INTEGER_OUTPUTS = new Set(['labels_1', 'labels_2']);

interface Fixture {
  loss: string;
  params: Record<string, number>;
  inputs: Record<string, unknown>;
  expected: Record<string, unknown> & { grads: Record<string, unknown> };
}

const fixtureFiles = readdirSync(FIXTURE_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort();

/** Compares nested arrays element-wise; returns the first mismatch as a message, or null. */
function mismatch(actual: unknown, expected: unknown, where: string, exact: boolean): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${where}: expected an array, got ${JSON.stringify(actual)}`;
    if (actual.length !== expected.length) return `${where}: length ${actual.length} ≠ ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const m = mismatch(actual[i], expected[i], `${where}[${i}]`, exact);
      if (m) return m;
    }
    return null;
  }
  if (typeof expected !== 'number' || typeof actual !== 'number') {
    return `${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  }
  if (exact) return actual === expected ? null : `${where}: ${actual} ≠ ${expected}`;
  const tol = Math.max(REL_TOL * Math.abs(expected), ABS_TOL);
  return Math.abs(actual - expected) <= tol
    ? null
    : `${where}: ${actual} vs expected ${expected} (tol ${tol})`;
}

function readFixture(file: string): Fixture {
  return JSON.parse(readFileSync(path.join(FIXTURE_DIR, file), 'utf8')) as Fixture;
}

/** Evaluates a fixture (leaking no tensor) and compares the loss, side outputs and gradients to `expected`. */
function expectMatches(fixture: Fixture, evaluate: () => LossFixtureResult): void {
  const before = tf.memory().numTensors;
  const result = evaluate();
  expect(tf.memory().numTensors).toBe(before);

  expect(Object.keys(result).sort()).toEqual(Object.keys(fixture.expected).sort());
  expect(Object.keys(result.grads).sort()).toEqual(Object.keys(fixture.expected.grads).sort());
  for (const [key, expected] of Object.entries(fixture.expected)) {
    if (key === 'grads') continue;
    expect(mismatch(result[key], expected, key, INTEGER_OUTPUTS.has(key))).toBeNull();
  }
  for (const [key, expected] of Object.entries(fixture.expected.grads)) {
    expect(mismatch(result.grads[key], expected, `grads.${key}`, false)).toBeNull();
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('loss fixtures', () => {
  it('finds the fixture directory', () => {
    expect(fixtureFiles.length).toBeGreaterThan(0);
  });

  for (const file of fixtureFiles) {
    it(file, () => {
      const fixture = readFixture(file);
      expectMatches(fixture, () => evaluateLossFixture(fixture));
    });
  }
});

describe('losses checked by the fixtures of the loss they reduce to', () => {
  for (const description of LOSS_DESCRIPTIONS) {
    const { fixtures } = description;
    if (!('loss' in fixtures) || fixtures.loss === description.name) continue;
    const files = fixtureFiles.filter((file) => readFixture(file).loss === fixtures.loss);
    it(`${description.name} has fixtures of ${fixtures.loss}`, () => {
      expect(files.length).toBeGreaterThan(0);
    });
    for (const file of files) {
      it(`${description.name} (${fixtures.why ?? ''}): ${file}`, () => {
        const fixture = readFixture(file);
        expectMatches(fixture, () => evaluateLossFixture(fixture, description));
      });
    }
  }
});
