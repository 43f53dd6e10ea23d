// Stands in for the `server-only` marker package under Vitest, which is not a React
// server environment; Next.js enforces the real marker at build time.
export {};
