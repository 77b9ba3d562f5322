/**
 * The built renderer's files (out/renderer), served read-only. A request path can only name a regular
 * file inside the folder: `..`, encoded separators, NUL bytes and symbolic links out of it are refused.
 */
import fs from 'node:fs';
import path from 'node:path';

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function mimeType(file: string): string {
  return mimeTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticLookup =
  { ok: true; file: string; size: number } | { ok: false; status: 400 | 404; reason: string };

/**
 * Resolves a URL path (still percent-encoded) to a file in `root`. `/` is index.html. The root's real
 * path must be computed once by the caller (`fs.realpathSync`).
 */
export function resolveStatic(realRoot: string, urlPath: string): StaticLookup {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { ok: false, status: 400, reason: 'malformed path' };
  }
  if (decoded.includes('\0') || decoded.includes('\\'))
    return { ok: false, status: 400, reason: 'malformed path' };
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) return { ok: false, status: 400, reason: 'malformed path' };
  if (segments.length === 0) segments.push('index.html');
  const candidate = path.join(realRoot, ...segments);
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    return { ok: false, status: 404, reason: 'not found' };
  }
  // A symbolic link inside the folder must not lead out of it.
  if (real !== realRoot && !real.startsWith(realRoot + path.sep))
    return { ok: false, status: 404, reason: 'not found' };
  const stat = fs.statSync(real);
  if (!stat.isFile()) return { ok: false, status: 404, reason: 'not found' };
  return { ok: true, file: real, size: stat.size };
}
