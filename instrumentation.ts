// Validates the configuration once, when the server starts (Node.js runtime only), and
// answers requests Next.js cannot route before they reach it.
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { validateConfigOrExit } = await import('./lib/config/startup.ts');
    validateConfigOrExit();
    const { installRequestGuard } = await import('./lib/server/request-guard.ts');
    installRequestGuard();
  }
}
