-- AlterTable: the column is last in the model, so adding it in place matches what Prisma's
-- table rebuild would produce, without copying every conversation.
ALTER TABLE "Conversation" ADD COLUMN "metadata" TEXT NOT NULL DEFAULT '{}';
