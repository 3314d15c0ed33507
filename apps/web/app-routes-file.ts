/**
 * A Vite plugin for the production build: writes `app-routes.json`, the app's own client-side
 * paths (src/routes.ts) as regular-expression sources, for the server, which answers those paths
 * with index.html and every other one with its JSON 404.
 */
import type { Plugin } from 'vite';
import { APP_ROUTES } from './src/routes.ts';

export function appRoutesFile(): Plugin {
  return {
    name: 'parley:app-routes',
    apply: 'build',
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: 'app-routes.json',
        source: `${JSON.stringify(APP_ROUTES.map((route) => route.source))}\n`,
      });
    },
  };
}
