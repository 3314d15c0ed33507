-- Search (conversation.search): trigram indexes for the ILIKE '%…%' it runs on titles and
-- message contents (packages/api/src/data/search-statements.ts). pg_trgm ships with PostgreSQL
-- (contrib) and is a trusted extension: a user with CREATE on the database may create it.
-- Creating a GIN index indexes the rows that exist already.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX "Conversation_title_trgm_idx" ON "Conversation" USING GIN ("title" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Message_content_trgm_idx" ON "Message" USING GIN ("content" gin_trgm_ops);
