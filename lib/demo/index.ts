import 'server-only';

export { generateDemoData, DEMO_PROJECT_IDS, DEMO_SEED, type DemoData } from './generator.ts';
export { seedDemoData, readDemoApiKey, DEMO_API_KEY_FILE, type SeedResult, type SeedCounts } from './seed.ts';
