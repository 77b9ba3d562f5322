import '@tensorflow/tfjs-backend-cpu';

import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';

import { LOSS_NAMES, evaluateLossFixture, lossDescription } from '../../../src-main/engine/losses';
import { byolLoss } from '../../../src-main/engine/losses/byol';
import { cmcLoss } from '../../../src-main/engine/losses/cmc';
import { l2Normalize, stopGradient } from '../../../src-main/engine/losses/common';
import { cpcInfoNceLoss } from '../../../src-main/engine/losses/cpc_infonce';
import { dinoLoss } from '../../../src-main/engine/losses/dino';
import { infoNceQueueLoss } from '../../../src-main/engine/losses/infonce_queue';
import { instDiscNceLoss } from '../../../src-main/engine/losses/instdisc_nce';
import { invaSpreadLoss } from '../../../src-main/engine/losses/invaspread';
import { mocoV3Loss } from '../../../src-main/engine/losses/mocov3';
import { ntXentLoss } from '../../../src-main/engine/losses/nt_xent';
import { simSiamLoss } from '../../../src-main/engine/losses/simsiam';
import { supConLoss } from '../../../src-main/engine/losses/supcon';
import { sinkhornKnopp, swavLoss } from '../../../src-main/engine/losses/swav';
import { wclLoss, wclWeakLabels } from '../../../src-main/engine/losses/wcl';
import { Rng } from '../../../src-main/engine/util/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function randn(rng: Rng, ...shape: number[]): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Array.from({ length: size }, () => rng.normal()),
    shape,
  );
}
const m2 = (rng: Rng, n: number, d: number) => randn(rng, n, d) as tf.Tensor2D;

function value(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);
}

function allFinite(t: tf.Tensor): boolean {
  return t.dataSync().every(Number.isFinite);
}

/** Gradients of f w.r.t. xs, as tensors the caller disposes. */
function gradsOf(f: (...xs: tf.Tensor[]) => tf.Scalar, xs: tf.Tensor[]): tf.Tensor[] {
  return tf.grads(f)(xs);
}

/** The functionals of shared/fixtures/losses/README.md. */
const README_FUNCTIONALS = [
  'nt_xent',
  'infonce_queue',
  'mocov3',
  'byol',
  'simsiam',
  'swav',
  'dino',
  'supcon',
  'instdisc_nce',
  'invaspread',
  'cmc',
  'cpc_infonce',
  'wcl',
];

describe('registry', () => {
  it('lists every functional of the fixture README, and every loss exactly once', () => {
    expect(new Set(LOSS_NAMES).size).toBe(LOSS_NAMES.length);
    for (const name of README_FUNCTIONALS) expect(LOSS_NAMES).toContain(name);
    for (const name of LOSS_NAMES) expect(lossDescription(name).name).toBe(name);
  });
});

describe('stopGradient', () => {
  it('is the identity forward and zero backward', () => {
    const x = tf.tensor2d([
      [1, -2],
      [3, 4],
    ]);
    expect(Array.from(stopGradient(x).dataSync())).toEqual([1, -2, 3, 4]);
    const [g] = gradsOf((a) => tf.sum(tf.mul(stopGradient(a), a)) as tf.Scalar, [x]);
    // d/dx Σ sg(x)·x = sg(x) = x, and nothing through the stopped factor.
    expect(Array.from(g.dataSync())).toEqual([1, -2, 3, 4]);
  });
});

