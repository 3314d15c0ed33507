/**
 * `pnpm start`: prints the shell command that starts the production bundle with the settings of
 * production.ts, and the start script execs it. A shell line in package.json cannot import those
 * settings, and a Node process that spawned the server instead would stay beside it for its whole
 * life (some 43 MB resident) and a second process for signals to reach: pnpm signals the script's
 * whole process group, so a launcher that forwarded SIGTERM would deliver it twice, and the server
 * takes a second signal to mean "exit now, skip the drain". With exec the server takes the shell's
 * place: one process, whose signals and exit code are the server's own.
 */
import { PRODUCTION_ENV, PRODUCTION_NODE_FLAGS, SERVER_BUNDLE } from './production.ts';

/** One shell word, whatever it holds (a path may contain spaces or quotes). */
const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

const variables = Object.entries(PRODUCTION_ENV).map(([name, value]) => `${name}=${quote(value)}`);
const command = [process.execPath, ...PRODUCTION_NODE_FLAGS, SERVER_BUNDLE].map(quote);
process.stdout.write(`export ${variables.join(' ')}; exec ${command.join(' ')}\n`);
