/**
 * The engine side of every transport: a command name and JSON arguments in, a reply out. Arguments are
 * checked against the command table (commands.ts) before the implementation sees them.
 */
import type { z } from 'zod';
import { ApiError, InputError } from '../domain';
import { apiCommandNames, apiCommands, isApiCommand, type ApiCommand, type ContrastLabApi } from './commands';

/** What a transport sends back for one command: plain JSON either way. */
export type ApiReply = { result: unknown } | { error: string; status: number };

function describeIssue(command: ApiCommand, issue: z.core.$ZodIssue): string {
  const names = apiCommands[command].params;
  const [index, ...rest] = issue.path;
  if (index === undefined) {
    return `${command} takes ${names.length ? names.join(', ') : 'no arguments'}: ${issue.message}`;
  }
  const name = typeof index === 'number' ? (names[index] ?? `argument ${index + 1}`) : String(index);
  const where = [name, ...rest.map(String)].join('.');
  if (issue.code === 'unrecognized_keys')
    return `${command}: unknown field(s) ${issue.keys.join(', ')} in ${where}`;
  return `${command}: invalid ${where}: ${issue.message}`;
}

/**
 * Checks a command's arguments and calls its implementation. Unknown commands are ApiError 404,
 * malformed arguments ApiError 400; errors of the implementation propagate unchanged (see toErrorReply).
 */
export async function dispatch(api: ContrastLabApi, command: string, args: unknown): Promise<unknown> {
  if (!isApiCommand(command)) {
    throw new ApiError(`unknown command "${command}"; commands: ${apiCommandNames.join(', ')}`, 404);
  }
  if (!Array.isArray(args)) throw new ApiError(`${command}: the arguments must be a JSON array`, 400);
  const parsed = apiCommands[command].args.safeParse(args);
  if (!parsed.success) throw new ApiError(describeIssue(command, parsed.error.issues[0]!), 400);
  const implementation = api[command] as (...a: unknown[]) => Promise<unknown>;
  return implementation(...parsed.data);
}

/** An error as the client sees it: its message, and a status saying whose fault it was. */
export function toErrorReply(e: unknown): { error: string; status: number } {
  if (e instanceof ApiError) return { error: e.message, status: e.status };
  const message = e instanceof Error ? e.message : String(e);
  return { error: message || 'internal error', status: e instanceof InputError ? 400 : 500 };
}

/** dispatch() for transports: never throws; errors become `{ error, status }` with their message. */
export async function invoke(api: ContrastLabApi, command: string, args: unknown): Promise<ApiReply> {
  try {
    return { result: await dispatch(api, command, args) };
  } catch (e) {
    const reply = toErrorReply(e);
    if (reply.status === 500) console.error(`contrastlab: ${command} failed:`, e);
    return reply;
  }
}
