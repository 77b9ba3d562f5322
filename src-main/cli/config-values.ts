import { UsageError } from './errors';

/** A --set (or --axis) value: JSON where it parses (numbers, booleans, arrays), else the raw string. */
export function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** A repeated `key=value` flag's pairs, trimmed, in order; `flag` names it in the one-line refusal. */
export function keyValuePairs(flag: string, pairs: readonly string[]): [key: string, value: string][] {
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} expects key=value, got "${pair}"`);
    return [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
  });
}

/** `--set key=value` pairs into a config object (later ones win). */
export function applySetFlags(config: Record<string, unknown>, pairs: readonly string[]): void {
  for (const [key, raw] of keyValuePairs('--set', pairs)) config[key] = parseValue(raw);
}
