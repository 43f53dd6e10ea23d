// Validates the configuration once, when the server starts (Node.js runtime only).
export async function register() {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { validateConfigOrExit } = await import('./lib/config/startup.ts');
    validateConfigOrExit();
  }
}
