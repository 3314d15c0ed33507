-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN "archivedAt" DATETIME;
ALTER TABLE "Conversation" ADD COLUMN "pinnedAt" DATETIME;
