/**
 * Reads a method's JSON Schema (MethodInfo.config) into form fields and validates what the user types,
 * with the same bounds the engine checks (the engine validates again on createRun).
 */

export const fieldGroups = [
  'model',
  'optimisation',
  'augmentation',
  'evaluation',
  'method',
  'other',
] as const;
export type FieldGroup = (typeof fieldGroups)[number];

export type FieldKind = 'integer' | 'number' | 'enum' | 'boolean' | 'string' | 'json';

export interface FieldSpec {
  key: string;
  kind: FieldKind;
  group: FieldGroup;
  description: string;
  unit?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  options?: (string | number)[];
  /** Shown only while these fields' inputs have these values (the schema's `shownWhen`). */
  shownWhen?: Record<string, string>;
}

/** A validation problem, as an i18n key and its parameters. */
export interface FieldError {
  code: 'required' | 'notNumber' | 'notInteger' | 'min' | 'max' | 'gt' | 'lt' | 'notOption' | 'notJson';
  params?: Record<string, string | number>;
}

export type FieldValue = string | boolean;

type Schema = Record<string, unknown>;

const asNumber = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

function kindOf(prop: Schema): FieldKind {
  if (Array.isArray(prop.enum)) return 'enum';
  switch (prop.type) {
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    default:
      return 'json';
  }
}

export function fieldsOf(schema: Record<string, unknown>): FieldSpec[] {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  return Object.entries(properties).map(([key, prop]) => {
    const group = fieldGroups.includes(prop.group as FieldGroup) ? (prop.group as FieldGroup) : 'other';
    const spec: FieldSpec = {
      key,
      kind: kindOf(prop),
      group,
      description: typeof prop.description === 'string' ? prop.description : '',
      default: prop.default,
    };
    if (typeof prop.unit === 'string') spec.unit = prop.unit;
    const bounds = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const;
    for (const b of bounds) {
      const n = asNumber(prop[b]);
      if (n !== undefined) spec[b] = n;
    }
    if (Array.isArray(prop.enum)) spec.options = prop.enum as (string | number)[];
    if (prop.shownWhen && typeof prop.shownWhen === 'object') {
      spec.shownWhen = prop.shownWhen as Record<string, string>;
    }
    return spec;
  });
}

/** Whether the form shows a field, given the inputs of the others. */
export function isShown(spec: FieldSpec, inputs: Record<string, FieldValue>): boolean {
  return Object.entries(spec.shownWhen ?? {}).every(([key, value]) => String(inputs[key]) === value);
}

/** The text a field's input shows for a value. */
export function toInput(spec: FieldSpec, value: unknown): FieldValue {
  if (spec.kind === 'boolean') return value === true;
  if (value === undefined || value === null) return '';
  if (spec.kind === 'json') return JSON.stringify(value);
  return String(value);
}

export interface Parsed {
  value?: unknown;
  error?: FieldError;
}

/** Parses and checks one input against its field. */
export function parseField(spec: FieldSpec, input: FieldValue): Parsed {
  if (spec.kind === 'boolean') return { value: input === true };
  const text = String(input).trim();
  if (spec.kind === 'enum') {
    const option = spec.options?.find((o) => String(o) === text);
    return option === undefined ? { error: { code: 'notOption' } } : { value: option };
  }
  if (spec.kind === 'string') return { value: text };
  if (text === '') return { error: { code: 'required' } };
  if (spec.kind === 'json') {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch {
      return { error: { code: 'notJson' } };
    }
  }
  const value = Number(text);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) || !Number.isFinite(value)) {
    return { error: { code: 'notNumber' } };
  }
  if (spec.kind === 'integer' && !Number.isInteger(value)) return { error: { code: 'notInteger' } };
  if (spec.minimum !== undefined && value < spec.minimum)
    return { error: { code: 'min', params: { n: spec.minimum } } };
  if (spec.exclusiveMinimum !== undefined && value <= spec.exclusiveMinimum) {
    return { error: { code: 'gt', params: { n: spec.exclusiveMinimum } } };
  }
  if (spec.maximum !== undefined && value > spec.maximum)
    return { error: { code: 'max', params: { n: spec.maximum } } };
  if (spec.exclusiveMaximum !== undefined && value >= spec.exclusiveMaximum) {
    return { error: { code: 'lt', params: { n: spec.exclusiveMaximum } } };
  }
  return { value };
}

/** "2 – 4096", "> 0 – 100", "≥ 0" …, or '' when unbounded. */
export function rangeText(spec: FieldSpec): string {
  const lo =
    spec.minimum !== undefined
      ? formatBound(spec.minimum)
      : spec.exclusiveMinimum !== undefined
        ? `> ${formatBound(spec.exclusiveMinimum)}`
        : null;
  const hi =
    spec.maximum !== undefined
      ? formatBound(spec.maximum)
      : spec.exclusiveMaximum !== undefined
        ? `< ${formatBound(spec.exclusiveMaximum)}`
        : null;
  if (lo !== null && hi !== null) return `${lo} … ${hi}`;
  if (lo !== null) return lo.startsWith('>') ? lo : `≥ ${lo}`;
  if (hi !== null) return hi.startsWith('<') ? hi : `≤ ${hi}`;
  return '';
}

function formatBound(n: number): string {
  return Math.abs(n) >= 1e6 ? n.toExponential(2).replace('e+', 'e') : String(n);
}

/** Whether two config values are the same (deep, for arrays and objects). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
