/**
 * "New chat" (`/`): an empty conversation with the message box focused. Nothing is created until
 * the first message is sent; then the conversation opens with it, and its title arrives live.
 */
import { Composer } from './Composer.tsx';
import { useDocumentTitle } from './ConversationDetail.tsx';
import { NEW_CHAT, useStartConversation } from './mutations.ts';

export function NewChat() {
  const { start, isPending } = useStartConversation();
  useDocumentTitle('New chat');
  return (
    <>
      <div className="detail-title">
        <h1 className="title" tabIndex={-1}>
          New chat
        </h1>
      </div>
      <div className="messages-scroll new-chat">
        <p className="state">
          Parley stores conversations; it does not answer them. Record a conversation here, as any
          role, or from any application through its API (<a href="/docs">the API reference</a>). The
          conversation is created when you send its first message, and named after it.
        </p>
      </div>
      <Composer draftKey={NEW_CHAT} busy={isPending} onSend={(m) => void start(m)} />
    </>
  );
}
