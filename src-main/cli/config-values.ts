import { UsageError } from './errors';

/** A --set (or --axis) value: JSON where it parses (numbers, booleans, arrays), else the raw string. */
export function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** `--set key=value` pairs into a config object (later ones win). */
export function applySetFlags(config: Record<string, unknown>, pairs: readonly string[]): void {
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects key=value, got "${pair}"`);
    config[pair.slice(0, eq).trim()] = parseValue(pair.slice(eq + 1).trim());
  }
}
