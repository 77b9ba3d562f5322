import { createCommandProxy, unwrapReply } from './client';
import type { ContrastLabApi } from './commands';
import { invoke } from './dispatch';
import type { EngineEventListener } from './events';

/**
 * A client of an engine in this process (the CLI): every call goes through the same argument checks
 * as over HTTP or IPC, and errors arrive as ApiErrors with the same one-line messages.
 */
export function inProcessClient(api: ContrastLabApi): ContrastLabApi {
  return {
    ...createCommandProxy(async (command, args) => unwrapReply(await invoke(api, command, args))),
    onEvent: (listener: EngineEventListener) => api.onEvent(listener),
  };
}
