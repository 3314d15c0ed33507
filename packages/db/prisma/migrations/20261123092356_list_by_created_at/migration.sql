-- CreateIndex
CREATE INDEX "Conversation_userId_createdAt_id_idx" ON "Conversation"("userId", "createdAt" DESC, "id" DESC);
