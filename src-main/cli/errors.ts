import { InputError } from '../domain';
/** A problem with the user's input: printed as one line on stderr, exit code 2. */
export class UsageError extends InputError {
  override name = 'UsageError';
}
