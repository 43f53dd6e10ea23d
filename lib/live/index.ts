export { liveHub } from './hub.ts';
export { CHANNEL, publishRunChanges, type RunChange as LiveRunChange } from './publish.ts';
