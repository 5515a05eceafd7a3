/**
 * The servers an agent may talk to (`--server` given several times, or a comma-separated list):
 * the nodes of one Quarry deployment, sharing a database. The agent uses one at a time, starting
 * with the first, and moves to the next (round robin) when its control channel to the current one
 * fails or closes, so a dead node costs a reconnect, not an outage.
 */
export class ServerList {
  readonly urls: readonly string[];
  #index = 0;

  /** @param urls validated root URLs, at least one; duplicates are dropped. */
  constructor(urls: readonly string[]) {
    const unique = [...new Set(urls)];
    if (unique.length === 0) throw new Error('ServerList needs at least one server URL');
    this.urls = Object.freeze(unique);
  }

  get size(): number {
    return this.urls.length;
  }

  /** The server in use. */
  get current(): string {
    return this.urls[this.#index]!;
  }

  /** Moves to the next server (wrapping around) and returns it. */
  advance(): string {
    this.#index = (this.#index + 1) % this.urls.length;
    return this.current;
  }
}

/** Splits `--server` values: each may itself be a comma-separated list; blanks are ignored. */
export function splitServerValues(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}
