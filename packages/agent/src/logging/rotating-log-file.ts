import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Size-based rotation of the agent's log file. */
export interface LogRotation {
  /** Rotate once the current file reaches this many bytes. */
  maxBytes: number;
  /** Rotated files kept beside the current one (`agent.log.1` newest … `agent.log.N` oldest); 0 keeps none. */
  keep: number;
}

/**
 * A synchronous, size-rotated log destination for pino (anything with `write(string)` is one).
 *
 * Written here rather than taken from a library: pino's rotating transports (pino-roll and the
 * like) run in a worker thread and write asynchronously, so the last lines before a crash or a
 * service stop can be lost, and an agent on an endpoint runs unattended for months, where a log
 * that only grows would fill the disk. Rotation is by size only: the agent logs little, so
 * time-based rotation would mostly produce empty files.
 *
 * Rotation happens between lines (a line is never split across files). Errors while rotating
 * (a full or read-only disk) keep writing to the current file rather than losing the log.
 */
export class RotatingLogFile {
  readonly #path: string;
  readonly #rotation: LogRotation;
  #fd: number;
  #size: number;

  constructor(path: string, rotation: LogRotation) {
    this.#path = path;
    this.#rotation = rotation;
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'a', 0o600);
    this.#size = fstatSync(this.#fd).size;
  }

  /** One or more complete log lines. */
  write(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (this.#size > 0 && this.#size + bytes > this.#rotation.maxBytes) this.#rotate();
    let buf = Buffer.from(text);
    while (buf.length > 0) buf = buf.subarray(writeSync(this.#fd, buf));
    this.#size += bytes;
  }

  /** Writes are synchronous: nothing is buffered, so there is nothing to flush. */
  flushSync(): void {}

  close(): void {
    closeSync(this.#fd);
  }

  #rotate(): void {
    try {
      const { keep } = this.#rotation;
      if (keep === 0) rmSync(this.#path, { force: true });
      else {
        rmSync(`${this.#path}.${keep}`, { force: true });
        for (let i = keep - 1; i >= 1; i -= 1) renameIfPresent(`${this.#path}.${i}`, `${this.#path}.${i + 1}`);
        renameSync(this.#path, `${this.#path}.1`);
      }
      const fd = openSync(this.#path, 'a', 0o600);
      closeSync(this.#fd);
      this.#fd = fd;
      this.#size = 0;
    } catch {
      // Keep logging to the file we have; the next line tries again once it is over the limit.
    }
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
