import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src-main/cli/errors';
import { parseRunIdCommand } from '../../src-main/cli/run-id-command';

const help = 'usage: contrastlab probe RUN_ID\n';
const own = { checkpoint: { type: 'string' }, fast: { type: 'boolean' } } as const;

afterEach(() => vi.restoreAllMocks());

/** The error `f` throws, which must be a UsageError. */
function usageError(f: () => unknown): UsageError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error('no error thrown');
}

describe('parseRunIdCommand', () => {
  it('prints the help and returns null on --help or -h, before looking at the run id', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(parseRunIdCommand('probe', ['--help'], help, own)).toBeNull();
    expect(parseRunIdCommand('probe', ['-h', 'x', 'y'], help, own)).toBeNull();
    expect(write.mock.calls).toEqual([[help], [help]]);
  });

  it('takes exactly one positional, else one usage line naming the command', () => {
    for (const argv of [[], ['1', '2'], ['--db', 'lab.db']]) {
      expect(usageError(() => parseRunIdCommand('finetune', argv, help, own)).message).toBe(
        'finetune takes one run id (see `finetune --help`)',
      );
    }
  });

  it('the run id is a positive integer', () => {
    for (const raw of ['abc', '0', '1.5']) {
      expect(usageError(() => parseRunIdCommand('probe', [raw], help, own)).message).toBe(
        `the run id must be a positive integer, got "${raw}"`,
      );
    }
  });

  it("parses the command's own options beside --db and --json", () => {
    const parsed = parseRunIdCommand(
      'probe',
      ['7', '--checkpoint', '3', '--fast', '--db', 'lab.db', '--json'],
      help,
      own,
    );
    expect(parsed).toEqual({
      runId: 7,
      values: { checkpoint: '3', fast: true, db: 'lab.db', json: true },
    });
    const bare = parseRunIdCommand('probe', ['7'], help, own);
    expect(bare).toEqual({ runId: 7, values: {} });
  });
});
