import fs from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { evaluateLossFixture } from '../../engine/losses/fixture';
import { LOSS_NAMES } from '../../engine/losses/registry';
import { UsageError } from '../errors';

const help = `usage: contrastlab check-loss FIXTURE.json

  Computes a loss fixture (see ../shared/fixtures/losses/README.md) with ContrastLab's own loss
  functions and prints one JSON object: the loss, its side outputs and the gradient of every
  floating-point input, keyed like the fixture's "expected".

  Losses: ${LOSS_NAMES.join(', ')}
`;

/** `check-loss FIXTURE.json`: the fixture's loss, side outputs and gradients from our loss functions. */
export async function checkLossCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError('check-loss takes one fixture file (see `check-loss --help`)');
  const file = positionals[0]!;
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
