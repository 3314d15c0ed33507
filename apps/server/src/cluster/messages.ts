/**
 * What the cluster's primary and its workers say to each other over IPC (node:cluster's channel,
 * JSON). Every message of Parley's carries a `parley` tag, so Node's own cluster messages and
 * anything else on the channel pass by untouched.
 */
import type { ConversationEvent } from '@parley/api';
import type { Hit, HitCount } from '../http/limits.ts';

/** A live-change event, from the worker that wrote to the primary and on to the other workers. */
export interface EventMessage {
  parley: 'event';
  ownerId: string;
  event: ConversationEvent;
}

/** Rate-limit hits to count (worker → primary), answered with the counts under the same id. */
export interface HitsMessage {
  parley: 'hits';
  id: number;
  hits: Hit[];
}

export interface CountsMessage {
  parley: 'counts';
  id: number;
  counts: HitCount[];
}

/** Primary → worker: drain and exit (as a SIGTERM to a single process does). */
export interface ShutdownMessage {
  parley: 'shutdown';
}

export type ToPrimary = EventMessage | HitsMessage;
export type ToWorker = EventMessage | CountsMessage | ShutdownMessage;

export function isParleyMessage<T extends { parley: string }>(
  message: unknown,
  tag: T['parley'],
): message is T {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { parley?: unknown }).parley === tag
  );
}

/** Sends on this worker's channel to the primary; false when the channel is gone (never throws). */
export function sendToPrimary(message: ToPrimary): boolean {
  if (!process.send || !process.connected) return false;
  try {
    return process.send(message);
  } catch {
    return false; // closed between the check and the send: the worker is going away
  }
}
