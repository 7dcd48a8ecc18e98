import { Module } from '@nestjs/common';
import { IngestionModule } from '../ingestion';
import { LeadsModule } from '../leads';
import { SegmentsModule } from '../segments';
import { SampleDataController } from './sample-data/sample-data.controller';
import { SampleDataService } from './sample-data/sample-data.service';

/** Admin: sample data (ADM-4). Levels and accounts are global modules; rulesets and triggers are reached by command. */
@Module({
  imports: [IngestionModule, LeadsModule, SegmentsModule],
  controllers: [SampleDataController],
  providers: [SampleDataService],
})
export class AdminModule {}
