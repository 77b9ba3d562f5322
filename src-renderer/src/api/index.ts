import { electronApi } from './electron';
import { httpApi } from './http';
import type { HostApi } from './types';

export { ApiError, type HostApi } from './types';

/** Why no API could be set up (browser mode without the access token). */
export class MissingTokenError extends Error {
  override name = 'MissingTokenError';
}

/**
 * Picks the transport: Electron's preload bridge when present, otherwise HTTP + WebSocket to the server
 * that served this page, with the token from the page URL (`?token=`). (The Vite dev server proxies
 * /api and /events to a running `contrastlab serve`; see vite.config.ts.)
 */
function createApi(): HostApi {
  if (window.contrastlab) return electronApi(window.contrastlab);
  const params = new URLSearchParams(window.location.search);
  const token = params.get('token') ?? sessionStorage.getItem('contrastlab.token');
  if (!token) throw new MissingTokenError('no access token in the page address');
  sessionStorage.setItem('contrastlab.token', token);
  return httpApi(window.location.origin, token);
}

let api: HostApi | null = null;

export function useApi(): HostApi {
  api ??= createApi();
  return api;
}
