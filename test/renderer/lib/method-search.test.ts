import { describe, expect, it } from 'vitest';
import type { MethodInfo } from '../../../src-main/domain';
import { methodMatches } from '../../../src-renderer/src/lib/method-search';

function method(
  id: string,
  title: string,
  family: MethodInfo['family'],
  year: number,
  paper: string,
): MethodInfo {
  return {
    id,
    title,
    family,
    idea: `${title}'s idea`,
    paper: { title: paper, authors: 'He, Fan, Wu, Xie, Girshick', year, url: 'https://arxiv.org' },
    needsLabels: false,
    config: {},
    metrics: {},
  };
}

const moco = method(
  'moco',
  'MoCo v2',
  'momentum-encoder',
  2020,
  'Improved Baselines with Momentum Contrastive Learning',
);
const simclr = method('simclr', 'SimCLR', 'end-to-end', 2020, 'A Simple Framework for Contrastive Learning');
const dino = method(
  'dino',
  'DINO',
  'distillation',
  2021,
  'Emerging Properties in Self-Supervised Vision Transformers',
);
const all = [moco, simclr, dino];
const found = (query: string, extra: (m: MethodInfo) => string[] = () => []) =>
  all.filter((m) => methodMatches(m, query, extra(m))).map((m) => m.id);

describe('the method search', () => {
  it('finds by name, paper title, year and family, any case, every word anywhere', () => {
    expect(found('simclr')).toEqual(['simclr']);
    expect(found('vision TRANSFORMERS')).toEqual(['dino']);
    expect(found('2020')).toEqual(['moco', 'simclr']);
    expect(found('momentum encoder')).toEqual(['moco']);
    expect(found('end-to-end')).toEqual(['simclr']);
    expect(found('2021 distillation')).toEqual(['dino']);
    expect(found('2021 simclr')).toEqual([]);
  });

  it('an empty query finds every method', () => {
    expect(found('  ')).toEqual(['moco', 'simclr', 'dino']);
  });

  it('finds by the words the caller adds (a family’s translated name)', () => {
    expect(found('动量', (m) => (m.family === 'momentum-encoder' ? ['动量编码器'] : []))).toEqual(['moco']);
  });
});
