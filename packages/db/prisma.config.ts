// Configuration for the Prisma CLI (used here only for `prisma generate`; migrations run
// through the WebAssembly schema engine, see src/migrate).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
