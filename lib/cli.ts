import { errorMessage } from './db/resolve.ts';

// Runs a script's main: on failure one clear line on stderr and a non-zero exit.
export async function runScript(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    console.error(`error: ${errorMessage(error)}`);
    process.exit(1);
  }
}