describe('stop-gradients of the methods', () => {
  const rng = new Rng(7);
  const n = 6;
  const d = 5;

  it('MoCo: no gradient into keys or queue', () => {
    const queue = l2Normalize(m2(rng, 20, d));
    const [gq, gk, gQueue] = gradsOf(
      (q, k, qu) => infoNceQueueLoss(q as tf.Tensor2D, k as tf.Tensor2D, qu as tf.Tensor2D, 0.2),
      [m2(rng, n, d), m2(rng, n, d), queue],
    );
    expect(maxAbs(gq)).toBeGreaterThan(0);
    expect(maxAbs(gk)).toBe(0);
    expect(maxAbs(gQueue)).toBe(0);
  });

  it('BYOL, SimSiam, MoCo v3: no gradient into targets / momentum keys', () => {
    const xs = [m2(rng, n, d), m2(rng, n, d), m2(rng, n, d), m2(rng, n, d)];
    for (const loss of [
      (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, e: tf.Tensor) =>
        byolLoss(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D, e as tf.Tensor2D),
      (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, e: tf.Tensor) =>
        simSiamLoss(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D, e as tf.Tensor2D),
      (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, e: tf.Tensor) =>
        mocoV3Loss(a as tf.Tensor2D, b as tf.Tensor2D, c as tf.Tensor2D, e as tf.Tensor2D, 0.2),
    ]) {
      const [g1, g2, g3, g4] = gradsOf(loss, xs);
      expect(maxAbs(g1)).toBeGreaterThan(0);
      expect(maxAbs(g2)).toBeGreaterThan(0);
      expect(maxAbs(g3)).toBe(0);
      expect(maxAbs(g4)).toBe(0);
    }
  });

  it('DINO: no gradient into teacher or centre', () => {
    const opts = { studentTemperature: 0.1, teacherTemperature: 0.04, centerMomentum: 0.9 };
    const [gs, gt, gc] = gradsOf(
      (s, t, c) => dinoLoss(s as tf.Tensor3D, t as tf.Tensor3D, c as tf.Tensor1D, opts).loss,
      [randn(rng, 3, n, 4), randn(rng, 2, n, 4), randn(rng, 4)],
    );
    expect(maxAbs(gs)).toBeGreaterThan(0);
    expect(maxAbs(gt)).toBe(0);
    expect(maxAbs(gc)).toBe(0);
  });

  it('InstDisc: no gradient into the memory bank', () => {
    const bank = l2Normalize(m2(rng, 30, d));
    const index = tf.tensor1d([0, 3, 5, 7, 9, 11], 'int32');
    const noise = tf.tensor2d(
      Array.from({ length: n }, () => Array.from({ length: 4 }, () => rng.int(30))),
      undefined,
      'int32',
    );
    const opts = { temperature: 0.07, z: 10, proximalLambda: 5, bankMomentum: 0.5 };
    const [gv, gb] = gradsOf(
      (v, b) => instDiscNceLoss(v as tf.Tensor2D, b as tf.Tensor2D, index, noise, opts).loss,
      [m2(rng, n, d), bank],
    );
    expect(maxAbs(gv)).toBeGreaterThan(0);
    expect(maxAbs(gb)).toBe(0);
  });

  it('InvaSpread: gradient flows only through the anchor side of each inner product', () => {
    const f = m2(rng, n, d);
    const fAug = m2(rng, n, d);
    const [gf] = gradsOf((a, b) => invaSpreadLoss(a as tf.Tensor2D, b as tf.Tensor2D, 0.5), [f, fAug]);
    expect(maxAbs(gf)).toBeGreaterThan(0);
    // Finite-difference derivative of the loss value must NOT match the anchor-only gradient.
    const eps = 1e-2;
    const bump = tf.tensor2d(
      Array.from({ length: n }, (_, i) =>
        Array.from({ length: d }, (_, j) => (i === 0 && j === 0 ? eps : 0)),
      ),
    );
    const up = value(invaSpreadLoss(tf.add(f, bump) as tf.Tensor2D, fAug, 0.5));
    const down = value(invaSpreadLoss(tf.sub(f, bump) as tf.Tensor2D, fAug, 0.5));
    const numeric = (up - down) / (2 * eps);
    expect(Math.abs(numeric - gf.dataSync()[0])).toBeGreaterThan(1e-3);
  });
});

