/**
 * The message box under a conversation (and on "New chat"): Ctrl+Enter or Send adds the message
 * as the role picked. Parley answers nothing itself: the role says who wrote the message (a
 * person, the assistant whose reply is being recorded, or the system prompt).
 */
import { MESSAGE_CONTENT_MAX_LENGTH, MESSAGE_ROLES, type MessageRole } from '@parley/api/rules';
import { useId, useState, type FormEvent } from 'react';
import { useDraft } from './drafts.ts';

export function Composer({
  draftKey,
  onSend,
  busy = false,
}: {
  /** Whose draft the box shows: a conversation's id, or NEW_CHAT. */
  draftKey: string;
  onSend: (message: { role: MessageRole; content: string }) => void;
  busy?: boolean;
}) {
  const [content, setContent] = useDraft(draftKey);
  const [role, setRole] = useState<MessageRole>('user');
  const ids = { content: useId(), role: useId(), hint: useId(), roleHint: useId() };
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (content.trim() === '' || busy) return;
    setContent(''); // the message shows in the conversation at once: never in both places
    onSend({ role, content });
  };
  return (
    <form className="composer" onSubmit={submit} aria-label="Add a message">
      <label htmlFor={ids.content} className="sr-only">
        Message
      </label>
      <textarea
        id={ids.content}
        value={content}
        rows={3}
        maxLength={MESSAGE_CONTENT_MAX_LENGTH}
        placeholder="Write a message (Markdown)…"
        onChange={(e) => setContent(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit();
        }}
        aria-describedby={`${ids.hint} ${ids.roleHint}`}
      />
      <div className="composer-row">
        <label htmlFor={ids.role}>As</label>
        <select
          id={ids.role}
          value={role}
          onChange={(e) => setRole(e.target.value as MessageRole)}
          aria-describedby={ids.roleHint}
        >
          {MESSAGE_ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <span id={ids.hint} className="hint">
          Ctrl+Enter sends.
        </span>
        <button type="submit" disabled={content.trim() === '' || busy}>
          {busy ? 'Sending…' : 'Send'}
        </button>
      </div>
      <p id={ids.roleHint} className="hint role-hint">
        Parley stores conversations; it does not answer them. “As” says who wrote the message: a
        person (user), a model’s reply you are recording (assistant), or instructions (system).
      </p>
    </form>
  );
}
