import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { guestInfoSchema } from './guest-info.js';
import { readCorpusJson } from './read-corpus-json.js';

describe('readCorpusJson', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const write = (text: string) => {
    dir = mkdtempSync(join(tmpdir(), 'plinth-guests-'));
    const path = join(dir, 'guests.json');
    writeFileSync(path, text);
    return path;
  };

  it('names the file and says how to regenerate it when it is not JSON', () => {
    const path = write('[{"name": ');
    expect(() => readCorpusJson(path, z.array(guestInfoSchema))).toThrow(
      expect.objectContaining({
        code: 'invalid_json',
        message: expect.stringMatching(new RegExp(`^${path} is not JSON .*run \`pnpm guests:build\`$`)),
      }),
    );
  });

  it('names the entry and field that do not match the schema', () => {
    const entry = {
      name: 'x',
      language: 'cobol',
      kind: 'golden',
      source: 'plugin.c',
      description: '',
      expect: '',
      path: '../outside/plugin.wasm',
      sha256: 'abc',
      size: 1,
    };
    const path = write(JSON.stringify([entry]));
    let error: unknown;
    try {
      readCorpusJson(path, z.array(guestInfoSchema));
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'invalid_payload' });
    const message = (error as Error).message;
    expect(message).toContain(`${path} does not match the corpus schema`);
    expect(message).toMatch(/\[0\]\.language: /);
    expect(message).toContain('[0].path: must be <kind>/<name>/plugin.wasm');
    expect(message).toContain('[0].sha256: must be 64 lowercase hex digits');
  });
});
