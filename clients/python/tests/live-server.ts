// Runs the Python client's tests against a live production server:
//   node --conditions=react-server clients/python/tests/live-server.ts [-- command ...]
// Starts `next start` (the existing build) on a fresh, migrated PostgreSQL database,
// creates the fixtures (a user, projects A and B, a read+write and a read-only key of A,
// a run in B), runs the command (by default the unittest suite) with OPTISCOPE_* set,
// stops the server and exits with the command's exit code.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateApiKey } from '../../../lib/auth/api-key.ts';
import { startTestServer } from '../../../tests/support/test-server.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const separator = process.argv.indexOf('--');
const command =
  separator >= 0 && process.argv.length > separator + 1
    ? process.argv.slice(separator + 1)
    : ['python3', '-m', 'unittest', 'discover', '-s', 'clients/python/tests', '-v'];

const server = await startTestServer({ mode: 'local', env: { API_RATE_LIMIT_PER_MINUTE: '100000' } });
let exitCode = 1;
try {
  const { sql } = server.db;
  const userId = randomUUID();
  await sql`insert into auth.users (id, email) values (${userId}, ${`py-client-${userId.slice(0, 8)}@example.test`})`;
  for (const id of ['py-client-a', 'py-client-b']) {
    await sql`insert into project_config (id, name) values (${id}, ${`Python client ${id.slice(-1).toUpperCase()}`})`;
    await sql`insert into project_members (project_id, user_id, role) values (${id}, ${userId}, 'owner')`;
  }
  const writeKey = generateApiKey();
  const readKey = generateApiKey();
  const keyB = generateApiKey();
  const keys: Array<[string, string, ReturnType<typeof generateApiKey>, string[]]> = [
    ['py-client-a', 'python tests (read+write)', writeKey, ['read', 'write']],
    ['py-client-a', 'python tests (read-only)', readKey, ['read']],
    ['py-client-b', 'python tests (project B)', keyB, ['read', 'write']],
  ];
  for (const [projectId, name, key, scopes] of keys) {
    await sql`
      insert into api_keys (project_id, name, key_hash, key_prefix, scopes, created_by)
      values (${projectId}, ${name}, ${key.hash}, ${key.displayPrefix}, ${scopes}::text[], ${userId})
    `;
  }
  const otherRunId = randomUUID();
  await sql`
    insert into optimization_runs (id, project_id, run_name, optimizer_type, status, config, tags)
    values (${otherRunId}, 'py-client-b', 'run of project B', 'miprov2', 'completed',
            ${sql.json({ model: 'gpt-4o-mini' })}, ${['project-b']}::text[])
  `;

  console.log(`[live-server] ${server.baseUrl} (PostgreSQL ${server.db.url.replace(/^.*\//, '')}); running: ${command.join(' ')}`);
  const child = spawn(command[0]!, command.slice(1), {
    cwd: root,
    env: {
      ...process.env,
      OPTISCOPE_URL: server.baseUrl,
      OPTISCOPE_API_KEY: writeKey.key,
      OPTISCOPE_READONLY_API_KEY: readKey.key,
      OPTISCOPE_OTHER_RUN_ID: otherRunId,
      OPTISCOPE_OTHER_API_KEY: keyB.key,
      OPTISCOPE_PROJECT_ID: 'py-client-a',
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(process.stdout);
  child.stderr.pipe(process.stderr);
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  exitCode = await new Promise<number>((resolve) => {
    child.once('error', (error) => {
      console.error(`[live-server] could not run ${command[0]}: ${error.message}`);
      resolve(127);
    });
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
  });
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  if (exitCode !== 0 && process.env.PYTHON_CLIENT_SERVER_LOGS) {
    console.error('[live-server] server log:\n' + server.logs());
  }
} catch (error) {
  console.error('[live-server] fixture setup failed:', error);
  console.error(server.logs());
  exitCode = 1;
} finally {
  await server.stop();
}
process.exit(exitCode);
