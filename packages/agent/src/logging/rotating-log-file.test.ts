import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingLogFile } from './rotating-log-file.js';
import { createAgentLogger } from './create-logger.js';

const line = (i: number): string => `${JSON.stringify({ i, pad: 'x'.repeat(80) })}\n`;

describe('RotatingLogFile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quarry-log-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rotates between whole lines, keeps the newest N files and loses no line', async () => {
    const file = join(dir, 'a', 'agent.log');
    const log = new RotatingLogFile(file, { maxBytes: 1000, keep: 2 });
    for (let i = 0; i < 50; i += 1) log.write(line(i));
    log.close();

    assert.deepEqual((await readdir(join(dir, 'a'))).sort(), ['agent.log', 'agent.log.1', 'agent.log.2']);
    const kept = [];
    for (const name of ['agent.log.2', 'agent.log.1', 'agent.log']) {
      const text = await readFile(join(dir, 'a', name), 'utf8');
      assert.ok(Buffer.byteLength(text) <= 1000, `${name} is ${Buffer.byteLength(text)} bytes`);
      assert.ok(text.endsWith('\n'));
      kept.push(...text.trimEnd().split('\n').map((l) => (JSON.parse(l) as { i: number }).i));
    }
    // The kept files hold the newest lines, in order, with no gap.
    assert.deepEqual(kept, Array.from({ length: kept.length }, (_, k) => 50 - kept.length + k));
    assert.ok(kept.length >= 25, `kept ${kept.length} lines`);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  it('continues an existing file and counts its size', async () => {
    const file = join(dir, 'existing.log');
    await writeFile(file, 'y'.repeat(950));
    const log = new RotatingLogFile(file, { maxBytes: 1000, keep: 1 });
    log.write(line(0));
    log.close();

    assert.equal((await readFile(`${file}.1`, 'utf8')).length, 950);
    assert.equal(await readFile(file, 'utf8'), line(0));
  });

  it('with keep 0 starts the file afresh', async () => {
    const file = join(dir, 'none.log');
    const log = new RotatingLogFile(file, { maxBytes: 1000, keep: 0 });
    for (let i = 0; i < 30; i += 1) log.write(line(i));
    log.close();

    assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('none.log')), ['none.log']);
    assert.ok((await stat(file)).size <= 1000);
  });

  it('is what the agent logger writes to when given a log file', async () => {
    const file = join(dir, 'pino', 'agent.log');
    const logger = createAgentLogger({ logFile: file, logLevel: 'info', logRotation: { maxBytes: 64 * 1024, keep: 1 } });
    for (let i = 0; i < 2000; i += 1) logger.info({ i, credential: 'qa_secret' }, 'a line');

    const rotated = await readFile(`${file}.1`, 'utf8');
    const current = await readFile(file, 'utf8');
    const lines = `${rotated}${current}`.trimEnd().split('\n').map((l) => JSON.parse(l) as { i: number; credential: string });
    assert.equal(lines.at(-1)!.i, 1999);
    assert.ok(lines.every((l, k) => k === 0 || l.i === lines[k - 1]!.i + 1), 'lines are consecutive');
    assert.ok(lines.every((l) => l.credential === '[redacted]'));
  });
});
