/**
 * A conversation's metadata (free-form string pairs set through tRPC or the OpenAI face), read
 * only: nothing is shown when there is none.
 */
import type { Conversation } from './trpc.ts';

export function ConversationMetadata({ metadata }: { metadata: Conversation['metadata'] }) {
  const pairs = Object.entries(metadata ?? {});
  if (pairs.length === 0) return null;
  return (
    <dl className="metadata" aria-label="Metadata">
      {pairs.map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
