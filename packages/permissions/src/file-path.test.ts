import { describe, expect, it } from 'vitest';
import { normalizeFilePath } from './file-path.js';

describe('normalizeFilePath', () => {
  it.each([
    ['Daily/2026-03-02.md', undefined, 'Daily/2026-03-02.md'],
    ['./Daily/x.md', undefined, 'Daily/x.md'],
    ['/Daily/x.md', undefined, 'Daily/x.md'],
    ['Daily//x.md', undefined, 'Daily/x.md'],
    ['Daily/./x.md', undefined, 'Daily/x.md'],
    ['Daily/', undefined, 'Daily'],
    ['Daily\\x.md', undefined, 'Daily/x.md'],
    ['', undefined, ''],
    ['.', undefined, ''],
    ['/', undefined, ''],
    ['100%25.md', undefined, '100%25.md'],
    ['a%2fb.md', undefined, 'a%2fb.md'],
    ['...md', undefined, '...md'],
    ['/home/u/ws/Daily/x.md', '/home/u/ws', 'Daily/x.md'],
    ['/home/u/ws', '/home/u/ws/', ''],
    ['/home/u/ws/', '/home/u/ws', ''],
    ['C:\\Users\\u\\ws\\Daily\\x.md', 'C:\\Users\\u\\ws', 'Daily/x.md'],
    ['c:/users/U/WS/Daily/x.md', 'C:\\Users\\u\\ws', 'Daily/x.md'],
    ['Daily/x.md', '/home/u/ws', 'Daily/x.md'],
  ])('%j (root %j) → %j', (raw, root, expected) => {
    expect(normalizeFilePath(raw, root)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['../etc/passwd', undefined, 'contains a ".." segment'],
    ['Daily/../../etc', undefined, 'contains a ".." segment'],
    ['Daily/../Daily/x.md', undefined, 'contains a ".." segment'],
    ['..', undefined, 'contains a ".." segment'],
    ['..\\secret', undefined, 'contains a ".." segment'],
    ['Daily\\..\\..\\secret', undefined, 'contains a ".." segment'],
    ['%2e%2e/etc/passwd', undefined, 'contains a percent-encoded ".." segment'],
    ['Daily%2f..%2fsecret', undefined, 'contains a percent-encoded ".." segment'],
    ['%252e%252e%252fsecret', undefined, 'contains a percent-encoded ".." segment'],
    ['..%5csecret', undefined, 'contains a percent-encoded ".." segment'],
    ['Daily/x.md\0.png', undefined, 'contains a NUL byte'],
    ['Daily/x%00.md', undefined, 'contains a percent-encoded NUL byte'],
    [
      'C:\\Windows\\system.ini',
      undefined,
      'is a drive-letter path; only workspace-relative paths are allowed',
    ],
    ['C:secret', undefined, 'is a drive-letter path; only workspace-relative paths are allowed'],
    [
      '\\\\server\\share\\x',
      undefined,
      'is a UNC or network path; only workspace-relative paths are allowed',
    ],
    ['/etc/passwd', '/home/u/ws', 'is an absolute path outside the workspace root'],
    ['/home/u/wsx/a.md', '/home/u/ws', 'is an absolute path outside the workspace root'],
    ['/home/u/ws/../x', '/home/u/ws', 'contains a ".." segment'],
    ['D:\\ws\\x', 'C:\\ws', 'is an absolute path outside the workspace root'],
    ['/a', '', 'cannot be checked: the workspace root is malformed'],
  ])('refuses %j (root %j): %s', (raw, root, problem) => {
    expect(normalizeFilePath(raw, root)).toEqual({ ok: false, problem });
  });
});
