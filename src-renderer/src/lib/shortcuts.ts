/**
 * The app's keyboard shortcuts: single keys, as in Gmail or GitHub, so they are ignored while the user
 * types in a field or holds a modifier (Ctrl+N stays the browser's).
 */
export type ShortcutAction = 'new-run' | 'search' | 'next-run' | 'previous-run' | 'help';

/** Every shortcut with its key, in the order the help overlay lists them. */
export const shortcuts: readonly { key: string; action: ShortcutAction }[] = [
  { key: 'n', action: 'new-run' },
  { key: '/', action: 'search' },
  { key: 'j', action: 'next-run' },
  { key: 'k', action: 'previous-run' },
  { key: '?', action: 'help' },
];

/** The parts of a keydown event the shortcuts read. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  target: KeyTarget | EventTarget | null;
}

/** What isTyping reads of an event's target (an element: the DOM has these on every element). */
export interface KeyTarget {
  tagName?: string;
  type?: string;
  /** True inside an editable element too: the DOM inherits it down the tree. */
  isContentEditable?: boolean;
}

/** Input types that take no text: a shortcut pressed on a checkbox or a button still counts. */
const notText = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file']);

/** Whether keys pressed in `target` are text being typed (a field, a list box, an editable element). */
export function isTyping(target: KeyTarget | null): boolean {
  if (!target) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName?.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  return tag === 'INPUT' && !notText.has(target.type ?? 'text');
}

/** The action a key press asks for, or null (another key, a modifier held, or typing in a field). */
export function shortcutOf(press: KeyPress): ShortcutAction | null {
  if (press.ctrlKey || press.metaKey || press.altKey || isTyping(press.target as KeyTarget | null))
    return null;
  return shortcuts.find((s) => s.key === press.key)?.action ?? null;
}

/**
 * The run after (`step` 1) or before (−1) `current` in `ids` (the order the app lists runs in), staying
 * at either end; the first run when none is current. Null without runs.
 */
export function neighbourRun(ids: readonly number[], current: number | null, step: 1 | -1): number | null {
  if (ids.length === 0) return null;
  const at = current === null ? -1 : ids.indexOf(current);
  if (at < 0) return ids[0]!;
  return ids[Math.min(ids.length - 1, Math.max(0, at + step))]!;
}
