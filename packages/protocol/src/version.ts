/** The protocol versions this package speaks, inclusive. A guest outside the window is refused at load. */
export const PROTOCOL_VERSION = { min: 1, max: 1, current: 1 } as const;

const NUMERIC = '(?:0|[1-9][0-9]*)';
const PRERELEASE_ID = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
const BUILD_ID = '[0-9A-Za-z-]+';

/** A strict Semantic Versioning 2.0.0 version: `1.2.3`, `1.2.3-beta.1`, `1.2.3+build.5`. No `v` prefix. */
export const SEMVER_PATTERN = new RegExp(
  `^${NUMERIC}\\.${NUMERIC}\\.${NUMERIC}(?:-${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*)?(?:\\+${BUILD_ID}(?:\\.${BUILD_ID})*)?$`,
);

/**
 * A canonical plugin id: lowercase `[a-z0-9-]` segments joined by `.`, at least two segments, e.g.
 * `acme.word-count`. Segments neither start nor end with `-`. At most `PLUGIN_ID_MAX_LENGTH` characters.
 */
export const PLUGIN_ID_MAX_LENGTH = 128;

/** The shape of a canonical plugin id (see PLUGIN_ID_MAX_LENGTH); it does not check the length. */
export const PLUGIN_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** Whether `value` is a strict semver version (SEMVER_PATTERN). */
export function isSemver(value: string): boolean {
  return SEMVER_PATTERN.test(value);
}

/**
 * Whether `value` is a canonical plugin id: matches PLUGIN_ID_PATTERN and is at most PLUGIN_ID_MAX_LENGTH
 * characters.
 */
export function isCanonicalPluginId(value: string): boolean {
  return value.length <= PLUGIN_ID_MAX_LENGTH && PLUGIN_ID_PATTERN.test(value);
}
