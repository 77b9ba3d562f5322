/** Offers text as a file download in the browser (Blob + a temporary link). */
export function downloadText(name: string, content: string, type = 'text/csv;charset=utf-8'): boolean {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return true;
}
