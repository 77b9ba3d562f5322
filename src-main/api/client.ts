/**
 * The client side of every transport, derived from the command table: one method per command that
 * hands its name and arguments to `send` (an HTTP POST, an Electron IPC invoke, or a call in the same
 * process), so a new command needs no change in any client.
 */
import { ApiError } from '../domain';
import { apiCommandNames, type ContrastLabApi } from './commands';
import type { ApiReply } from './dispatch';

export type ApiCommands = Omit<ContrastLabApi, 'onEvent'>;

/** One method per command, each calling `send(command, args)`. */
export function createCommandProxy(
  send: (command: string, args: unknown[]) => Promise<unknown>,
): ApiCommands {
  return Object.fromEntries(
    apiCommandNames.map((name) => [name, (...args: unknown[]) => send(name, args)]),
  ) as unknown as ApiCommands;
}

/** The result of a reply, or its error thrown as an ApiError with the reply's status. */
export function unwrapReply(reply: ApiReply): unknown {
  if ('error' in reply) throw new ApiError(reply.error, reply.status);
  return reply.result;
}
