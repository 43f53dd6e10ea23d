import 'server-only';

// The data layer: every read and write of Optiscope data goes through these functions,
// each inside withUserScope so PostgreSQL's row-level security applies to the caller.
export * from './schemas.ts';
export * from './errors.ts';
export type * from './dto.ts';
export { userScope, type Scope } from './scope.ts';
export {
  createOptimizationRun,
  getOptimizationRun,
  updateOptimizationRun,
  deleteOptimizationRun,
  listOptimizationRuns,
  isStatusTransitionAllowed,
} from './runs.ts';
export {
  createOptimizationIteration,
  createOptimizationIterations,
  listOptimizationIterations,
  getBestOptimizationIteration,
} from './iterations.ts';
export { batchCreateOptimizationSamples, listOptimizationSamples, type SampleBatchResult } from './samples.ts';
export {
  getOptimizationRunSummary,
  getTopRunsByScore,
  getOptimizationAnalytics,
  refreshOptimizationAnalytics,
  type ProjectAnalytics,
  type RefreshResult,
} from './read-models.ts';
export {
  listProjects,
  getProject,
  createProject,
  listProjectMembers,
  addProjectMember,
  updateProjectMemberRole,
  removeProjectMember,
  listApiKeys,
  createApiKey,
  revokeApiKey,
} from './projects.ts';
