import { describe, expect, it } from 'vitest';
import { decodeGuestManifest } from './index.js';

describe('smoke', () => {
  it('decodes a manifest', () => {
    const r = decodeGuestManifest(JSON.stringify({ id: 'acme.x', name: 'X', version: '1.0.0', description: 'd', capabilities: ['custom_commands', 'weird'] }));
    expect(r.ok).toBe(true);
  });
});
