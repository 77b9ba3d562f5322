/**
 * The kinds of error every layer may raise. An InputError means the user's input was wrong: clients
 * show its message as one line, without a stack, and transports answer 400. Anything else is the
 * program's fault (500).
 */
export class InputError extends Error {
  override name = 'InputError';
}

/** An unknown method, a config field out of range, an unknown run or checkpoint id. */
export class ConfigError extends InputError {
  override name = 'ConfigError';
}

/** A dataset could not be loaded; the message is one user-facing line naming the problem and the path. */
export class DatasetError extends InputError {
  override name = 'DatasetError';
}

/**
 * A checkpoint file cannot serve what was asked of it: missing, torn or corrupted, of another method or
 * config, or too old to resume from. The message is one line naming the file.
 */
export class CheckpointError extends InputError {
  override name = 'CheckpointError';
}

/** The database cannot be opened or does not hold what was asked for. */
export class StoreError extends InputError {
  override name = 'StoreError';
}

/** A request refused before it reached the engine, or an error reply as a client receives it. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    /** The HTTP status that describes it best: 400 bad input, 404 unknown command, 500 a fault. */
    readonly status: number,
  ) {
    super(message);
  }
}

/** Whether the error is the user's (one line, 400) rather than the program's. */
export function isInputError(e: unknown): boolean {
  return e instanceof InputError || (e instanceof ApiError && e.status >= 400 && e.status < 500);
}
