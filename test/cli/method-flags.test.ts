import { describe, expect, it } from 'vitest';
import { describeMethod, methods } from '../../src-main/engine/methods';
import {
  fieldFlags,
  fieldFlagsHelp,
  fieldValue,
  fieldValues,
  flagName,
} from '../../src-main/cli/method-flags';

describe('method fields as train flags', () => {
  it('every field of every method has a flag, listed in its help with its default', () => {
    for (const method of methods) {
      const schema = describeMethod(method).config;
      const keys = Object.keys((schema as { properties: Record<string, unknown> }).properties);
      const flags = fieldFlags(schema, new Set(['method', 'dataset', 'name', 'tag', 'set', 'config', 'db']));
      expect(
        flags.map((f) => f.key),
        method.id,
      ).toEqual(keys);
      const help = fieldFlagsHelp(flags);
      for (const f of flags) expect(help, `${method.id} ${f.key}`).toMatch(new RegExp(`\\n  --${f.flag} `));
    }
  });

  it('names flags in kebab case and leaves out a field whose flag is taken', () => {
    expect(flagName('projectionHiddenDim')).toBe('projection-hidden-dim');
    expect(flagName('knnK')).toBe('knn-k');
    const schema = { properties: { name: { type: 'string' }, lr: { type: 'number', default: 0.5 } } };
    expect(fieldFlags(schema, new Set(['name'])).map((f) => f.key)).toEqual(['lr']);
  });

  it('reads values of the field type and refuses others in one line naming the flag', () => {
    const simclr = describeMethod(methods.find((m) => m.id === 'simclr')!).config;
    const flags = fieldFlags(simclr, new Set());
    const byKey = (key: string) => flags.find((f) => f.key === key)!;
    expect(fieldValue(byKey('temperature'), '0.2')).toBe(0.2);
    expect(fieldValue(byKey('linearProbe'), 'false')).toBe(false);
    expect(fieldValue(byKey('optimizer'), 'lars')).toBe('lars');
    expect(() => fieldValue(byKey('temperature'), 'warm')).toThrow(
      '--temperature must be a number, got "warm"',
    );
    expect(() => fieldValue(byKey('temperature'), '')).toThrow('--temperature must be a number');
    expect(() => fieldValue(byKey('width'), '8.5')).toThrow('--width must be an integer, got "8.5"');
    expect(() => fieldValue(byKey('epochs'), 'many')).toThrow('--epochs must be an integer, got "many"');
    expect(() => fieldValue(byKey('linearProbe'), 'yes')).toThrow(
      '--linear-probe must be true or false, got "yes"',
    );
    expect(() => fieldValue(byKey('optimizer'), 'adam')).toThrow(
      '--optimizer must be one of sgd, lars, adamw; got "adam"',
    );
    expect(fieldValues(flags, { 'batch-size': '64', knnK: '5' })).toEqual({ batchSize: 64, knnK: 5 });
    expect(() => fieldValues(flags, { 'batch-size': '64', batchSize: '32' })).toThrow(
      '--batch-size and --batchSize are the same setting; give it once',
    );
  });
});
