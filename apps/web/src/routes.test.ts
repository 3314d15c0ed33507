import { describe, expect, it } from 'vitest';
import { parseRoute } from './router.ts';
import { APP_ROUTES } from './routes.ts';

describe('the app’s own paths', () => {
  it('are exactly the paths the router has a screen for (the server serves only these)', () => {
    const paths = [
      '/',
      '/c/01ARZ3NDEKTSV4RRFFQ69G5FAV',
      '/c/conv_01arz3/',
      '/c',
      '/c/',
      '/archived',
      '/data',
    ];
    const more = [
      '/c/a/b',
      '/health',
      '/api',
      '/c/' + 'x'.repeat(65),
      '/settings',
      '//',
      '/archived/x',
      '/data/x',
    ];
    for (const path of [...paths, ...more]) {
      const served = APP_ROUTES.some((route) => route.test(path));
      expect(served, path).toBe(parseRoute(path).name !== 'missing');
    }
  });
});
