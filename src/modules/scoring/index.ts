// The scoring module's public surface. Other modules import from here ('../scoring'); their framework-free
// `domain/` folders import the pure core from '../../scoring/domain' instead, so no NestJS code comes with it.
export * from './domain';
export type { DimensionSource } from './dimensions/dimension-source';
export { dimensionSource, isWiredDimension } from './dimensions/dimension-sources';
export {
  addToLeadScores,
  type NewContribution,
  DECAYED_POINTS_SQL,
  PRIMARY_SCORE_DIMENSION,
  recomputeLeadScores,
  recomputeLeadScoresDeferringPrimary,
  recomputeLeadScoresSyncingPrimary,
  type Recomputed,
  type ScoreChange,
  syncPrimaryScores,
} from './persistence/lead-scores.sql';
export { type LeadRow, type RulesetScore, ScoreReader } from './queries/score-reader.service';
export { ScoringErrors } from './scoring.errors';
export { ScoringModule, ScoringWorkerModule } from './scoring.module';
export { cachedByVersion, type OuScoringSetup, ScoringSetupService } from './setup/scoring-setup.service';
export {
  applyRescoredContributions,
  type ContributionRow,
  dropContributions,
  type EventContribution,
  insertAdoptedContributions,
  insertContributions,
  type RescoredContribution,
} from './persistence/event-scores.sql';
export { ConditionDto } from './http/condition.dto';
export * from './http/attribute-rule.dto';
export { applyDisqualifications, type DisqualificationDecision, type DisqualificationOutcome } from './fit/disqualification.sql';
export { ProfileScoreFollower, QualificationFollower } from './fit/fit-score-follower';
export { FitReads, candidateOf } from './fit/fit-reads.service';
export {
  ACCOUNT_REEVALUATE_UNIT,
  PROFILE_REEVALUATE_UNIT,
  ProfileScoring,
  type ProfileJobData,
  type ProfileOutcome,
  type ProfilePlan,
} from './fit/profile-scoring.service';
export { AttributeRulesChanged } from './fit/attribute-rules-changed.event';
export { RescoreRecorder } from './rescoring/rescore-recorder';
export { PrimaryScoreFollower } from './persistence/primary-score-follower';
