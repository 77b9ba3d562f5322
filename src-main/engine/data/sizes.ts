import { DatasetError } from '../../domain';

/** Checks a requested split size: a positive whole number, or undefined when not given. */
export function checkSize(value: number | undefined, what: string): number | undefined {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new DatasetError(`${what} must be a positive whole number, got ${value}`);
  }
  return value;
}
