import { describe, expect, it } from 'vitest';
import { etagOf, versionFromIfMatch } from './etag.ts';

describe('If-Match', () => {
  it('reads one version, any, or nothing that can match', () => {
    expect(versionFromIfMatch(undefined)).toBeUndefined();
    expect(versionFromIfMatch('*')).toBeUndefined();
    expect(versionFromIfMatch('"3"')).toBe(3);
    expect(versionFromIfMatch('W/"3", "3"')).toBe(3);
    expect(versionFromIfMatch('"3", "4"')).toBe('unsatisfiable');
    expect(versionFromIfMatch('"0"')).toBe('unsatisfiable');
    expect(versionFromIfMatch('nope')).toBe('unsatisfiable');
  });

  it('matches the ETag a version is served with', () => {
    expect(versionFromIfMatch(etagOf(42))).toBe(42);
    expect(versionFromIfMatch(`W/${etagOf(42)}`)).toBe(42);
  });
});
