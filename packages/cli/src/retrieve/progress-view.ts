import cliProgress from 'cli-progress';
import type { SubtaskState } from '@quarry/protocol';
import type { OutStream } from '../context.js';
import { humanBytes } from '../format/bytes.js';

/** Latest known progress of one endpoint's work. */
export interface SubtaskProgress {
  id: number;
  hostname: string;
  state: SubtaskState;
  bytesDone: number;
  bytesTotal: number | null;
}

export interface DownloadBar {
  update(bytes: number, total: number | null): void;
  done(): void;
}

/** Shows retrieval and download progress on stderr, however the terminal allows. */
export interface ProgressView {
  update(p: SubtaskProgress): void;
  log(line: string): void;
  /** Ends the retrieval phase (bars stay on screen). */
  stop(): void;
  download(label: string): DownloadBar;
}

export type ProgressMode = 'tty' | 'plain' | 'silent';

/** In plain mode a byte update is printed only after this much of the total has moved. */
const PLAIN_STEP = 0.25;

const BAR_FORMAT = '{host} |{bar}| {percentage}% | {done}/{size} | {state} | ETA {eta_formatted}';
const DOWNLOAD_FORMAT = '{host} |{bar}| {percentage}% | {done}/{size} | ETA {eta_formatted}';

export function createProgressView(stream: OutStream, mode: ProgressMode): ProgressView {
  if (mode === 'tty') return new TtyView(stream);
  if (mode === 'plain') return new PlainView(stream);
  return { update() {}, log() {}, stop() {}, download: () => ({ update() {}, done() {} }) };
}

function payload(host: string, done: number, total: number | null, state?: string) {
  return { host, done: humanBytes(done), size: total === null ? '?' : humanBytes(total), state: state ?? '' };
}

/** cli-progress needs a positive total; unknown sizes show as a bar that fills at the end. */
function barTotal(done: number, total: number | null): number {
  return Math.max(total ?? 0, done, 1);
}

class TtyView implements ProgressView {
  #multi: cliProgress.MultiBar;
  #bars = new Map<number, cliProgress.SingleBar>();
  #hostWidth = 0;

  constructor(private readonly stream: OutStream) {
    this.#multi = new cliProgress.MultiBar(
      { stream: stream as NodeJS.WritableStream, format: BAR_FORMAT, hideCursor: true, clearOnComplete: false, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
  }

  update(p: SubtaskProgress): void {
    this.#hostWidth = Math.max(this.#hostWidth, p.hostname.length);
    const host = p.hostname.padEnd(this.#hostWidth);
    const total = barTotal(p.bytesDone, p.bytesTotal);
    const value = p.state === 'succeeded' ? total : p.bytesDone;
    const data = payload(host, p.bytesDone, p.bytesTotal, p.state);
    const bar = this.#bars.get(p.id);
    if (!bar) {
      this.#bars.set(p.id, this.#multi.create(total, value, data));
      return;
    }
    bar.setTotal(total);
    bar.update(value, data);
  }

  log(line: string): void {
    if (this.#multi.isActive) this.#multi.log(`${line}\n`);
    else this.stream.write(`${line}\n`);
  }

  stop(): void {
    if (!this.#multi.isActive) return;
    // stop() alone drops log lines still waiting for the next redraw.
    this.#multi.update();
    this.#multi.stop();
  }

  download(label: string): DownloadBar {
    const bar = new cliProgress.SingleBar(
      { stream: this.stream as NodeJS.WritableStream, format: DOWNLOAD_FORMAT, hideCursor: true, clearOnComplete: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(1, 0, payload(label, 0, null));
    return {
      update: (bytes, total) => {
        bar.setTotal(barTotal(bytes, total));
        bar.update(bytes, payload(label, bytes, total));
      },
      done: () => bar.stop(),
    };
  }
}

/** Not a terminal: a line per state change and per quarter of the bytes, nothing redrawn. */
class PlainView implements ProgressView {
  #last = new Map<number, { state: string; bytes: number }>();

  constructor(private readonly stream: OutStream) {}

  update(p: SubtaskProgress): void {
    const last = this.#last.get(p.id);
    const step = p.bytesTotal ? p.bytesTotal * PLAIN_STEP : Infinity;
    if (last && last.state === p.state && p.bytesDone - last.bytes < step) return;
    this.#last.set(p.id, { state: p.state, bytes: p.bytesDone });
    const size = p.bytesTotal === null ? '' : ` ${humanBytes(p.bytesDone)}/${humanBytes(p.bytesTotal)}`;
    this.stream.write(`${p.hostname}: ${p.state}${size}\n`);
  }

  log(line: string): void {
    this.stream.write(`${line}\n`);
  }

  stop(): void {}

  download(): DownloadBar {
    return { update() {}, done() {} };
  }
}
