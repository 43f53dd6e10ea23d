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
  getOptimizationRunWithIterations,
} from './iterations.ts';
export { batchCreateOptimizationSamples, listOptimizationSamples, type SampleBatchResult } from './samples.ts';
export {
  upsertOptimizationCandidates,
  upsertCandidatePool,
  upsertParetoSnapshots,
  upsertOptimizationProposals,
  listOptimizationCandidates,
  listCandidatePool,
  listParetoSnapshots,
  listOptimizationProposals,
  type UpsertCounts,
} from './structure.ts';
export { countOptimizationSamplesByIteration, type SampleIterationCount } from './sample-stats.ts';
export { listOptimizationIterationScores, type IterationScore } from './iteration-scores.ts';
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
export { listRunFacets, type RunFacets, type FacetValue } from './facets.ts';
export { listProjectOverviews, type ProjectOverview, type ProjectOverviewRun } from './overviews.ts';
export { toFormError, type FormError } from './form-errors.ts';
export {
  getRunNote,
  setRunNote,
  editRunLabels,
  listRunChanges,
  setRunStar,
  listStarredRuns,
  listSavedViews,
  createSavedView,
  deleteSavedView,
  getRunActivity,
  markRunCrashed,
  DEFAULT_STALLED_MINUTES,
  type RunNote,
  type RunChange,
  type SavedView,
  type RunActivity,
} from './run-meta.ts';
export {
  getGroupedScoreCurves,
  getConfigImportance,
  MAX_GROUPS,
  type GroupedCurves,
  type RunGroup,
  type GroupPoint,
  type ConfigImportance,
  type ConfigKeyImportance,
  type ParallelRun,
} from './analysis.ts';
