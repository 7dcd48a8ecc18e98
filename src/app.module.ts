import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { Role } from './config/environment';
import { AdminModule } from './modules/admin';
import { AnalyticsModule, AnalyticsWorkerModule } from './modules/analytics';
import { CalibrationModule, CalibrationWorkerModule } from './modules/calibration';
import { AuditLogsModule } from './modules/audit';
import { BillingModule } from './modules/billing';
import { DecaysModule, DecaysWorkerModule } from './modules/decays';
import { FiltersModule } from './modules/filters';
import { AccountsModule, AccountsWorkerModule } from './modules/accounts';
import { FitModule } from './modules/fit';
import { HubSpotModule, HubSpotWorkerModule } from './modules/hubspot';
import { IdentityModule } from './modules/identity';
import { RootModule } from './modules/root';
import { RulesetsModule } from './modules/rulesets';
import { EventsModule } from './modules/events';
import { EventTypesModule } from './modules/event-types';
import { IngestionModule, IngestionWorkerModule } from './modules/ingestion';
import { LeadImportModule, LeadImportWorkerModule } from './modules/lead-import';
import { LeadsModule, LeadsWorkerModule } from './modules/leads';
import { LevelsModule, LevelsWorkerModule } from './modules/levels';
import { SegmentsModule, SegmentsWorkerModule } from './modules/segments';
import { MappingsModule, MappingsWorkerModule } from './modules/mappings';
import { ScoringModule, ScoringWorkerModule } from './modules/scoring';
import { StreamModule } from './modules/stream';
import { NotificationsModule, NotificationsWorkerModule } from './modules/notifications';
import { SiteScoringModule } from './modules/site-scoring';
import { SlackModule } from './modules/slack';
import { SurgeModule } from './modules/surge';
import { TriggersModule } from './modules/triggers';
import { AuditModule } from './platform/audit/audit.module';
import { ClockModule } from './platform/clock/clock.module';
import { DatabaseModule } from './platform/database/database.module';
import { EventStoreModule } from './platform/event-store/event-store.module';
import { HealthModule } from './platform/health/health.module';
import { WorkerLifecycle } from './platform/lifecycle/worker-lifecycle.service';
import { LoggingModule } from './platform/logging/logging.module';
import { MaintenanceModule, MaintenanceWorkerModule } from './platform/maintenance/maintenance.module';
import { HttpMetricsModule, MetricsModule } from './platform/metrics/metrics.module';
import { ProjectionsModule } from './platform/projections/projections.module';
import { QueueDashboardModule } from './platform/queues/queue-dashboard.module';
import { QueuesModule } from './platform/queues/queues.module';
import { RateLimitModule } from './platform/rate-limit/rate-limit.module';
import { RedisModule, RedisPersistenceModule } from './platform/redis/redis.module';
import { SecurityModule } from './platform/security/security.module';
import { OutboundModule } from './platform/outbound';
import { ScheduledJobsModule, SchedulingModule } from './platform/scheduling/scheduling.module';

/** Platform every role needs: configuration, logs, clock, PostgreSQL, Redis, event store, queues, metrics. */
function platform(config: AppConfig) {
  return [
    ConfigModule.forRoot(config),
    LoggingModule,
    ClockModule,
    DatabaseModule,
    RedisModule,
    MetricsModule,
    EventStoreModule,
    ProjectionsModule,
    CqrsModule.forRoot(),
    QueuesModule.forRoot(),
    AuditModule,
    SecurityModule,
    OutboundModule,
    RateLimitModule,
    ScheduledJobsModule,
  ];
}

/** Product features (their controllers only route when the api role serves HTTP). */
const features = [
  RootModule,
  MaintenanceModule,
  IdentityModule,
  AuditLogsModule,
  RulesetsModule,
  FiltersModule,
  StreamModule,
  LeadsModule,
  LevelsModule,
  ScoringModule,
  IngestionModule,
  EventsModule,
  NotificationsModule,
  SlackModule,
  SurgeModule,
  TriggersModule,
  EventTypesModule,
  LeadImportModule,
  DecaysModule,
  MappingsModule,
  FitModule,
  AccountsModule,
  AdminModule,
  SegmentsModule,
  BillingModule,
  AnalyticsModule,
  SiteScoringModule,
  CalibrationModule,
  HubSpotModule,
];

@Module({})
class WorkerRoleModule {}

/**
 * One codebase, two roles: `api` serves HTTP, `worker` consumes queues, runs projections and cron jobs.
 * `roles: []` gives the bare application context the CLI uses.
 */
@Module({})
export class AppModule {
  static forRoles(config: AppConfig, roles: Role[]): DynamicModule {
    const api = roles.includes('api');
    const worker = roles.includes('worker');
    return {
      module: AppModule,
      imports: [
        ...platform(config),
        ...features,
        ...(api || worker ? [RedisPersistenceModule] : []),
        ...(api ? [HttpMetricsModule, HealthModule, QueueDashboardModule.register(config)] : []),
        ...(worker
          ? [
              {
                module: WorkerRoleModule,
                imports: [
                  SchedulingModule,
                  MaintenanceWorkerModule,
                  IngestionWorkerModule,
                  ScoringWorkerModule,
                  NotificationsWorkerModule,
                  LeadImportWorkerModule,
                  LeadsWorkerModule,
                  DecaysWorkerModule,
                  LevelsWorkerModule,
                  MappingsWorkerModule,
                  AccountsWorkerModule,
                  SegmentsWorkerModule,
                  AnalyticsWorkerModule,
                  CalibrationWorkerModule,
                  HubSpotWorkerModule,
                ],
                providers: [WorkerLifecycle],
                exports: [WorkerLifecycle],
              },
            ]
          : []),
      ],
    };
  }
}
