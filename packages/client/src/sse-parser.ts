/** One dispatched server-sent event. */
export interface SseMessage {
  /** `message` when the stream did not name the event. */
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * Incremental text/event-stream parser (WHATWG HTML §9.2.6). Feed it decoded text in whatever
 * pieces the network delivers; it returns the events completed by each piece. Handles CRLF, CR
 * and LF line ends (including a CRLF split across pieces), comments, multi-line `data`, and a
 * leading BOM.
 */
export class SseParser {
  #buffer = '';
  #data: string[] = [];
  #event = '';
  #lastId: string | undefined;
  #started = false;
  /** The previous piece ended in CR: a LF starting this piece belongs to that line end. */
  #pendingCr = false;

  push(text: string): SseMessage[] {
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.#pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.#pendingCr = false;
    this.#buffer += text;
    const out: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer);
      if (!match) break;
      // A trailing CR may be the first half of CRLF; consume it but remember.
      if (match[0] === '\r' && match.index === this.#buffer.length - 1) this.#pendingCr = true;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      const message = this.#line(line);
      if (message) out.push(message);
    }
    return out;
  }

  /** End of stream: an event without its terminating blank line is discarded, as the spec says. */
  end(): SseMessage[] {
    this.#buffer = '';
    this.#data = [];
    this.#event = '';
    return [];
  }

  #line(line: string): SseMessage | null {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.#data.push(value);
        break;
      case 'event':
        this.#event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.#lastId = value;
        break;
      default:
        // `retry` and unknown fields do not matter to a consumer that reconnects by polling.
        break;
    }
    return null;
  }

  #dispatch(): SseMessage | null {
    const data = this.#data;
    const event = this.#event;
    this.#data = [];
    this.#event = '';
    if (data.length === 0) return null;
    return { event: event || 'message', data: data.join('\n'), id: this.#lastId };
  }
}