describe('numerical safety', () => {
  const rng = new Rng(11);
  const n = 5;
  const d = 4;

  it('losses and gradients stay finite for identical views and small temperatures', () => {
    const z = m2(rng, n, d);
    const checks: [string, (x: tf.Tensor) => tf.Scalar][] = [
      ['nt_xent', (x) => ntXentLoss(x as tf.Tensor2D, x as tf.Tensor2D, 0.01)],
      ['cmc', (x) => cmcLoss(x as tf.Tensor2D, x as tf.Tensor2D, 0.01)],
      [
        'mocov3',
        (x) => mocoV3Loss(x as tf.Tensor2D, x as tf.Tensor2D, x as tf.Tensor2D, x as tf.Tensor2D, 0.01),
      ],
      ['byol', (x) => byolLoss(x as tf.Tensor2D, x as tf.Tensor2D, x as tf.Tensor2D, x as tf.Tensor2D)],
      ['simsiam', (x) => simSiamLoss(x as tf.Tensor2D, x as tf.Tensor2D, x as tf.Tensor2D, x as tf.Tensor2D)],
      ['invaspread', (x) => invaSpreadLoss(x as tf.Tensor2D, x as tf.Tensor2D, 0.01)],
      ['cpc_infonce', (x) => cpcInfoNceLoss(x as tf.Tensor2D, x as tf.Tensor2D)],
      ['supcon', (x) => supConLoss(tf.stack([x, x], 1) as tf.Tensor3D, [0, 1, 0, 1, 2], 0.01, 0.07)],
      [
        'swav',
        (x) =>
          swavLoss(tf.stack([x, x, x]) as tf.Tensor3D, x as tf.Tensor2D, {
            temperature: 0.01,
            epsilon: 0.001,
            sinkhornIterations: 5,
          }),
      ],
      [
        'wcl',
        (x) => wclLoss(x as tf.Tensor2D, x as tf.Tensor2D, x as tf.Tensor2D, x as tf.Tensor2D, 0.01, 1).loss,
      ],
    ];
    for (const [name, loss] of checks) {
      const { value: v, grad } = tf.valueAndGrad(loss)(z);
      expect(Number.isFinite(v.dataSync()[0]), name).toBe(true);
      expect(allFinite(grad), name).toBe(true);
    }
  });

  it('handles an all-zero embedding row without NaN', () => {
    const z = tf.concat([tf.zeros([1, d]), m2(rng, n - 1, d)]) as tf.Tensor2D;
    const { value: v, grad } = tf.valueAndGrad((x) => ntXentLoss(x as tf.Tensor2D, m2(rng, n, d), 0.1))(z);
    expect(Number.isFinite(v.dataSync()[0])).toBe(true);
    expect(allFinite(grad)).toBe(true);
  });

  it('BYOL is 0 and SimSiam is −1 when predictions equal targets', () => {
    const z = m2(rng, n, d);
    expect(value(byolLoss(z, z, z, z))).toBeCloseTo(0, 5);
    expect(value(simSiamLoss(z, z, z, z))).toBeCloseTo(-1, 5);
  });

  it('log-domain Sinkhorn codes are distributions with balanced prototypes even for tiny ε', () => {
    const scores = tf.tidy(() =>
      tf.matMul(l2Normalize(m2(rng, 12, d)), l2Normalize(m2(rng, 4, d)), false, true),
    );
    for (const eps of [0.05, 0.001]) {
      const q = sinkhornKnopp(scores as tf.Tensor2D, eps, 500);
      expect(allFinite(q)).toBe(true);
      const rows = tf.sum(q, 1).dataSync();
      const cols = tf.sum(q, 0).dataSync();
      rows.forEach((r) => expect(r).toBeCloseTo(1, 4));
      // Equipartition: each of the K=4 prototypes gets N/K = 3 samples' worth of mass. (At ε = 0.001 the
      // codes are nearly hard and Sinkhorn needs far more iterations; there we only ask for finite values.)
      if (eps >= 0.05) cols.forEach((c) => expect(c).toBeCloseTo(3, 2));
    }
  });

  it('does not leak tensors', () => {
    const z1 = m2(rng, n, d);
    const z2 = m2(rng, n, d);
    const before = tf.memory().numTensors;
    const loss = ntXentLoss(z1, z2, 0.5);
    const r = wclLoss(z1, z2, z1, z2, 0.5, 1);
    expect(tf.memory().numTensors).toBe(before + 1 + 3);
    tf.dispose([loss, r.loss, r.instanceLoss, r.swapLoss]);
  });
});

