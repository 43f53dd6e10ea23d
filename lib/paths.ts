import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The project folder and its data folder (the embedded database, the demo API key);
// OPTISCOPE_DATA_DIR moves the latter (the end-to-end tests start from an empty one).
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DATA_DIR = process.env.OPTISCOPE_DATA_DIR
  ? path.resolve(PROJECT_ROOT, process.env.OPTISCOPE_DATA_DIR)
  : path.join(PROJECT_ROOT, '.data');
