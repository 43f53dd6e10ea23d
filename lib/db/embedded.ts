import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DEFAULT_EMBEDDED_PORT } from '../config/index.ts';


export interface EmbeddedDatabase {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

// PGlite persisted in dataDir, served over the Postgres wire protocol on loopback so the
// app, the scripts and the tests use the same postgres.js code path as on a real server.
export async function startEmbeddedDatabase(options: {
  dataDir: string;
  port?: number;
  maxConnections?: number;
}): Promise<EmbeddedDatabase> {
  const inMemory = options.dataDir.startsWith('memory://');
  const dataDir = inMemory ? options.dataDir : path.resolve(options.dataDir);
  if (!inMemory) await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: options.port ?? DEFAULT_EMBEDDED_PORT,
    maxConnections: options.maxConnections ?? 32,
  });
  await server.start();
  const port = await boundPort(server, options.port ?? DEFAULT_EMBEDDED_PORT);
  return {
    url: embeddedDatabaseUrl(port),
    port,
    dataDir,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

// How a client reaches an embedded database served on the port (by this process or another).
export function embeddedDatabaseUrl(port: number): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
}

async function boundPort(server: PGLiteSocketServer, requested: number): Promise<number> {
  if (requested !== 0) return requested;
  const address = (server as unknown as { server?: net.Server }).server?.address();
  if (address && typeof address === 'object') return address.port;
  throw new Error('could not read the embedded database port');
}

// Whether something already accepts connections on the port (a running `npm start`).
export function isPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.setTimeout(500, () => { socket.destroy(); resolve(false); });
  });
}
