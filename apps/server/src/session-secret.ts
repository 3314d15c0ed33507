/**
 * The secret that signs the web app's session cookies: PARLEY_SESSION_SECRET when set, otherwise
 * 256 random bits generated on first start and kept in the data directory (`session-secret`,
 * mode 0600), so sessions survive restarts. Several processes starting at once on one data
 * directory agree: the file is created exclusively and the losers read the winner's secret.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SESSION_SECRET_MIN_BYTES } from '@parley/api';
import type { Logger } from 'pino';

export const SESSION_SECRET_FILE = 'session-secret';

export function loadSessionSecret(
  configured: string | undefined,
  dataDir: string,
  logger: Logger,
): string {
  if (configured) return configured;
  const file = path.join(dataDir, SESSION_SECRET_FILE);
  try {
    writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
    logger.info({ file }, 'generated a session secret');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    chmodSync(file, 0o600);
    logger.warn({ file }, 'the session secret was readable by others; made it owner-only');
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (Buffer.byteLength(secret) < SESSION_SECRET_MIN_BYTES) {
    throw new Error(
      `${file} holds fewer than ${SESSION_SECRET_MIN_BYTES} bytes; delete it to generate a new one.`,
    );
  }
  return secret;
}
