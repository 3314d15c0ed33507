/**
 * Inline rename: the title becomes a text field of exactly the same size (no layout shift).
 * Enter saves, Escape cancels, leaving the field saves a valid change. The count of characters
 * is live and counts what the server counts: graphemes of the NFC-normalised, trimmed title
 * (👩🏽‍💻 is one), by the very rule the server runs (@parley/api/rules).
 */
import { countGraphemes, normalizeTitle, TITLE_MAX_GRAPHEMES } from '@parley/api/rules';
import { useEffect, useId, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import { useRenameConversation } from './mutations.ts';
import type { Conversation } from './trpc.ts';

export type CloseReason = 'saved' | 'cancelled' | 'left';

/**
 * The inline-rename toggle shared by the list and the detail view: while editing, the editor is
 * shown; when it closes by Enter or Escape the focus returns to the Rename button (not when the
 * person clicked elsewhere).
 */
export function useInlineRename() {
  const [editing, setEditing] = useState(false);
  const renameButton = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (!editing && refocus.current) {
      refocus.current = false;
      renameButton.current?.focus();
    }
  }, [editing]);
  const close = (reason: CloseReason) => {
    refocus.current = reason !== 'left';
    setEditing(false);
  };
  return { editing, open: () => setEditing(true), close, renameButton };
}

export function TitleCounter({ text, id }: { text: string; id: string }) {
  const count = countGraphemes(text.normalize('NFC').trim());
  const over = count > TITLE_MAX_GRAPHEMES;
  return (
    <span id={id} className={over ? 'counter over' : 'counter'}>
      <span aria-hidden="true">
        {count}/{TITLE_MAX_GRAPHEMES}
      </span>
      <span className="sr-only">
        {count} of at most {TITLE_MAX_GRAPHEMES} characters
      </span>
    </span>
  );
}

export function TitleEditor({
  conversation,
  onClose,
}: {
  conversation: Conversation;
  onClose: (reason: CloseReason) => void;
}) {
  const [draft, setDraft] = useState(conversation.title);
  // Renames made elsewhere after this point make the save a conflict, not a silent overwrite.
  const [baseVersion] = useState(conversation.version);
  const input = useRef<HTMLInputElement>(null);
  const closed = useRef(false);
  const { rename } = useRenameConversation();
  const ids = { counter: useId(), message: useId(), hint: useId() };

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  const check = normalizeTitle(draft);
  const changed = check.ok && check.title !== conversation.title;
  const invalid = !check.ok;

  const close = (reason: CloseReason) => {
    if (closed.current) return;
    closed.current = true;
    onClose(reason);
  };

  const save = (reason: CloseReason) => {
    if (invalid) return false;
    if (changed) rename({ conversation, title: draft, baseVersion });
    close(reason);
    return true;
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      if (!save('saved')) input.current?.select();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close('cancelled');
    }
  };

  // Focus moving out of the editor (not to its own buttons) saves a valid change; an invalid
  // draft stays open with its message, so nothing typed is lost.
  const onBlur = (event: FocusEvent<HTMLDivElement>) => {
    if (event.currentTarget.contains(event.relatedTarget)) return;
    if (!changed && !invalid) close('left');
    else if (changed) save('left');
  };

  return (
    <div className="editor" onBlur={onBlur}>
      <input
        ref={input}
        className="title-input"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={onKeyDown}
        aria-label={`New title for “${conversation.title}”`}
        aria-invalid={invalid}
        aria-describedby={`${ids.counter} ${invalid ? ids.message : ''} ${ids.hint}`}
        autoComplete="off"
        spellCheck
      />
      {invalid && (
        <p id={ids.message} className="editor-message" role="status">
          {check.message}
        </p>
      )}
      <span id={ids.hint} className="sr-only">
        Enter saves, Escape cancels.
      </span>
      <span className="editor-actions">
        <TitleCounter text={draft} id={ids.counter} />
        <button
          type="button"
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => save('saved')}
          disabled={invalid}
        >
          Save
        </button>
        <button
          type="button"
          className="quiet"
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => close('cancelled')}
        >
          Cancel
        </button>
      </span>
    </div>
  );
}
