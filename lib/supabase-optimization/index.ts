import 'server-only';

// The data layer: every read and write of Optiscope data goes through these functions,
// each inside withUserScope so PostgreSQL's row-level security applies to the caller.
export * from './schemas.ts';
export * from './errors.ts';
export * from './dto-schemas.ts';
export { userScope, inProject, type Scope } from './scope.ts';
export {
  createOptimizationRun,
  getOptimizationRun,
  getProjectRun,
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
} from './structure.ts';
export { replayRecordedWrites, coalesceRecordedWrites, RUN_ID_PLACEHOLDER, type RecordedWrite } from './replay.ts';
export { countOptimizationSamplesByIteration, type SampleIterationCount } from './sample-stats.ts';
export { listOptimizationIterationScores, type IterationScore } from './iteration-scores.ts';
export {
  getOptimizationRunSummary,
  getTopRunsByScore,
  getOptimizationAnalytics,
  refreshOptimizationAnalytics,
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
export {
  deriveScores,
  listDerivedScores,
  needsDerivedScores,
  shownScores,
  type DerivedScore,
  type DerivedScores,
  type ShownScores,
} from './derived-scores.ts';
export { listProjectOverviews, type ProjectOverview, type ProjectOverviewRun } from './overviews.ts';
export { toFormError, type FormError } from './form-errors.ts';
export { findLiveApiKey, recordApiKeyUse, ensureLocalUser, type LiveApiKey } from './api-key-lookup.ts';
export {
  getCandidatePoolInsight,
  getLineageTree,
  getParetoFrontView,
  getProposalAudit,
  t95,
  type CandidatePoolInsight,
  type PoolPredictor,
  type PoolCandidateStats,
  type PoolHeatCell,
  type LineageTree,
  type LineageNode,
  type LineageProposal,
  type ParetoFrontView,
  type ParetoStep,
  type ProposalAudit,
  type AuditedProposal,
} from './candidate-insight.ts';
export {
  getTrialSeries,
  getExampleFlips,
  getRunFlips,
  getNoiseSummary,
  getCostSummary,
  getSettingsOutcomes,
  type TrialPoint,
  type TrialSeries,
  type ExampleFlip,
  type ExampleFlips,
  type FlipOutcome,
  type FlipSide,
  type FlipOptions,
  type CandidateNoise,
  type NoiseSummary,
  type RoleUsagePoint,
  type RoleTotal,
  type CostSummary,
  type LmCallEstimate,
  type SettingsGroup,
} from './insight.ts';
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
} from './run-meta.ts';
export {
  getGroupedScoreCurves,
  getConfigImportance,
  MAX_GROUPS,
} from './analysis.ts';
