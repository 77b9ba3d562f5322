import { describe, expect, it } from 'vitest';
import { isTyping, neighbourRun, shortcutOf, type KeyPress } from '../../../src-renderer/src/lib/shortcuts';

const press = (key: string, patch: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  target: { tagName: 'BODY' },
  ...patch,
});

describe('keyboard shortcuts', () => {
  it('n, /, j, k and ? ask for their actions; other keys for none', () => {
    expect(['n', '/', 'j', 'k', '?', 'x', 'N'].map((k) => shortcutOf(press(k)))).toEqual([
      'new-run',
      'search',
      'next-run',
      'previous-run',
      'help',
      null,
      null,
    ]);
  });

  it('are ignored with a modifier held and while typing in a field, not on a checkbox', () => {
    expect(shortcutOf(press('n', { ctrlKey: true }))).toBeNull();
    expect(shortcutOf(press('n', { metaKey: true }))).toBeNull();
    const fields = {
      text: { tagName: 'INPUT', type: 'text' },
      search: { tagName: 'INPUT', type: 'search' },
      area: { tagName: 'TEXTAREA' },
      list: { tagName: 'SELECT' },
      // Inside a contenteditable element, the DOM says so on every descendant.
      editable: { tagName: 'B', isContentEditable: true },
    };
    for (const [name, target] of Object.entries(fields)) {
      expect(isTyping(target), name).toBe(true);
      expect(shortcutOf(press('j', { target })), name).toBeNull();
    }
    expect(shortcutOf(press('j', { target: { tagName: 'INPUT', type: 'checkbox' } }))).toBe('next-run');
    expect(shortcutOf(press('j', { target: null }))).toBe('next-run');
  });

  it('j and k step through the runs in the app’s order, stopping at either end', () => {
    const ids = [12, 11, 9];
    expect(neighbourRun(ids, 12, 1)).toBe(11);
    expect(neighbourRun(ids, 11, -1)).toBe(12);
    expect(neighbourRun(ids, 9, 1)).toBe(9);
    expect(neighbourRun(ids, 12, -1)).toBe(12);
    expect(neighbourRun(ids, null, 1)).toBe(12);
    expect(neighbourRun(ids, 5, -1)).toBe(12);
    expect(neighbourRun([], null, 1)).toBeNull();
  });
});
