/**
 * A Slurm worker's events file as the workbench reads it: only complete lines, from where the last read
 * stopped, so a line is read once whether it arrives whole, torn, or in pieces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EventFileWriter,
  eventsFile,
  readEvents,
  type EventsRead,
} from '../../../src-main/engine/runner/event-file';
import type { WorkerMessage } from '../../../src-main/engine/runner/protocol';
import { tempDir } from '../../helpers/cli';

let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir('contrastlab-events-');
  file = eventsFile(path.join(dir, 'run-1'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const metrics = (step: number): WorkerMessage => ({
  type: 'metrics',
  points: [{ runId: 1, step, epoch: step / 4, key: 'loss', value: 5 - step / 10, wallTime: 1000 + step }],
});
// Multi-byte characters: offsets are bytes, and a torn write may cut a character in two.
const log = (message: string): WorkerMessage => ({
  type: 'log',
  line: { runId: 1, time: 1000, level: 'info', message },
});
const lineOf = (m: WorkerMessage) => `${JSON.stringify(m)}\n`;

describe('the events file', () => {
  it('a missing file has no events, and the offset stays where it was', () => {
    expect(readEvents(file, 0)).toEqual({ messages: [], offset: 0, skipped: 0 });
    expect(readEvents(path.join(dir, 'nowhere', 'events.jsonl'), 57)).toEqual({
      messages: [],
      offset: 57,
      skipped: 0,
    });
  });

  it('the writer appends one JSON line per message, read back whole up to the end of the file', () => {
    const written = [metrics(0), log('温度 τ = 0.2 ± 0.1'), metrics(1)];
    const writer = new EventFileWriter(file);
    for (const m of written) writer.append(m);
    writer.close();
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split('\n')).toEqual([...written.map((m) => JSON.stringify(m)), '']);
    const read = readEvents(file, 0);
    expect(read).toEqual({ messages: written, offset: fs.statSync(file).size, skipped: 0 });
    // Nothing new: the same offset, no messages.
    expect(readEvents(file, read.offset)).toEqual({ messages: [], offset: read.offset, skipped: 0 });
  });

  it('a torn last line is left for the next read and read whole once it is completed', () => {
    const whole = [metrics(0), metrics(1)];
    const writer = new EventFileWriter(file);
    for (const m of whole) writer.append(m);
    writer.close();
    const completeBytes = fs.statSync(file).size;
    // The third line is being written: half of it, cut inside a multi-byte character.
    const third = lineOf(log('检查点 saved ✓'));
    const bytes = Buffer.from(third, 'utf8');
    const cut = bytes.indexOf(Buffer.from('查', 'utf8')) + 1;
    fs.appendFileSync(file, bytes.subarray(0, cut));

    const first = readEvents(file, 0);
    expect(first).toEqual({ messages: whole, offset: completeBytes, skipped: 0 });
    // Read again while the line is still torn: nothing, and the offset does not move.
    expect(readEvents(file, first.offset)).toEqual({ messages: [], offset: completeBytes, skipped: 0 });

    fs.appendFileSync(file, bytes.subarray(cut));
    const second = readEvents(file, first.offset);
    expect(second).toEqual({
      messages: [log('检查点 saved ✓')],
      offset: fs.statSync(file).size,
      skipped: 0,
    });
  });

  it('a file holding only a torn line has no events yet', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, lineOf(metrics(0)).slice(0, 20));
    expect(readEvents(file, 0)).toEqual({ messages: [], offset: 0, skipped: 0 });
  });

  it('reading in pieces, after every append, equals reading the whole file at once', () => {
    const messages = Array.from({ length: 40 }, (_, i) =>
      i % 3 === 0 ? log(`第 ${i} 步 · loss ↓`) : metrics(i),
    );
    const bytes = Buffer.from(messages.map(lineOf).join(''), 'utf8');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    // Append in uneven chunks that cut lines and characters anywhere; read after each one.
    const pieces: WorkerMessage[] = [];
    const offsets: number[] = [];
    let offset = 0;
    for (let at = 0, size = 1; at < bytes.length; at += size, size = (size * 7 + 3) % 97 || 1) {
      fs.appendFileSync(file, bytes.subarray(at, Math.min(at + size, bytes.length)));
      const read: EventsRead = readEvents(file, offset);
      expect(read.skipped).toBe(0);
      pieces.push(...read.messages);
      offset = read.offset;
      offsets.push(offset);
    }
    expect(pieces).toEqual(messages);
    expect(offset).toBe(bytes.length);
    // Each offset ends a complete line (or is the start), and they never go back.
    for (const o of offsets) expect(o === 0 || bytes[o - 1] === 0x0a).toBe(true);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
    expect(readEvents(file, 0)).toEqual({ messages, offset: bytes.length, skipped: 0 });
  });

  it('a garbage line (a torn write of a killed worker) is skipped and counted; the lines around it are read', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // A worker killed mid-write left half a line; the resumed worker appended after it on the same line.
    const torn = lineOf(metrics(5)).slice(0, 30);
    fs.writeFileSync(
      file,
      lineOf(metrics(4)) + torn + lineOf(log('resumed')) + 'not json at all\n' + lineOf(metrics(6)),
    );
    const read = readEvents(file, 0);
    expect(read.messages).toEqual([metrics(4), metrics(6)]);
    expect(read.skipped).toBe(2);
    expect(read.offset).toBe(fs.statSync(file).size);
    // Blank lines are neither messages nor garbage.
    fs.appendFileSync(file, '\n  \n' + lineOf(metrics(7)));
    expect(readEvents(file, read.offset)).toEqual({
      messages: [metrics(7)],
      offset: fs.statSync(file).size,
      skipped: 0,
    });
  });
});
