import { describe, expect, it } from 'vitest';
import { describeMethod, methods } from '../../../src-main/engine/methods';
import { listDatasets } from '../../../src-main/engine/data';
import {
  datasetDescription,
  datasetName,
  fieldHelp,
  methodFieldLabel,
  methodIdea,
  unitText,
} from '../../../src-renderer/src/i18n/method-text';
import { zh } from '../../../src-renderer/src/i18n/zh';
import { zhMethodFieldHelp, zhMethodIdeas } from '../../../src-renderer/src/i18n/zh-methods';

/** Chinese text: at least one CJK ideograph. */
const chinese = /[\u4e00-\u9fff]/;
const described = methods.map(describeMethod);
type Property = { description?: string; unit?: string };
const propertiesOf = (m: (typeof described)[number]) =>
  (m.config as { properties: Record<string, Property> }).properties;

describe('the Chinese UI names and explains every method, field, unit and dataset', () => {
  it('every method has its idea in Chinese', () => {
    for (const m of described) expect(methodIdea(m, 'zh'), m.id).toMatch(chinese);
  });

  it("every method's every field has a Chinese help text and label (a new field fails here)", () => {
    const labels = zh.fields as Record<string, string>;
    for (const m of described) {
      for (const [key, p] of Object.entries(propertiesOf(m))) {
        expect(fieldHelp(m.id, key, p.description ?? '', 'zh'), `${m.id}.${key}`).toMatch(chinese);
        expect(labels[key] ?? methodFieldLabel(key, 'zh'), `label of ${key}`).toMatch(chinese);
        if (p.unit) expect(unitText(p.unit, 'zh'), `unit ${p.unit}`).toMatch(chinese);
      }
    }
  });

  it('translates no method or field that does not exist (a renamed field fails here)', () => {
    const ids = new Set(described.map((m) => m.id));
    expect(Object.keys(zhMethodIdeas).filter((id) => !ids.has(id))).toEqual([]);
    for (const [id, fields] of Object.entries(zhMethodFieldHelp)) {
      expect(ids.has(id), id).toBe(true);
      const keys = Object.keys(propertiesOf(described.find((m) => m.id === id)!));
      expect(
        Object.keys(fields).filter((k) => !keys.includes(k)),
        id,
      ).toEqual([]);
    }
  });

  it('a field means what its method says: the same key has each method’s own text', () => {
    const help = (id: string) =>
      fieldHelp(
        id,
        'temperature',
        String(propertiesOf(described.find((m) => m.id === id)!).temperature!.description),
        'zh',
      );
    expect(help('simclr')).toMatch(/NT-Xent/);
    expect(help('moco')).toMatch(/InfoNCE/);
  });

  it('every dataset has a Chinese description; names that are not proper names are translated', () => {
    for (const d of listDatasets()) {
      expect(datasetDescription(d, 'zh'), d.id).toMatch(chinese);
      if (!/[A-Z0-9]-?[A-Z0-9]/.test(d.name)) expect(datasetName(d, 'zh'), d.id).toMatch(chinese);
    }
    expect(datasetName({ id: 'cifar10', name: 'CIFAR-10' }, 'zh')).toBe('CIFAR-10');
  });

  it('English stays the engine’s English', () => {
    const simclr = described.find((m) => m.id === 'simclr')!;
    expect(methodIdea(simclr, 'en')).toBe(simclr.idea);
    const description = propertiesOf(simclr).temperature!.description!;
    expect(fieldHelp('simclr', 'temperature', description, 'en')).toBe(description);
    expect(unitText('epochs', 'en')).toBe('epochs');
    expect(datasetName({ id: 'synthetic', name: 'Synthetic shapes' }, 'en')).toBe('Synthetic shapes');
    expect(methodFieldLabel('queueSize', 'en')).toBeUndefined();
  });
});
