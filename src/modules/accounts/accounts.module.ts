import { Global, Module } from '@nestjs/common';
import { QueueName, QueuesModule } from '../../platform/queues';
import { AccountLevelsFollower } from '../levels';
import { ACCOUNT_MAPPING_SINK } from '../mappings';
import { LeadAccountReader, LeadsModule } from '../leads';
import { QualificationFollower, ScoringModule } from '../scoring';
import { AccountCommands } from './application/account-commands';
import { AccountFigures } from './application/account-figures';
import { AccountGrouping } from './application/account-grouping';
import { AccountMappingSinkService } from './application/account-mapping.sink';
import { AccountReads } from './application/account-reads';
import { AccountRescoreProcessor, AccountRulesChangedHandler } from './application/account-rescoring';
import { AccountScoring } from './application/account-scoring';
import { BuyingCommittee } from './application/buying-committee';
import { CrmAccounts } from './application/crm-accounts';
import { AccountBackfillsProcessor } from './backfill/account-backfills';
import { AbmGuard } from './http/abm.guard';
import { AccountScoringController } from './http/account-scoring.controller';
import { AccountsController } from './http/accounts.controller';
import { BuyingCommitteeController } from './http/buying-committee.controller';
import { AccountGroupingProjection } from './projections/account-grouping.projection';
import { AccountsProjection } from './projections/accounts.projection';

const CORE = [AccountScoring, AccountGrouping, AccountFigures];

/**
 * Accounts (ABM): the Account aggregate and its read models, grouping of leads into accounts (async projection),
 * account scores, levels and hard-DQ, the ABM routes, the buying committee, the account backfills' api side, and
 * the ACCOUNT_MAPPING_SINK the mappings module hands account-mapped values to. Global so the ingest pipeline's mapper
 * finds the sink, the lead reads the LeadAccountReader and the level configuration the AccountLevelsFollower,
 * profile scoring the QualificationFollower.
 */
@Global()
@Module({
  imports: [ScoringModule, LeadsModule],
  controllers: [AccountsController, BuyingCommitteeController, AccountScoringController],
  providers: [
    ...CORE,
    AccountReads,
    AccountCommands,
    CrmAccounts,
    BuyingCommittee,
    AbmGuard,
    AccountsProjection,
    AccountGroupingProjection,
    AccountRulesChangedHandler,
    { provide: ACCOUNT_MAPPING_SINK, useClass: AccountMappingSinkService },
    { provide: LeadAccountReader, useExisting: AccountReads },
    { provide: AccountLevelsFollower, useExisting: AccountScoring },
    { provide: QualificationFollower, useExisting: AccountFigures },
  ],
  exports: [ACCOUNT_MAPPING_SINK, LeadAccountReader, AccountLevelsFollower, QualificationFollower, AccountCommands, CrmAccounts, ...CORE],
})
export class AccountsModule {}

/** Worker role: the account backfills (queue `maintenance`) and OU-wide account re-evaluations (queue `rescore`). */
@Module({
  imports: [ScoringModule, QueuesModule.forFeature(QueueName.Maintenance), QueuesModule.forFeature(QueueName.Rescore)],
  providers: [AccountBackfillsProcessor, AccountRescoreProcessor],
})
export class AccountsWorkerModule {}
