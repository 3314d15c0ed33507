/**
 * One connection that LISTENs on a PostgreSQL channel, for as long as the process runs: when it is
 * lost (PostgreSQL restarted, the backend terminated, the network cut) it connects again by
 * itself, with a growing pause between tries, and says so, because whatever was notified
 * meanwhile is gone. Notifications are sent with pg_notify on any connection (the pool's).
 */
import pg from 'pg';
import { DatabaseUnreachableError, postgresConnectionOptions } from './client.ts';

export interface NotificationListenerOptions {
  /** DATABASE_URL. */
  url: string;
  /** The channel to LISTEN on (an identifier, quoted here). */
  channel: string;
  /** pg_stat_activity's application_name of the connection, so it can be told apart. */
  applicationName: string;
  onNotification(payload: string): void;
  /** The connection was lost: notifications stop until onListening(true). */
  onLost?(error: unknown): void;
  /** LISTEN is in place again after a loss; whatever was notified in between was missed. */
  onReconnected?(): void;
}

export interface NotificationListener {
  /** Stops listening and closes the connection; no reconnection after it. */
  close(): Promise<void>;
}

/** Pauses between reconnection attempts: from the first to the largest, doubling. */
const FIRST_RETRY_MS = 100;
const LARGEST_RETRY_MS = 5_000;

/**
 * Connects and LISTENs; resolves once the first LISTEN is in place. A first connection that
 * fails rejects (a DatabaseUnreachableError, no password), as opening the database does.
 */
export async function listenForNotifications(
  options: NotificationListenerOptions,
): Promise<NotificationListener> {
  let current: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  /** One connection with LISTEN in place; a connection lost later calls `lost`. */
  const connect = async (): Promise<pg.Client> => {
    const client = new pg.Client({
      ...postgresConnectionOptions(options.url),
      application_name: options.applicationName,
      // A peer that vanished without closing (a cut network) is noticed within about a minute.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    let alive = true;
    const down = (error: unknown) => {
      if (!alive) return;
      alive = false;
      if (client === current) lost(error);
    };
    client.on('error', down);
    client.on('end', () => down(new Error('connection ended')));
    client.on('notification', (message) => {
      if (message.channel === options.channel && message.payload !== undefined)
        options.onNotification(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${options.channel.replaceAll('"', '""')}"`);
    } catch (error) {
      alive = false;
      void client.end().catch(() => undefined);
      throw error;
    }
    if (!alive) throw new Error('connection lost while starting to listen');
    return client;
  };

  const lost = (error: unknown) => {
    const client = current;
    current = undefined;
    void client?.end().catch(() => undefined);
    if (closed) return;
    options.onLost?.(error);
    reconnect(FIRST_RETRY_MS);
  };

  const reconnect = (delayMs: number) => {
    retry = setTimeout(() => {
      connect().then(
        (client) => {
          if (closed) return void client.end().catch(() => undefined);
          current = client;
          options.onReconnected?.();
        },
        () => {
          if (!closed) reconnect(Math.min(delayMs * 2, LARGEST_RETRY_MS));
        },
      );
    }, delayMs);
  };

  try {
    current = await connect();
  } catch (error) {
    throw new DatabaseUnreachableError(options.url, error);
  }
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const client = current;
      current = undefined;
      await client?.end().catch(() => undefined);
    },
  };
}
