import { z } from 'zod';
import { genericDefaults, sharedConfigShape, type SharedConfig } from './config';
import type { MethodDefinition } from './method';
import { simclr } from './simclr';
import { moco } from './moco';
import { mocov2 } from './mocov2';
import { mocov3 } from './mocov3';
import { byol } from './byol';
import { simsiam } from './simsiam';
import { dino } from './dino';
import { instdisc } from './instdisc';
import { invaspread } from './invaspread';
import { cpc } from './cpc';
import { cmc } from './cmc';
import { swav } from './swav';
import { supcon } from './supcon';
import { wcl } from './wcl';
import { simclrv2 } from './simclrv2';

/** Every method the workbench offers, in the order the method cards show them. */
export const methods: MethodDefinition[] = [
  simclr as unknown as MethodDefinition,
  moco as unknown as MethodDefinition,
  mocov2 as unknown as MethodDefinition,
  mocov3 as unknown as MethodDefinition,
  byol as unknown as MethodDefinition,
  simsiam as unknown as MethodDefinition,
  dino as unknown as MethodDefinition,
  instdisc as unknown as MethodDefinition,
  invaspread as unknown as MethodDefinition,
  cpc as unknown as MethodDefinition,
  cmc as unknown as MethodDefinition,
  swav as unknown as MethodDefinition,
  supcon as unknown as MethodDefinition,
  wcl as unknown as MethodDefinition,
  simclrv2 as unknown as MethodDefinition,
];

export class ConfigError extends Error {}

export function getMethod(id: string): MethodDefinition {
  const m = methods.find((x) => x.id === id);
  if (!m) throw new ConfigError(`unknown method "${id}"; known methods: ${methods.map((x) => x.id).join(', ')}`);
  return m;
}

/** The full config schema of a method: shared fields (with the method's paper defaults) and its own. */
export function methodSchema(method: MethodDefinition) {
  return z.strictObject({
    ...sharedConfigShape({ ...genericDefaults, ...method.sharedDefaults }),
    ...method.fields,
  });
}

export type RunConfig = SharedConfig & Record<string, unknown>;

/**
 * Validates a partial config against the method's schema and fills defaults. Errors name the field,
 * the problem and the allowed range, in one line.
 */
export function resolveConfig(method: MethodDefinition, input: Record<string, unknown>): RunConfig {
  const result = methodSchema(method).safeParse(input);
  if (result.success) return result.data as RunConfig;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    throw new ConfigError(
      `unknown config key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} for method ${method.id}; see \`methods\` for its fields`,
    );
  }
  const key = issue.path.join('.');
  throw new ConfigError(`invalid value for "${key}" (method ${method.id}): ${issue.message}`);
}

/** What `methods --json` and the UI's method cards and forms show. */
export function describeMethod(method: MethodDefinition) {
  return {
    id: method.id,
    title: method.title,
    family: method.family,
    idea: method.idea,
    paper: method.paper,
    needsLabels: method.needsLabels ?? false,
    config: z.toJSONSchema(methodSchema(method), { io: 'input' }),
  };
}
