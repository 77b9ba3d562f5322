/**
 * The runs table's saved views (domain/run-views.ts): saving one under a name (the same name replaces
 * it), deleting one, and checking a name before it is saved. Pure: the settings store persists the list.
 */
import { runViewLimits, type SavedRunView } from '../../../src-main/domain';

/** Why a name cannot be saved. */
export type ViewNameError =
  { code: 'emptyName' } | { code: 'longName'; max: number } | { code: 'tooMany'; max: number };

/** The name trimmed, or why it cannot name a view in `views` (an existing name is fine: it is replaced). */
export function checkViewName(
  name: string,
  views: readonly SavedRunView[],
): { ok: true; name: string } | { ok: false; error: ViewNameError } {
  const trimmed = name.trim();
  if (!trimmed) return { ok: false, error: { code: 'emptyName' } };
  if (trimmed.length > runViewLimits.name)
    return { ok: false, error: { code: 'longName', max: runViewLimits.name } };
  if (views.length >= runViewLimits.views && !views.some((v) => v.name === trimmed))
    return { ok: false, error: { code: 'tooMany', max: runViewLimits.views } };
  return { ok: true, name: trimmed };
}

/** The views with `view` saved: in place of the one of the same name, else at the end. */
export function withView(views: readonly SavedRunView[], view: SavedRunView): SavedRunView[] {
  const at = views.findIndex((v) => v.name === view.name);
  return at < 0 ? [...views, view] : views.map((v, i) => (i === at ? view : v));
}

/** The views without the one named `name`. */
export function withoutView(views: readonly SavedRunView[], name: string): SavedRunView[] {
  return views.filter((v) => v.name !== name);
}

/** Whether the table's state is the view's (so the view list can say "changed since saved"). */
export function sameView(a: Omit<SavedRunView, 'name'>, b: Omit<SavedRunView, 'name'>): boolean {
  return (
    a.columns.join('\n') === b.columns.join('\n') &&
    a.filters.join('\n') === b.filters.join('\n') &&
    a.sort.column === b.sort.column &&
    a.sort.descending === b.sort.descending &&
    a.groupBy === b.groupBy &&
    a.groupSeeds === b.groupSeeds
  );
}
