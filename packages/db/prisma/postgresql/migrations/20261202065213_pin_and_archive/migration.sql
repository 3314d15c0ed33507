-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "archivedAt" TIMESTAMPTZ(3),
ADD COLUMN     "pinnedAt" TIMESTAMPTZ(3);
