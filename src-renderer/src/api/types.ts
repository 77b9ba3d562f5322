import type { ContrastLabApi, DesktopApi } from '../../../src-main/api/commands';

export { ApiError } from '../../../src-main/domain';

/** What the Electron preload exposes as `window.contrastlab`: the API plus two native dialogs. */
export type ElectronBridge = DesktopApi;

/**
 * The API as the stores see it, whichever transport carries it. Components and stores never ask which
 * one it is; they only check whether an optional capability (a native folder picker) is there.
 */
export interface HostApi extends ContrastLabApi {
  /** A native folder dialog, where the host has one (Electron); null in the browser. */
  readonly pickDirectory: (() => Promise<string | null>) | null;
  /**
   * Saves text (or bytes: a zip) under a suggested file name: a save dialog in Electron, a download in the browser.
   * False when the user cancelled the dialog.
   */
  saveFile(name: string, content: string | Uint8Array): Promise<boolean>;
  /**
   * Saves a checkpoint's file: a save dialog and a copy in Electron, a streamed download in the browser.
   * False when the user cancelled the dialog.
   */
  saveCheckpoint(checkpointId: number, fileName: string): Promise<boolean>;
  /** Reports whether the event stream is connected (true at once for Electron IPC). */
  onConnection(listener: (connected: boolean) => void): () => void;
}

declare global {
  interface Window {
    contrastlab?: ElectronBridge;
  }
}
