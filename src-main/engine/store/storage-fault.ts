/**
 * What a failed SQLite call means, as one line a user can act on. better-sqlite3 throws a SqliteError
 * whose `code` is SQLite's extended result code (SQLITE_FULL, SQLITE_BUSY_TIMEOUT, SQLITE_IOERR_WRITE…).
 */
export interface StorageFault {
  /** One line: what happened, then SQLite's own words. */
  message: string;
  /**
   * Whether waiting can help: another process holds the database's write lock (busy_timeout already
   * waited for it). A full disk, a read-only or damaged file needs a person.
   */
  temporary: boolean;
}

const descriptions: [primary: string, what: string][] = [
  ['SQLITE_BUSY', 'the database is locked by another process'],
  ['SQLITE_LOCKED', 'the database is locked by another process'],
  ['SQLITE_FULL', 'disk full'],
  ['SQLITE_READONLY', 'the database is read-only'],
  ['SQLITE_PERM', 'the database is read-only'],
  ['SQLITE_IOERR', 'the disk could not be read or written'],
  ['SQLITE_CORRUPT', 'the database file is damaged'],
  ['SQLITE_NOTADB', 'the database file is damaged'],
  ['SQLITE_CANTOPEN', "the database's files cannot be opened"],
];

/** The fault behind an SQLite error, or null for any other error. */
export function storageFault(e: unknown): StorageFault | null {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  // Extended codes add a suffix to the primary one: SQLITE_IOERR_WRITE is an SQLITE_IOERR.
  const primary = code.split('_').slice(0, 2).join('_');
  const what = descriptions.find(([p]) => p === primary)?.[1] ?? `database error (${code})`;
  const detail = (e as Error).message.split('\n')[0] ?? '';
  return {
    message: `${what}: ${detail || code}`,
    temporary: primary === 'SQLITE_BUSY' || primary === 'SQLITE_LOCKED',
  };
}
