import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { DatasetError } from '../../domain';

/**
 * Walking an image folder without reading its images: which layout it has (one subfolder per class, a
 * flat folder, or train/ and test/ splits), its class names, and each image file's identity (relative
 * path, size, modification time), which keys the dataset cache.
 */

/** The extensions read as images (case-insensitive); every other file is ignored, like hidden ones. */
export const imageExtensions = ['.jpg', '.jpeg', '.jfif', '.png', '.webp', '.gif', '.tif', '.tiff', '.bmp'];

export function isImageName(name: string): boolean {
  return imageExtensions.includes(path.extname(name).toLowerCase());
}

/** One image file of the folder. */
export interface FolderImage {
  /** Path relative to the dataset folder, with '/' separators (the same on every system). */
  path: string;
  size: number;
  mtimeMs: number;
  /** Index into the class names, or null in an unlabelled folder. */
  label: number | null;
}

export interface ScannedSplit {
  images: FolderImage[];
  labelled: boolean;
}

export interface FolderLayout {
  /** The dataset folder, resolved. */
  root: string;
  /** Sorted class folder names (of train/ in the split layout); empty when unlabelled. */
  classNames: string[];
  train: ScannedSplit;
  /** The test split of the split layout; null where one is held out of `train`. */
  test: ScannedSplit | null;
  /** The test folder's name in the split layout. */
  testFolder?: 'test' | 'val';
  /** What the walk left out that a user would want to know (images outside class folders, an unused val/). */
  notes: string[];
}

function codeOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? 'unknown error';
}

/** A folder's visible entries (no names starting with '.'), sorted by name; one DatasetError line when it cannot be read. */
async function listFolder(dir: string): Promise<Dirent[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    const code = codeOf(e);
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code;
    throw new DatasetError(`Cannot read image folder (${why}): ${dir}`);
  }
  // Code-unit order, not the locale's: the same class indices on every machine.
  return entries.filter((e) => !e.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Whether an entry is a folder or a file, following symbolic links (a broken link is neither). */
async function kindOf(dir: string, entry: Dirent): Promise<'folder' | 'file' | 'other'> {
  if (entry.isDirectory()) return 'folder';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink()) return 'other';
  try {
    const s = await stat(path.join(dir, entry.name));
    return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
  } catch {
    return 'other';
  }
}

interface Listing {
  folders: string[];
  imageFiles: string[];
}

async function listKinds(dir: string): Promise<Listing> {
  const entries = await listFolder(dir);
  const kinds = await Promise.all(entries.map((e) => kindOf(dir, e)));
  return {
    folders: entries.filter((_, k) => kinds[k] === 'folder').map((e) => e.name),
    imageFiles: entries.filter((e, k) => kinds[k] === 'file' && isImageName(e.name)).map((e) => e.name),
  };
}

async function identify(root: string, file: string, label: number | null): Promise<FolderImage> {
  let s;
  try {
    s = await stat(file);
  } catch (e) {
    throw new DatasetError(`Cannot read image file (${codeOf(e)}): ${file}`);
  }
  return {
    path: path.relative(root, file).split(path.sep).join('/'),
    size: s.size,
    mtimeMs: s.mtimeMs,
    label,
  };
}

/** Every image file at any depth below `dir`, in sorted path order; `seen` guards against folder links that loop. */
async function imagesBelow(
  root: string,
  dir: string,
  label: number | null,
  seen: Set<string>,
): Promise<FolderImage[]> {
  const real = await realpath(dir);
  if (seen.has(real)) return [];
  seen.add(real);
  const { folders, imageFiles } = await listKinds(dir);
  const here = await Promise.all(imageFiles.map((f) => identify(root, path.join(dir, f), label)));
  const below: FolderImage[] = [];
  for (const folder of folders) below.push(...(await imagesBelow(root, path.join(dir, folder), label, seen)));
  return [...here, ...below];
}

