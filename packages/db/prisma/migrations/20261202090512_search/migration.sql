-- Search (conversation.search): FTS5 indexes over conversation titles and message contents,
-- hand-written (virtual tables and triggers are not in the Prisma model).
--
-- External content: the index holds no copy of the text, it reads it back from "Conversation" and
-- "Message" by rowid. The trigram tokenizer indexes every sequence of three characters, case
-- folded, whatever the language: no stemming, and CJK or emoji are found as substrings. Queries
-- of fewer than three characters are answered without the index
-- (packages/api/src/data/search-statements.ts).
CREATE VIRTUAL TABLE "ConversationTitleSearch" USING fts5(
  "title", content='Conversation', content_rowid='rowid', tokenize='trigram'
);
CREATE VIRTUAL TABLE "MessageSearch" USING fts5(
  "content", content='Message', content_rowid='rowid', tokenize='trigram'
);

-- Kept in step by triggers, so every statement that writes a title or a message updates the
-- index in the same transaction: creates, imports (the model API), renames, message deletes,
-- and conversation deletes (their messages go by ON DELETE CASCADE, which fires the triggers).
CREATE TRIGGER "ConversationTitleSearch_insert" AFTER INSERT ON "Conversation" BEGIN
  INSERT INTO "ConversationTitleSearch" (rowid, "title") VALUES (new.rowid, new."title");
END;
CREATE TRIGGER "ConversationTitleSearch_delete" AFTER DELETE ON "Conversation" BEGIN
  INSERT INTO "ConversationTitleSearch" ("ConversationTitleSearch", rowid, "title")
  VALUES ('delete', old.rowid, old."title");
END;
-- Only a change of title touches the index, not the counters every append updates.
CREATE TRIGGER "ConversationTitleSearch_update" AFTER UPDATE OF "title" ON "Conversation" BEGIN
  INSERT INTO "ConversationTitleSearch" ("ConversationTitleSearch", rowid, "title")
  VALUES ('delete', old.rowid, old."title");
  INSERT INTO "ConversationTitleSearch" (rowid, "title") VALUES (new.rowid, new."title");
END;

CREATE TRIGGER "MessageSearch_insert" AFTER INSERT ON "Message" BEGIN
  INSERT INTO "MessageSearch" (rowid, "content") VALUES (new.rowid, new."content");
END;
CREATE TRIGGER "MessageSearch_delete" AFTER DELETE ON "Message" BEGIN
  INSERT INTO "MessageSearch" ("MessageSearch", rowid, "content")
  VALUES ('delete', old.rowid, old."content");
END;
CREATE TRIGGER "MessageSearch_update" AFTER UPDATE OF "content" ON "Message" BEGIN
  INSERT INTO "MessageSearch" ("MessageSearch", rowid, "content")
  VALUES ('delete', old.rowid, old."content");
  INSERT INTO "MessageSearch" (rowid, "content") VALUES (new.rowid, new."content");
END;

-- Index the rows that exist already.
INSERT INTO "ConversationTitleSearch" ("ConversationTitleSearch") VALUES ('rebuild');
INSERT INTO "MessageSearch" ("MessageSearch") VALUES ('rebuild');
