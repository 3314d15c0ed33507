/**
 * `@parley/server/testing`: what other packages' tests need of this one (the web app's end-to-end
 * tests start the real server process). The in-process app (in-process-app.ts) stays out: it
 * loads the whole Express app and a test database, and serves this package's own tests.
 */
export * from './server-process.ts';
