/** The IPC channels between Electron's main process and the preload (the desktop transport). */
export const ipcChannels = {
  /** invoke(command, args) → ApiReply: one ContrastLabApi command, answered as { result } or { error }. */
  invoke: 'contrastlab:invoke',
  /** main → renderer: one EngineEvent per message. */
  event: 'contrastlab:event',
  /** invoke() → string | null. */
  pickDirectory: 'contrastlab:pick-directory',
  /** invoke(name, content: string | Uint8Array) → string | null. */
  saveFile: 'contrastlab:save-file',
  /** invoke(checkpointId) → string | null: the path the checkpoint was copied to. */
  saveCheckpoint: 'contrastlab:save-checkpoint',
} as const;

/** The scheme the desktop window loads the renderer from (contrastlab://app/index.html), not file://. */
export const appScheme = 'contrastlab';
export const appOrigin = `${appScheme}://app`;
