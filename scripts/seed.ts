// npm run db:seed — adds the demo projects, runs and API key unless they already exist.
import path from 'node:path';
import { loadDatabaseSettings } from '../lib/config/index.ts';
import { runScript } from '../lib/cli.ts';
import { createSqlClient } from '../lib/db/client.ts';
import { migrate } from '../lib/db/migrate.ts';
import { loadDotEnv, resolveDatabase } from '../lib/db/resolve.ts';
import { seedDemoData } from '../lib/demo/index.ts';

await runScript(async () => {
  loadDotEnv();
  const db = await resolveDatabase();
  try {
    console.log(`Database: ${db.description}`);
    const migration = await migrate(db.url);
    if (migration.applied.length) console.log(`Applied ${migration.applied.length} pending migrations first.`);
    const sql = createSqlClient(db.url, { max: 1, prepare: loadDatabaseSettings().prepare });
    try {
      const result = await seedDemoData(sql);
      if (!result.seeded) {
        console.log(`Demo data already present (${result.existing.join(', ')}); nothing to do.`);
        return;
      }
      const { counts } = result;
      console.log(
        `Seeded demo data: ${counts.projects} projects, ${counts.runs} runs, ${counts.iterations} iterations, ` +
          `${counts.samples} samples, ${counts.apiKeys} API key.`,
      );
      if (result.apiKeyFile) console.log(`Demo API key written to ${path.relative(process.cwd(), result.apiKeyFile)}`);
    } finally {
      await sql.end({ timeout: 5 });
    }
  } finally {
    await db.close();
  }
});
