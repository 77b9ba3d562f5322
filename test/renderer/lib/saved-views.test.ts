import { describe, expect, it } from 'vitest';
import type { SavedRunView } from '../../../src-main/domain';
import { checkViewName, sameView, withView, withoutView } from '../../../src-renderer/src/lib/saved-views';

describe('saved views', () => {
  const view = (name: string, filters: string[] = []): SavedRunView => ({
    name,
    columns: ['id', 'name'],
    filters,
    sort: { column: 'id', descending: true },
    groupBy: 'none',
    groupSeeds: false,
  });

  it('saves under a name (the same name replaces it, in place) and deletes by name', () => {
    let views = withView([], view('a'));
    views = withView(views, view('b'));
    views = withView(views, view('a', ['lr > 0.1']));
    expect(views.map((v) => [v.name, v.filters])).toEqual([
      ['a', ['lr > 0.1']],
      ['b', []],
    ]);
    expect(withoutView(views, 'a').map((v) => v.name)).toEqual(['b']);
    expect(sameView(view('x'), view('y'))).toBe(true);
    expect(sameView(view('x'), view('x', ['lr > 0.1']))).toBe(false);
  });

  it('checks a name before saving', () => {
    expect(checkViewName('  probe sweep ', [])).toEqual({ ok: true, name: 'probe sweep' });
    expect(checkViewName(' ', [])).toEqual({ ok: false, error: { code: 'emptyName' } });
    expect(checkViewName('x'.repeat(81), [])).toEqual({ ok: false, error: { code: 'longName', max: 80 } });
    const full = Array.from({ length: 50 }, (_, i) => view(`v${i}`));
    expect(checkViewName('one more', full)).toEqual({ ok: false, error: { code: 'tooMany', max: 50 } });
    expect(checkViewName('v3', full)).toMatchObject({ ok: true });
  });
});
