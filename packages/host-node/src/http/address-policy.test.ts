import { describe, expect, it } from 'vitest';
import { classifyAddress, createAddressPolicy } from './address-policy.js';
import { createGuardedLookup } from './guarded-lookup.js';

describe('classifyAddress', () => {
  it('names every range a plugin must not reach, and unicast for public addresses', () => {
    const cases: [string, string][] = [
      ['93.184.215.14', 'unicast'],
      ['2606:4700::1111', 'unicast'],
      ['127.0.0.1', 'loopback'],
      ['::1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['192.168.1.1', 'private'],
      ['169.254.1.1', 'linkLocal'],
      ['fe80::1', 'linkLocal'],
      ['fc00::1', 'uniqueLocal'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['0.0.0.0', 'unspecified'],
      ['::', 'unspecified'],
      ['169.254.169.254', 'metadata'],
      ['fd00:ec2::254', 'metadata'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:169.254.169.254', 'metadata'],
      ['224.0.0.1', 'multicast'],
    ];
    expect(cases.map(([address]) => [address, classifyAddress(address)])).toEqual(cases);
  });
});

describe('createAddressPolicy', () => {
  it('refuses non-public addresses with a message naming the host, address and range', () => {
    const policy = createAddressPolicy();
    expect(policy.check('example.com', '93.184.215.14')).toBeNull();
    expect(policy.check('127.0.0.1', '127.0.0.1')).toBe(
      "destination refused: 127.0.0.1, a loopback address, is not reachable from plugins (the host's allowPrivateHosts does not name it)",
    );
    expect(policy.check('rebind.example', '169.254.169.254')).toBe(
      "destination refused: rebind.example resolves to 169.254.169.254, a cloud metadata address, is not reachable from plugins (the host's allowPrivateHosts does not name it)",
    );
    expect(policy.check('[fd00:ec2::254]', 'fd00:ec2::254')).toContain('a cloud metadata address');
    expect(policy.check('x.example', '100.64.1.1')).toContain('a carrier-grade NAT (CGNAT) address');
  });

  it('allows exactly what allowPrivateHosts names: host names, addresses and CIDR ranges', () => {
    const policy = createAddressPolicy({
      allowPrivateHosts: ['LocalHost', '127.0.0.1', '10.0.0.0/8', '[::1]'],
    });
    expect(policy.check('localhost', '127.0.0.2')).toBeNull();
    expect(policy.check('db.internal', '127.0.0.1')).toBeNull();
    expect(policy.check('db.internal', '::ffff:127.0.0.1')).toBeNull();
    expect(policy.check('db.internal', '10.200.0.1')).toBeNull();
    expect(policy.check('::1', '::1')).toBeNull();
    expect(policy.check('db.internal', '127.0.0.2')).toContain('a loopback address');
    expect(policy.check('db.internal', '192.168.0.1')).toContain('a private address');
    expect(policy.check('db.internal', '169.254.169.254')).toContain('a cloud metadata address');
  });
});

describe('createGuardedLookup', () => {
  const lookup = (addresses: string[], options: { all?: boolean; family?: number } = {}) =>
    new Promise<{ error: Error | null; address: unknown; family?: number | undefined }>((resolve) => {
      const guarded = createGuardedLookup(createAddressPolicy(), async () =>
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      );
      guarded('rebind.example', options, (error, address, family) => resolve({ error, address, family }));
    });

  it('connects only to the public addresses of a name', async () => {
    expect(await lookup(['127.0.0.1', '93.184.215.14'])).toEqual({
      error: null,
      address: '93.184.215.14',
      family: 4,
    });
    expect(await lookup(['10.0.0.1', '2606:4700::1111', '93.184.215.14'], { all: true })).toMatchObject({
      error: null,
      address: [
        { address: '2606:4700::1111', family: 6 },
        { address: '93.184.215.14', family: 4 },
      ],
    });
  });

  it('fails with a BlockedAddressError when every address is refused (a rebinding answer)', async () => {
    const { error } = await lookup(['127.0.0.1', '::1']);
    expect(error).toMatchObject({
      name: 'BlockedAddressError',
      code: 'PLINTH_BLOCKED_ADDRESS',
      message:
        "destination refused: rebind.example resolves to 127.0.0.1, a loopback address, is not reachable from plugins (the host's allowPrivateHosts does not name it)",
    });
  });
});
