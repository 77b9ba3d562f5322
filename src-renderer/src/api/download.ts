/** The type a saved file is offered as, from its name. */
export function mimeOf(name: string): string {
  if (name.endsWith('.html')) return 'text/html;charset=utf-8';
  if (name.endsWith('.zip')) return 'application/zip';
  if (name.endsWith('.md')) return 'text/markdown;charset=utf-8';
  return 'text/csv;charset=utf-8';
}

/** Clicks a temporary link: how a page starts a download. */
function clickLink(href: string, name: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** Offers text or bytes as a file download in the browser (Blob + a temporary link). */
export function downloadText(name: string, content: string | Uint8Array, type = mimeOf(name)): boolean {
  // A copy in a plain ArrayBuffer: a Blob takes no view of shared memory.
  const part = typeof content === 'string' ? content : new Uint8Array(content);
  const url = URL.createObjectURL(new Blob([part], { type }));
  clickLink(url, name);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return true;
}

/**
 * Downloads what the server streams at `url` (a checkpoint), without reading it into the page; the
 * page's token cookie authorises it (transports/http/server.ts).
 */
export function downloadUrl(url: string, name: string): boolean {
  clickLink(url, name);
  return true;
}
