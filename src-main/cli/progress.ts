import { runPhaseText, type RunProgress } from '../domain';

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** One self-overwriting terminal line: bar, step, epoch, loss, images/s and ETA. */
export class ProgressLine {
  private lastImagesPerSecond: number | null = null;

  constructor(private readonly out: NodeJS.WriteStream) {}

  update(p: RunProgress): void {
    if (p.imagesPerSecond != null) this.lastImagesPerSecond = p.imagesPerSecond;
    const width = 24;
    const done = Math.round((width * p.step) / Math.max(1, p.totalSteps));
    const bar = '█'.repeat(done) + '░'.repeat(width - done);
    const parts = [
      `${bar} ${String(Math.floor((100 * p.step) / Math.max(1, p.totalSteps))).padStart(3)}%`,
      `step ${p.step}/${p.totalSteps}`,
      `epoch ${Math.min(p.epochs, Math.floor(p.epoch) + 1)}/${p.epochs}`,
      p.phase !== 'training' ? runPhaseText[p.phase] : '',
      p.loss != null ? `loss ${p.loss.toFixed(4)}` : '',
      this.lastImagesPerSecond != null ? `${this.lastImagesPerSecond.toFixed(0)} img/s` : '',
      p.etaSeconds != null ? `ETA ${clock(p.etaSeconds)}` : '',
    ];
    this.out.write(`\r${parts.filter(Boolean).join('  ')}\x1b[K`);
  }

  /** A preparation before training (the dataset cache being built) as a bar of its own. */
  task(label: string, done: number, total: number): void {
    const width = 24;
    const filled = Math.round((width * done) / Math.max(1, total));
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const percent = String(Math.floor((100 * done) / Math.max(1, total))).padStart(3);
    this.out.write(
      `\r${bar} ${percent}%  ${label}: ${done.toLocaleString('en')}/${total.toLocaleString('en')}\x1b[K`,
    );
  }

  /** Prints a line above the bar. */
  message(text: string): void {
    this.out.write(`\r\x1b[K${text}\n`);
  }

  end(): void {
    this.out.write('\n');
  }
}
