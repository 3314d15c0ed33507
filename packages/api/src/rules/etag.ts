/**
 * Optimistic concurrency on REST: a conversation's ETag is its version, and If-Match on a rename
 * becomes the router's expectedVersion (a stale one is 412 in the face's shape). The faces and
 * the bench's baselines read If-Match by this one parser.
 */
export function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version an If-Match header requires: undefined when absent or `*` (any current version),
 * a number for one entity tag (weak or strong), or 'unsatisfiable' when nothing can match.
 */
export function versionFromIfMatch(
  header: string | undefined,
): number | undefined | 'unsatisfiable' {
  if (header === undefined) return undefined;
  const tags = header
    .split(',')
    .map((tag) => tag.trim())
    .filter(Boolean);
  if (tags.includes('*')) return undefined;
  const versions = new Set(
    tags
      .map((tag) => /^(?:W\/)?"(\d{1,9})"$/.exec(tag)?.[1])
      .map((v) => (v === undefined ? NaN : Number(v))),
  );
  // One version at a time can be current; several different ones cannot all be expected at once.
  if (versions.size !== 1) return 'unsatisfiable';
  const [version] = versions;
  return version !== undefined && Number.isInteger(version) && version >= 1
    ? version
    : 'unsatisfiable';
}
