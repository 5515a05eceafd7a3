import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_URL, loadConfig } from './load.js';

describe('loadConfig', () => {
  it('defaults the URL and leaves the key unset', () => {
    assert.deepEqual(loadConfig({}, {}), { url: DEFAULT_URL, apiKey: undefined });
  });

  it('reads QUARRY_URL and QUARRY_API_KEY', () => {
    assert.deepEqual(loadConfig({}, { QUARRY_URL: 'http://h:1', QUARRY_API_KEY: 'qk_a.b' }), { url: 'http://h:1', apiKey: 'qk_a.b' });
  });

  it('lets flags override the environment and ignores blank values', () => {
    const config = loadConfig({ url: 'http://flag:2', apiKey: ' ' }, { QUARRY_URL: 'http://env:1', QUARRY_API_KEY: 'qk_env.k' });

    assert.deepEqual(config, { url: 'http://flag:2', apiKey: 'qk_env.k' });
  });
});
