import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codeSpans, handWrittenParts, PROTOCOL_URL, tableRows } from './__fixtures__/protocol-document.js';
import { GUEST_EXPORTS, WS_CALLBACK_EXPORTS } from './exports.js';
import { PAYLOADS } from './payloads/all.js';
import { GUEST_EVENT_TYPES } from './payloads/events.js';
import { KNOWN_CAPABILITIES } from './payloads/manifest.js';
import { PERMISSION_TYPES } from './permissions.js';

// The names PROTOCOL.md lists by hand (sections 2, 3 and 5) against the constants the code defines; the
// host functions of section 4 are checked in host-functions/catalogue.test.ts.
const protocol = handWrittenParts(readFileSync(PROTOCOL_URL, 'utf8'));
const protocolSection = protocol.section;

describe('PROTOCOL.md section 2, guest exports', () => {
  const rows = tableRows(protocolSection('## 2. Guest exports'));

  it('lists the exports of GUEST_EXPORTS, in order', () => {
    expect(rows.map(([name]) => (name ?? '').replace(/`/g, ''))).toEqual(Object.keys(GUEST_EXPORTS));
  });

  it('marks as required exactly the exports the code requires', () => {
    for (const [name, , , , required] of rows) {
      const key = (name ?? '').replace(/`/g, '') as keyof typeof GUEST_EXPORTS;
      expect(required === 'yes', key).toBe(GUEST_EXPORTS[key].required);
    }
  });

  it('names the WebSocket callbacks of WS_CALLBACK_EXPORTS', () => {
    const spans = codeSpans(protocolSection('## 2. Guest exports'));
    for (const name of WS_CALLBACK_EXPORTS) expect(spans).toContain(name);
  });
});

describe('PROTOCOL.md section 3, payloads', () => {
  it('gives every payload a subsection naming its JSON Schema file', () => {
    const section = protocolSection('## 3. Payloads');
    for (const payload of PAYLOADS) expect(section, payload.name).toContain(`\`${payload.fileName}.json\``);
  });

  it('lists the known capabilities of KNOWN_CAPABILITIES', () => {
    const row = tableRows(protocolSection('### 3.1 GuestManifest (`guest-manifest.json`)')).find(
      ([field]) => field === '`capabilities`',
    );
    const known = codeSpans(row?.[2] ?? '');
    expect(known).toEqual([...KNOWN_CAPABILITIES]);
  });

  it('lists the host-emitted event types of GUEST_EVENT_TYPES', () => {
    const rows = tableRows(protocolSection('### 3.3 GuestEvent (`guest-event.json`)'));
    const listed = rows.flatMap(([types]) => codeSpans(types ?? ''));
    expect([...listed].sort()).toEqual([...GUEST_EVENT_TYPES].sort());
  });
});

describe('PROTOCOL.md section 5, permissions', () => {
  it('lists the permission types of PERMISSION_TYPES, in order', () => {
    const rows = tableRows(protocolSection('### 5.1 Types'));
    expect(rows.map(([type]) => (type ?? '').replace(/`/g, ''))).toEqual([...PERMISSION_TYPES]);
  });
});
