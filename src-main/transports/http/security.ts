/**
 * Who may talk to the browser-mode server: whoever holds the random token the server printed, from a
 * page of this server's own origin. Everything else is refused before any route runs.
 */
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const tokenHeader = 'x-contrastlab-token';

/** 32 random bytes, hex: 64 characters that need no escaping in a URL, a header or a cookie. */
export function newToken(): string {
  return crypto.randomBytes(32).toString('hex');
}

/**
 * The cookie that carries the token for requests the page cannot add it to (its scripts, styles and
 * images). Cookies ignore ports, so the name includes it: two servers on one machine keep theirs apart.
 */
export function cookieName(port: number): string {
  return `contrastlab_token_${port}`;
}

function sameToken(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export type TokenSource = 'header' | 'query' | 'cookie';

/** Where the request carried the right token, or null when it did not. */
export function tokenSource(req: IncomingMessage, url: URL, token: string, port: number): TokenSource | null {
  const header = req.headers[tokenHeader];
  if (sameToken(Array.isArray(header) ? header[0] : header, token)) return 'header';
  if (sameToken(url.searchParams.get('token'), token)) return 'query';
  if (sameToken(cookie(req, cookieName(port)), token)) return 'cookie';
  return null;
}

export function tokenCookie(token: string, port: number): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The origins this server answers as: http://127.0.0.1:PORT and http://localhost:PORT. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/**
 * Refuses a Host header naming another site (DNS rebinding) and an Origin header of another page
 * (another local web app using the browser's cookie to reach this server).
 */
export function checkOrigin(req: IncomingMessage, port: number): string | null {
  const hosts = allowedHosts(port);
  if (!req.headers.host || !hosts.includes(req.headers.host.toLowerCase())) return 'unexpected Host header';
  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return 'requests from other origins are refused';
  }
  return null;
}

/**
 * The page's Content-Security-Policy: its own scripts only (no inline script, no eval), its own server
 * for fetch and WebSocket, no framing, no plugins. Inline styles stay allowed (Vue and ECharts set them).
 */
export function contentSecurityPolicy(host: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ws://${host}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers every response carries. */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  // The page's URL holds the token: never send it to another site as a referrer.
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
}
