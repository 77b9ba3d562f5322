import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors';
import { positiveInteger } from './positive-integer';

/** The options every command on one run takes besides its own. */
const commonOptions = {
  db: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Options = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs makes of a command's own options and the common ones, each option typed. */
type RunIdValues<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: O & typeof commonOptions }>
>['values'];

/**
 * The opening of a command on one run (`name RUN_ID [own options] [--db FILE] [--json]`): parses `argv`
 * with its own `options` and --db, --json, --help/-h; prints `help` and returns null on --help; else
 * exactly one positional, a positive integer, the run id, or a UsageError.
 */
export function parseRunIdCommand<O extends Options>(
  name: string,
  argv: string[],
  help: string,
  options: O,
): { values: RunIdValues<O>; runId: number } | null {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...options, ...commonOptions } as Options,
  });
  if (values.help) {
    process.stdout.write(help);
    return null;
  }
  if (positionals.length !== 1) throw new UsageError(`${name} takes one run id (see \`${name} --help\`)`);
  const runId = positiveInteger('the run id', positionals[0]!);
  return { values: values as RunIdValues<O>, runId };
}
