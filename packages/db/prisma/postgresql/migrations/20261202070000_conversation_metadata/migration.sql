-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "metadata" TEXT NOT NULL DEFAULT '{}';
