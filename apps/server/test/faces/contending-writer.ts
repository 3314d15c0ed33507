/**
 * A second writer on a Parley database file, run as its own process by load.test.ts so that the
 * server under load has to wait for SQLite's write lock (one process cannot make another connection
 * of the same thread wait: SQLite's busy handler would block the thread that holds the lock).
 *
 *   node --import tsx test/faces/contending-writer.ts <database file>
 *
 * Prints "ready", then takes the write lock over and over (holding it a few milliseconds, with a
 * pause of a few milliseconds between) until its stdin ends; then prints one JSON line: the
 * [start, end] wall-clock times of each hold, and how often the lock was already taken
 * (necessarily by the server) when it asked.
 */
import Database from 'better-sqlite3';

const HOLD_MS = 5;
const PAUSE_MS = 5;
/** Bounds the loop even if stdin never ends (a minute of holds). */
const MAX_HOLDS = 6_000;

const file = process.argv[2];
if (!file) throw new Error('usage: contending-writer.ts <database file>');
const db = new Database(file, { timeout: 0 });
db.exec('CREATE TABLE IF NOT EXISTS contention_probe (id INTEGER PRIMARY KEY, at INTEGER)');
const insert = db.prepare('INSERT INTO contention_probe (at) VALUES (?)');
const sleeper = new Int32Array(new SharedArrayBuffer(4));

let stopping = false;
process.stdin.on('end', () => (stopping = true)).resume();

const holds: [number, number][] = [];
let busy = 0;
console.log('ready');
while (!stopping && holds.length < MAX_HOLDS) {
  try {
    db.exec('BEGIN IMMEDIATE');
  } catch (error) {
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    busy += 1; // the server is writing: try again after a pause
    await new Promise((resolve) => setTimeout(resolve, 1));
    continue;
  }
  const start = Date.now();
  insert.run(start);
  Atomics.wait(sleeper, 0, 0, HOLD_MS); // hold the lock without yielding it
  db.exec('COMMIT');
  holds.push([start, Date.now()]);
  await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
}
db.close();
console.log(JSON.stringify({ holds, busy }));
