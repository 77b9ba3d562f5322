import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from '../errors';

const help = `usage: contrastlab version

  Prints the version of ContrastLab (also \`contrastlab --version\`).
`;

/** The version in package.json, the one place it is declared. */
export function packageVersion(): string {
  const file = new URL('../../../package.json', import.meta.url);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** `version`: prints `contrastlab X.Y.Z`. */
export async function versionCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`version takes no arguments, got "${positionals[0]}"`);
  process.stdout.write(`contrastlab ${packageVersion()}\n`);
  return 0;
}
