import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The project folder and its .data folder (the embedded database, the demo API key).
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DATA_DIR = path.join(PROJECT_ROOT, '.data');
