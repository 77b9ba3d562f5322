import { UsageError } from './errors';

/**
 * Every field of a method's config as a `train` flag, read from the same JSON Schema the run form is built
 * from (MethodInfo.config): `batchSize` is `--batch-size N`, with its default, range and description.
 */
export interface FieldFlag {
  /** The config key (`batchSize`), also accepted as a flag of that spelling. */
  key: string;
  /** The flag without its dashes (`batch-size`). */
  flag: string;
  kind: 'integer' | 'number' | 'boolean' | 'enum' | 'json';
  group: string;
  description: string;
  unit?: string;
  default: unknown;
  options?: readonly (string | number)[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** `projectionHiddenDim` → `projection-hidden-dim`. */
export function flagName(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

type SchemaProperty = Record<string, unknown>;
const numberOr = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

function kindOf(p: SchemaProperty): FieldFlag['kind'] {
  if (Array.isArray(p.enum)) return 'enum';
  if (p.type === 'integer' || p.type === 'number' || p.type === 'boolean') return p.type;
  return 'json';
}

/** The fields of a config schema as flags, except those whose flag another option of `train` has. */
export function fieldFlags(schema: Record<string, unknown>, taken: ReadonlySet<string>): FieldFlag[] {
  const properties = (schema.properties ?? {}) as Record<string, SchemaProperty>;
  return Object.entries(properties)
    .map(([key, p]): FieldFlag => {
      const flag: FieldFlag = {
        key,
        flag: flagName(key),
        kind: kindOf(p),
        group: typeof p.group === 'string' ? p.group : 'method',
        description: typeof p.description === 'string' ? p.description : '',
        default: p.default,
        minimum: numberOr(p.minimum),
        maximum: numberOr(p.maximum),
        exclusiveMinimum: numberOr(p.exclusiveMinimum),
        exclusiveMaximum: numberOr(p.exclusiveMaximum),
      };
      if (typeof p.unit === 'string') flag.unit = p.unit;
      if (Array.isArray(p.enum)) flag.options = p.enum as (string | number)[];
      return flag;
    })
    .filter((f) => !taken.has(f.flag) && !taken.has(f.key));
}

/** The `parseArgs` options of the fields: both spellings take a value. */
export function fieldOptions(fields: readonly FieldFlag[]): Record<string, { type: 'string' }> {
  const out: Record<string, { type: 'string' }> = {};
  for (const f of fields) {
    out[f.flag] = { type: 'string' };
    out[f.key] = { type: 'string' };
  }
  return out;
}

/** The allowed range, as a person writes it: `0–1`, `> 0, ≤ 100`, `≥ 2`. */
export function rangeOf(f: FieldFlag): string {
  const low =
    f.minimum !== undefined
      ? { n: f.minimum, open: false }
      : f.exclusiveMinimum !== undefined
        ? { n: f.exclusiveMinimum, open: true }
        : null;
  const high =
    f.maximum !== undefined
      ? { n: f.maximum, open: false }
      : f.exclusiveMaximum !== undefined
        ? { n: f.exclusiveMaximum, open: true }
        : null;
  if (low && high && !low.open && !high.open) return `${low.n}–${high.n}`;
  const parts: string[] = [];
  if (low) parts.push(`${low.open ? '>' : '≥'} ${low.n}`);
  if (high) parts.push(`${high.open ? '<' : '≤'} ${high.n}`);
  return parts.join(', ');
}

/** The value a field's flag was given, of the field's type; bad input is one line naming the flag. */
export function fieldValue(f: FieldFlag, raw: string, spelled = `--${f.flag}`): unknown {
  const text = raw.trim();
  switch (f.kind) {
    case 'boolean':
      if (text === 'true' || text === 'false') return text === 'true';
      throw new UsageError(`${spelled} must be true or false, got "${raw}"`);
    case 'enum': {
      const option = f.options?.find((o) => String(o) === text);
      if (option === undefined)
        throw new UsageError(`${spelled} must be one of ${f.options?.join(', ')}; got "${raw}"`);
      return option;
    }
    case 'json':
      try {
        return JSON.parse(text);
      } catch {
        return raw;
      }
    case 'integer':
    case 'number': {
      const n = text === '' ? NaN : Number(text);
      const whole = f.kind === 'integer';
      if (!Number.isFinite(n) || (whole && !Number.isInteger(n)))
        throw new UsageError(`${spelled} must be ${whole ? 'an integer' : 'a number'}, got "${raw}"`);
      // The range is the method's schema's to judge, as for --set and the form: one rule, one message.
      return n;
    }
  }
}

/**
 * The config fields given as flags, by key. A field given under both spellings is an error rather than
 * a silent choice.
 */
export function fieldValues(
  fields: readonly FieldFlag[],
  values: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const f of fields) {
    const dashed = values[f.flag];
    const named = f.flag === f.key ? undefined : values[f.key];
    if (typeof dashed === 'string' && typeof named === 'string')
      throw new UsageError(`--${f.flag} and --${f.key} are the same setting; give it once`);
    if (typeof dashed === 'string') config[f.key] = fieldValue(f, dashed);
    else if (typeof named === 'string') config[f.key] = fieldValue(f, named, `--${f.key}`);
  }
  return config;
}

const groupTitles: Record<string, string> = {
  model: 'model',
  optimisation: 'optimisation',
  augmentation: 'augmentation',
  evaluation: 'evaluation',
  method: 'the method',
};

function placeholder(f: FieldFlag): string {
  switch (f.kind) {
    case 'integer':
      return 'N';
    case 'number':
      return 'X';
    case 'boolean':
      return 'true|false';
    case 'enum':
      return (f.options ?? []).length <= 4 ? (f.options ?? []).join('|') : 'ID';
    case 'json':
      return 'JSON';
  }
}

/** Words of `text` in lines of at most `width` characters. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The fields' help, grouped as the run form groups them: each flag with its value, then what it does,
 * its default (the method's paper default), unit and range.
 */
export function fieldFlagsHelp(fields: readonly FieldFlag[]): string {
  const column = 25;
  const out: string[] = [];
  for (const group of Object.keys(groupTitles)) {
    const inGroup = fields.filter((f) => (groupTitles[f.group] ? f.group : 'method') === group);
    if (inGroup.length === 0) continue;
    out.push(` ${groupTitles[group]}`);
    for (const f of inGroup) {
      const head = `  --${f.flag} ${placeholder(f)}`;
      const facts = [`default ${typeof f.default === 'string' ? f.default : JSON.stringify(f.default)}`];
      if (f.unit) facts.push(f.unit);
      const range = rangeOf(f);
      if (range) facts.push(range);
      if (f.kind === 'enum' && (f.options ?? []).length > 4) facts.push(`one of ${f.options!.join(', ')}`);
      const text = wrap(`${f.description} (${facts.join('; ')})`, 100 - column);
      const first = head.length < column ? `${head.padEnd(column)}${text.shift() ?? ''}` : head;
      out.push(first, ...text.map((l) => `${''.padEnd(column)}${l}`));
    }
  }
  return out.join('\n') + '\n';
}
