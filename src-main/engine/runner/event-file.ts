/**
 * A Slurm worker's reports, as a file in its run's folder on the shared filesystem: one JSON message
 * (protocol.ts's WorkerMessage) per line, appended. The worker never talks to the workbench; the
 * workbench reads the file from where it last stopped (services/slurm-executor.ts), so SQLite keeps one
 * writer and compute nodes need no connection back.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkerMessage } from './protocol';

export const eventsFileName = 'events.jsonl';

export const eventsFile = (runDir: string) => path.join(runDir, eventsFileName);

/** Appends messages to a run's events file; each line is written whole by one write call. */
export class EventFileWriter {
  private readonly fd: number;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
  }

  append(message: WorkerMessage): void {
    fs.writeSync(this.fd, `${JSON.stringify(message)}\n`);
  }

  /** Flushes to the disk: the last messages must survive the node, not only the process. */
  close(): void {
    try {
      fs.fsyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
    }
  }
}

export interface EventsRead {
  messages: WorkerMessage[];
  /** Where the next read starts: after the last complete line. */
  offset: number;
  /** Lines that were not JSON (a torn write of a killed worker), skipped. */
  skipped: number;
}

/**
 * The complete lines of an events file from `offset` on. A last line without its newline is being
 * written: it is left for the next read. A missing file has no events yet.
 */
export function readEvents(file: string, offset: number): EventsRead {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { messages: [], offset, skipped: 0 };
    throw e;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size <= offset) return { messages: [], offset, skipped: 0 };
    const bytes = Buffer.alloc(size - offset);
    let read = 0;
    while (read < bytes.length) {
      const n = fs.readSync(fd, bytes, read, bytes.length - read, offset + read);
      if (n === 0) break;
      read += n;
    }
    const end = bytes.lastIndexOf(0x0a, read - 1);
    if (end < 0) return { messages: [], offset, skipped: 0 };
    const messages: WorkerMessage[] = [];
    let skipped = 0;
    for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        messages.push(JSON.parse(line) as WorkerMessage);
      } catch {
        skipped++;
      }
    }
    return { messages, offset: offset + end + 1, skipped };
  } finally {
    fs.closeSync(fd);
  }
}
