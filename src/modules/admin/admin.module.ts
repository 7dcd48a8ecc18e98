import { Module } from '@nestjs/common';
import { IngestionModule } from '../ingestion';
import { LeadsModule } from '../leads';
import { SegmentsModule } from '../segments';
import { OnboardingController } from './onboarding/onboarding.controller';
import { OnboardingReader } from './onboarding/onboarding.reader';
import { SampleDataController } from './sample-data/sample-data.controller';
import { SampleDataService } from './sample-data/sample-data.service';

/**
 * Admin: sample data (ADM-4) and onboarding status (ONB-1..3). Levels and accounts are global modules; rulesets and
 * triggers are reached by command.
 */
@Module({
  imports: [IngestionModule, LeadsModule, SegmentsModule],
  controllers: [SampleDataController, OnboardingController],
  providers: [SampleDataService, OnboardingReader],
})
export class AdminModule {}
