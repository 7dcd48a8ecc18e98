/** The analytics module's public surface: its HTTP module, its worker module and the snapshot job (for operators' runs and tests). */
export { AnalyticsModule, AnalyticsWorkerModule } from './analytics.module';
export { ScoreSnapshotJob, SNAPSHOT_RETENTION_DAYS } from './jobs/score-snapshot.job';