describe('symmetries', () => {
  const rng = new Rng(3);
  const n = 6;
  const d = 5;
  const perm = [3, 0, 5, 1, 4, 2];
  const permute = (x: tf.Tensor) => tf.gather(x, perm);

  it('NT-Xent and CMC are symmetric in the two views', () => {
    const a = m2(rng, n, d);
    const b = m2(rng, n, d);
    expect(value(ntXentLoss(a, b, 0.3))).toBeCloseTo(value(ntXentLoss(b, a, 0.3)), 5);
    expect(value(cmcLoss(a, b, 0.3))).toBeCloseTo(value(cmcLoss(b, a, 0.3)), 5);
    expect(value(invaSpreadLoss(a, b, 0.3))).toBeCloseTo(value(invaSpreadLoss(b, a, 0.3)), 5);
  });

  it('in-batch losses are invariant to permuting the batch', () => {
    const a = m2(rng, n, d);
    const b = m2(rng, n, d);
    const pa = permute(a) as tf.Tensor2D;
    const pb = permute(b) as tf.Tensor2D;
    expect(value(ntXentLoss(pa, pb, 0.3))).toBeCloseTo(value(ntXentLoss(a, b, 0.3)), 5);
    expect(value(cmcLoss(pa, pb, 0.3))).toBeCloseTo(value(cmcLoss(a, b, 0.3)), 5);
    expect(value(cpcInfoNceLoss(pa, pb))).toBeCloseTo(value(cpcInfoNceLoss(a, b)), 4);
    expect(value(mocoV3Loss(pa, pb, pb, pa, 0.3))).toBeCloseTo(value(mocoV3Loss(a, b, b, a, 0.3)), 5);
    const labels = [0, 1, 0, 2, 1, 2];
    const features = tf.stack([a, b], 1) as tf.Tensor3D;
    expect(
      value(
        supConLoss(
          permute(features) as tf.Tensor3D,
          perm.map((i) => labels[i]),
          0.1,
          0.07,
        ),
      ),
    ).toBeCloseTo(value(supConLoss(features, labels, 0.1, 0.07)), 4);
  });

  it('normalised losses ignore the scale of the embeddings; CPC does not', () => {
    const a = m2(rng, n, d);
    const b = m2(rng, n, d);
    const a3 = tf.mul(a, 3) as tf.Tensor2D;
    expect(value(ntXentLoss(a3, b, 0.3))).toBeCloseTo(value(ntXentLoss(a, b, 0.3)), 5);
    expect(value(byolLoss(a3, b, b, a))).toBeCloseTo(value(byolLoss(a, b, b, a)), 5);
    expect(Math.abs(value(cpcInfoNceLoss(a3, b)) - value(cpcInfoNceLoss(a, b)))).toBeGreaterThan(1e-3);
  });

  it('BYOL and SimSiam are symmetric under swapping the two views', () => {
    const [p1, p2, z1, z2] = [m2(rng, n, d), m2(rng, n, d), m2(rng, n, d), m2(rng, n, d)];
    expect(value(byolLoss(p1, p2, z1, z2))).toBeCloseTo(value(byolLoss(p2, p1, z2, z1)), 5);
    expect(value(simSiamLoss(p1, p2, z1, z2))).toBeCloseTo(value(simSiamLoss(p2, p1, z2, z1)), 5);
  });
});

