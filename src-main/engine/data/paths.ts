import { stat } from 'node:fs/promises';

/** Whether `p` is a folder (false when it is missing or unreadable). */
export async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `p` is a regular file (false when it is missing or unreadable). */
export async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}
