// npm run db:migrate — applies pending migrations to DATABASE_URL or the embedded database.
import { runScript } from '../lib/cli.ts';
import { migrate } from '../lib/db/migrate.ts';
import { loadDotEnv, resolveDatabase } from '../lib/db/resolve.ts';

await runScript(async () => {
  loadDotEnv();
  const db = await resolveDatabase();
  try {
    console.log(`Database: ${db.description}`);
    const result = await migrate(db.url, { log: (line) => console.log(`  ${line}`) });
    console.log(
      result.applied.length === 0
        ? `Up to date: ${result.alreadyApplied.length} migrations already applied.`
        : `Migrated: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied.`,
    );
  } finally {
    await db.close();
  }
});
