/** A path inside the WASI sandbox, relative to its root, or why it was refused. */
export type SandboxPath = { ok: true; path: string } | { ok: false; message: string };

/**
 * Checks a guest-supplied path for the sandbox: `/a/b` and `a/b` both mean `<root>/a/b`; `..`, NUL and
 * backslashes are refused outright rather than resolved, so no spelling can name a place outside.
 */
export function toSandboxPath(path: string): SandboxPath {
  const refuse = (why: string): SandboxPath => ({
    ok: false,
    message: `path ${JSON.stringify(path)} is refused: ${why}`,
  });
  if (path.includes('\0')) return refuse('it contains a NUL character');
  if (path.includes('\\')) return refuse('it contains a backslash (use /)');
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return refuse('it contains a ".." segment');
  if (segments.length === 0) return refuse('it names the sandbox root, not a file');
  return { ok: true, path: segments.join('/') };
}
