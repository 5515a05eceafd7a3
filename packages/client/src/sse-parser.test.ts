import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser, type SseMessage } from './sse-parser.js';

const STREAM =
  '\uFEFF: welcome comment\n' +
  'event: task\r\n' +
  'data: {"a":1}\r\n' +
  '\r\n' +
  'event: progress\n' +
  'id: 7\n' +
  'data:line one\n' +
  'data: line two\n' +
  'retry: 1000\n' +
  '\n' +
  ':keepalive\r' +
  'data: é ✓\r' +
  '\r' +
  'event: empty\n' +
  '\n' +
  'data: unterminated';

const EXPECTED: SseMessage[] = [
  { event: 'task', data: '{"a":1}', id: undefined },
  { event: 'progress', data: 'line one\nline two', id: '7' },
  { event: 'message', data: 'é ✓', id: '7' },
];

function parseInPieces(text: string, cuts: number[]): SseMessage[] {
  const parser = new SseParser();
  const out: SseMessage[] = [];
  let from = 0;
  for (const cut of [...cuts, text.length]) {
    out.push(...parser.push(text.slice(from, cut)));
    from = cut;
  }
  out.push(...parser.end());
  return out;
}

describe('SseParser', () => {
  it('parses a whole stream: comments, BOM, CRLF/CR/LF, multi-line data, ids', () => {
    assert.deepEqual(parseInPieces(STREAM, []), EXPECTED);
  });

  it('gives the same events whatever the split into two pieces', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      assert.deepEqual(parseInPieces(STREAM, [cut]), EXPECTED, `cut at ${cut}`);
    }
  });

  it('gives the same events when fed one character at a time', () => {
    const cuts = Array.from({ length: STREAM.length }, (_, i) => i);

    assert.deepEqual(parseInPieces(STREAM, cuts), EXPECTED);
  });

  it('does not dispatch an event with no data lines', () => {
    const parser = new SseParser();

    assert.deepEqual(parser.push('event: x\n\n: only a comment\n\n'), []);
  });
});