describe('side outputs', () => {
  it('DINO centre update is the EMA of the teacher batch mean', () => {
    const teacher = tf.tensor3d([[[1, 2]], [[3, 6]]]); // mean over rows = [2, 4]
    const student = tf.zeros([2, 1, 2]) as tf.Tensor3D;
    const center = tf.tensor1d([10, 20]);
    const opts = { studentTemperature: 0.1, teacherTemperature: 0.04 };
    const r = dinoLoss(student, teacher, center, { ...opts, centerMomentum: 0.75 });
    const expected = [0.75 * 10 + 0.25 * 2, 0.75 * 20 + 0.25 * 4];
    Array.from(r.newCenter.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    // A uniform student against any teacher costs exactly log K.
    expect(r.loss.dataSync()[0]).toBeCloseTo(Math.log(2), 5);
  });

  it('WCL weak labels are connected components of the 1-NN graph, named by their smallest index', () => {
    // Two tight clusters on different axes; 1-NN never crosses clusters.
    const v = tf.tensor2d([
      [0, 1, 0.01],
      [1, 0, 0.02],
      [0, 1, 0.03],
      [1, 0, -0.01],
      [0, 1, -0.05],
      [1, 0.1, 0],
    ]);
    expect(Array.from(wclWeakLabels(v))).toEqual([0, 1, 0, 1, 0, 1]);
    // A chain 0–1, 2–3 where 1-NN links are mutual pairs: two components.
    const pairs = tf.tensor2d([
      [1, 0],
      [0.99, 0.14],
      [-1, 0],
      [-0.99, 0.14],
    ]);
    expect(Array.from(wclWeakLabels(pairs))).toEqual([0, 0, 2, 2]);
  });

  it('InstDisc bank update is normalised and mixes old row and embedding', () => {
    const bank = tf.tensor2d([
      [1, 0],
      [0, 1],
    ]);
    const v = tf.tensor2d([[0, 5]]);
    const r = instDiscNceLoss(v, bank, tf.tensor1d([0], 'int32'), tf.tensor2d([[1]], undefined, 'int32'), {
      temperature: 0.1,
      z: 1,
      proximalLambda: 0,
      bankMomentum: 0.5,
    });
    const row = Array.from(r.updatedBankRows.dataSync());
    expect(row[0]).toBeCloseTo(Math.SQRT1_2, 5);
    expect(row[1]).toBeCloseTo(Math.SQRT1_2, 5);
  });
});

describe('evaluateLossFixture validation', () => {
  const z = [
    [1, 2],
    [3, 4],
  ];

  it('rejects an unknown loss by name', () => {
    expect(() => evaluateLossFixture({ loss: 'nope', params: {}, inputs: {} })).toThrow(
      /Unknown loss "nope"/,
    );
  });

  it('rejects a non-object fixture', () => {
    expect(() => evaluateLossFixture(42)).toThrow(/Invalid loss fixture/);
  });

  it('names a missing or invalid parameter', () => {
    expect(() => evaluateLossFixture({ loss: 'nt_xent', params: {}, inputs: { z1: z, z2: z } })).toThrow(
      /params\.temperature/,
    );
    expect(() =>
      evaluateLossFixture({ loss: 'nt_xent', params: { temperature: -1 }, inputs: { z1: z, z2: z } }),
    ).toThrow(/params\.temperature/);
  });

  it('names a missing input', () => {
    expect(() =>
      evaluateLossFixture({ loss: 'nt_xent', params: { temperature: 0.5 }, inputs: { z1: z } }),
    ).toThrow(/missing inputs\.z2/);
  });

  it('names inputs with wrong rank, ragged rows or mismatched shapes', () => {
    const p = { temperature: 0.5 };
    expect(() => evaluateLossFixture({ loss: 'nt_xent', params: p, inputs: { z1: [1, 2], z2: z } })).toThrow(
      /inputs\.z1/,
    );
    expect(() =>
      evaluateLossFixture({ loss: 'nt_xent', params: p, inputs: { z1: [[1, 2], [3]], z2: z } }),
    ).toThrow(/inputs\.z1 is not rectangular/);
    expect(() =>
      evaluateLossFixture({ loss: 'nt_xent', params: p, inputs: { z1: z, z2: [[1, 2, 3]] } }),
    ).toThrow(/inputs\.z2 has shape \[1, 3\]/);
  });

  it('requires integer, in-range indices', () => {
    const base = {
      loss: 'instdisc_nce',
      params: { temperature: 0.1, z: 1, proximal_lambda: 0, bank_momentum: 0.5 },
    };
    const inputs = { v: z, bank: z, index: [0, 1], noise_index: [[1], [0]] };
    expect(() => evaluateLossFixture({ ...base, inputs: { ...inputs, index: [0, 1.5] } })).toThrow(
      /inputs\.index/,
    );
    expect(() => evaluateLossFixture({ ...base, inputs: { ...inputs, noise_index: [[1], [2]] } })).toThrow(
      /noise_index.*outside \[0, 2\)/,
    );
    expect(() => evaluateLossFixture({ ...base, inputs })).not.toThrow();
  });
});
