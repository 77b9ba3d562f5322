import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { describe, expect, it } from 'vitest';

import { LOSS_DESCRIPTIONS, isLossDescription, type LossDescription } from '../../../src-main/engine/losses';
import { sharedDir } from '../../helpers/cli';

const LOSSES_DIR = path.resolve(import.meta.dirname, '../../../src-main/engine/losses');
const FIXTURE_DIR = path.join(sharedDir, 'fixtures/losses');

/** The files of losses/ that hold no loss: shared pieces, the description type, the registry, the evaluator. */
const INFRASTRUCTURE = new Set(['common.ts', 'loss-description.ts', 'registry.ts', 'fixture.ts', 'index.ts']);

interface Fixture {
  file: string;
  loss: string;
  params: Record<string, unknown>;
  inputs: Record<string, unknown>;
  expected: Record<string, unknown> & { grads: Record<string, unknown> };
}

const fixtures: Fixture[] = readdirSync(FIXTURE_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((file) => ({ file, ...(JSON.parse(readFileSync(path.join(FIXTURE_DIR, file), 'utf8')) as object) }))
  .map((f) => f as Fixture);

/** Depth of a nested array, following first elements. */
function rankOf(value: unknown): number {
  let rank = 0;
  for (let v = value; Array.isArray(v); v = v[0]) rank++;
  return rank;
}

function flat(value: unknown): number[] {
  return Array.isArray(value) ? value.flatMap(flat) : [value as number];
}

describe('every loss file is registered', () => {
  const lossFiles = readdirSync(LOSSES_DIR).filter((f) => f.endsWith('.ts') && !INFRASTRUCTURE.has(f));

  const load = async (file: string) =>
    (await import(pathToFileURL(path.join(LOSSES_DIR, file)).href)) as Record<string, unknown>;

  it('finds the loss files, and each registered description in one of them', async () => {
    expect(lossFiles.length).toBeGreaterThan(0);
    const exported = (await Promise.all(lossFiles.map(load))).flatMap((m) =>
      Object.values(m).filter(isLossDescription),
    );
    for (const description of LOSS_DESCRIPTIONS) expect(exported).toContain(description);
  });

  for (const file of lossFiles) {
    it(`${file} exports a description, and each one it exports is in the registry`, async () => {
      const module = await load(file);
      const exported = Object.values(module).filter(isLossDescription);
      expect(exported.length, `${file} exports no defineLoss(...) description`).toBeGreaterThan(0);
      for (const description of exported) {
        expect(
          LOSS_DESCRIPTIONS as readonly LossDescription[],
          `${description.name} is not registered`,
        ).toContain(description);
        // The description names the function its file implements.
        expect(Object.values(module)).toContain(description.fn);
      }
    });
  }

  it('registers each description once, under a unique name', () => {
    const names = LOSS_DESCRIPTIONS.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(LOSS_DESCRIPTIONS).size).toBe(LOSS_DESCRIPTIONS.length);
  });
});

describe('descriptions match the shared fixtures', () => {
  it('every fixture names a registered loss, in its file name too', () => {
    const names = new Set<string>(LOSS_DESCRIPTIONS.map((d) => d.name));
    for (const f of fixtures) {
      expect(names.has(f.loss), `${f.file}: loss ${f.loss} is not registered`).toBe(true);
      expect(f.file.startsWith(`${f.loss}-`), f.file).toBe(true);
    }
  });

  for (const description of LOSS_DESCRIPTIONS as readonly LossDescription[]) {
    const source = description.fixtures;
    if ('none' in source) {
      it(`${description.name} says no shared fixture exists, and none does`, () => {
        expect(source.none).not.toBe('');
        expect(fixtures.filter((f) => f.loss === description.name)).toEqual([]);
      });
      continue;
    }

    it(`${description.name}: inputs, params, side outputs and stopped gradients match the ${source.loss} fixtures`, () => {
      const mine = fixtures.filter((f) => f.loss === source.loss);
      expect(mine.length, `no fixture of ${source.loss}`).toBeGreaterThan(0);
      const declaredParams = Object.keys(description.params.shape).sort();
      const required = description.inputs.filter((i) => !i.optional).map((i) => i.name);
      for (const f of mine) {
        const where = `${description.name} vs ${f.file}`;
        expect(Object.keys(f.params).sort(), `${where}: params`).toEqual(declaredParams);
        for (const name of required) expect(f.inputs, `${where}: inputs.${name}`).toHaveProperty(name);
        for (const [name, value] of Object.entries(f.inputs)) {
          const input = description.inputs.find((i) => i.name === name);
          expect(input, `${where}: inputs.${name} is not declared`).toBeDefined();
          expect(rankOf(value), `${where}: rank of inputs.${name}`).toBe(input!.dims.length);
          if (input!.int) expect(flat(value).every(Number.isInteger), `${where}: ${name} is int`).toBe(true);
        }
        const given = description.inputs.filter((i) => i.name in f.inputs);
        expect(Object.keys(f.expected).sort(), `${where}: outputs`).toEqual(
          ['loss', 'grads', ...description.sideOutputs].sort(),
        );
        expect(Object.keys(f.expected.grads).sort(), `${where}: gradients`).toEqual(
          given
            .filter((i) => !i.int)
            .map((i) => i.name)
            .sort(),
        );
        // An input is listed as stop-gradient exactly when the reference gradient there is all zeros.
        for (const name of Object.keys(f.expected.grads)) {
          const zero = flat(f.expected.grads[name]).every((g) => g === 0);
          expect(zero, `${where}: grads.${name} all zero`).toBe(description.stopGradient.includes(name));
        }
      }
    });
  }
});