function extensionList(): string {
  return imageExtensions.map((e) => e.slice(1)).join(', ');
}

/**
 * One folder of images: class subfolders (labels by sorted folder name, images at any depth below them)
 * or a flat folder (no subfolders: unlabelled). `knownClasses` is the training split's class list when
 * scanning a test folder: a class it does not name is an error.
 */
async function scanSplitFolder(
  root: string,
  dir: string,
  notes: string[],
  knownClasses?: string[],
): Promise<{ classNames: string[]; split: ScannedSplit }> {
  const { folders, imageFiles } = await listKinds(dir);
  if (folders.length === 0) {
    const images = await Promise.all(imageFiles.map((f) => identify(root, path.join(dir, f), null)));
    if (images.length === 0) throw new DatasetError(`No images (${extensionList()}) in ${dir}`);
    return { classNames: [], split: { images, labelled: false } };
  }
  if (knownClasses) {
    if (knownClasses.length === 0) {
      throw new DatasetError(
        `${dir} has class folders but the training folder has none (no labels to match)`,
      );
    }
    const unknown = folders.find((f) => !knownClasses.includes(f));
    if (unknown !== undefined) {
      throw new DatasetError(
        `Class folder "${unknown}" is not among the training classes: ${path.join(dir, unknown)}`,
      );
    }
  }
  const classNames = knownClasses ?? folders;
  if (imageFiles.length > 0) {
    notes.push(
      `${imageFiles.length} image file(s) directly in ${dir} are in no class folder and were left out`,
    );
  }
  const seen = new Set<string>([await realpath(dir)]);
  const images: FolderImage[] = [];
  for (const folder of folders) {
    const classDir = path.join(dir, folder);
    const found = await imagesBelow(root, classDir, classNames.indexOf(folder), seen);
    if (found.length === 0) throw new DatasetError(`Class folder has no images: ${classDir}`);
    images.push(...found);
  }
  return { classNames, split: { images, labelled: true } };
}

/** Checks that `dataDir` is a readable folder, then walks it (see FolderLayout); one DatasetError line for bad input. */
export async function scanImageFolder(dataDir: string | undefined): Promise<FolderLayout> {
  if (!dataDir) throw new DatasetError('Image folders need a data directory (a folder of images)');
  const root = path.resolve(dataDir);
  let s;
  try {
    s = await stat(root);
  } catch (e) {
    const code = codeOf(e);
    throw new DatasetError(
      code === 'ENOENT' ? `Image folder not found: ${root}` : `Cannot open image folder (${code}): ${root}`,
    );
  }
  if (!s.isDirectory()) {
    throw new DatasetError(`Not a folder (image folders need a folder of images, not a file): ${root}`);
  }
  const notes: string[] = [];
  const { folders } = await listKinds(root);
  const testFolder = folders.includes('test') ? 'test' : folders.includes('val') ? 'val' : undefined;
  const onlyTrain = folders.length === 1 && folders[0] === 'train';
  if (folders.includes('train') && (testFolder !== undefined || onlyTrain)) {
    const others = folders.filter((f) => f !== 'train' && f !== testFolder);
    if (others.length > 0) {
      notes.push(`Folders beside train/ and ${testFolder}/ were left out: ${others.join(', ')} (in ${root})`);
    }
    const train = await scanSplitFolder(root, path.join(root, 'train'), notes);
    if (testFolder === undefined) {
      // train/ alone: its classes, with a test split held out of it.
      return { root, classNames: train.classNames, train: train.split, test: null, notes };
    }
    const test = await scanSplitFolder(root, path.join(root, testFolder), notes, train.classNames);
    return {
      root,
      classNames: train.classNames,
      train: train.split,
      test: test.split,
      testFolder,
      notes,
    };
  }
  const whole = await scanSplitFolder(root, root, notes);
  return {
    root,
    classNames: whole.classNames,
    train: whole.split,
    test: null,
    notes,
  };
}
