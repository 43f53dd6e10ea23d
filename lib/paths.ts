import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataDirSetting } from './config/index.ts';

// The project folder and its data folder (the embedded database, the demo API key);
// OPTISCOPE_DATA_DIR moves the latter (the end-to-end tests start from an empty one).
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = dataDirSetting();
export const DATA_DIR = dataDir ? path.resolve(PROJECT_ROOT, dataDir) : path.join(PROJECT_ROOT, '.data');
