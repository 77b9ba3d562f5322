import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { evaluateLossFixture } from '../../engine/losses/fixture';
import { UsageError } from '../errors';

/** `check-loss FIXTURE.json`: the fixture's loss, side outputs and gradients from our loss functions. */
export async function checkLossCommand(argv: string[]): Promise<number> {
  const [file] = argv;
  if (!file) throw new UsageError('usage: check-loss FIXTURE.json');
  let fixture: unknown;
  try {
    fixture = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read fixture ${file}: ${(e as Error).message}`);
  }
  await tf.setBackend('cpu');
  const result = evaluateLossFixture(fixture);
  process.stdout.write(JSON.stringify(result) + '\n');
  return 0;
}
