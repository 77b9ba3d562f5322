import { ConfigError, type MethodInfo } from '../../domain';
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

/**
 * A method's step and view plan take its own config type; the registry holds them all under the
 * general one. Safe because every config reaching a method was parsed by that method's schema.
 */
const register = <S extends z.ZodRawShape>(method: MethodDefinition<S>) =>
  method as unknown as MethodDefinition;

/** Every method the workbench offers, by family and then by year: the order of the method cards. */
export const methods: MethodDefinition[] = [
  register(instdisc),
  register(cmc),
  register(invaspread),
  register(cpc),
  register(simclr),
  register(simclrv2),
  register(moco),
  register(mocov2),
  register(mocov3),
  register(swav),
  register(byol),
  register(simsiam),
  register(dino),
  register(supcon),
  register(wcl),
];

export function getMethod(id: string): MethodDefinition {
  const m = methods.find((x) => x.id === id);
  if (!m)
    throw new ConfigError(`unknown method "${id}"; known methods: ${methods.map((x) => x.id).join(', ')}`);
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

/** What `methods --json` and the UI's method cards, forms and metric labels show. */
export function describeMethod(method: MethodDefinition): MethodInfo {
  return {
    id: method.id,
    title: method.title,
    family: method.family,
    idea: method.idea,
    paper: method.paper,
    needsLabels: method.needsLabels ?? false,
    config: z.toJSONSchema(methodSchema(method), { io: 'input' }),
    metrics: method.metrics ?? {},
  };
}
