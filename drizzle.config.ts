import { defineConfig } from 'drizzle-kit';

// Generates SQL migrations offline; only wrangler applies them (dev, deploy, tests).
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
});
