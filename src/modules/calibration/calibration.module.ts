import { Module } from '@nestjs/common';
import { RulesetsModule } from '../rulesets';
import { ScoringModule } from '../scoring';
import { CalibrationEngine } from './application/calibration-engine';
import { CalibrationService } from './application/calibration.service';
import { ConversionDefinitions } from './application/conversion-definitions.service';
import { CalibrationControllers, ConversionDefinitionController } from './http/calibration.controllers';
import { CalibrationRunJob } from './jobs/calibration-run.job';

/**
 * Calibration (CAL-1..11): the OU's conversion definition, rule weights learned from conversions (computed set-based
 * by CalibrationEngine, stored per run), and apply through the Ruleset aggregate. HTTP routes and `?force=1`.
 */
@Module({
  imports: [ScoringModule, RulesetsModule],
  controllers: [ConversionDefinitionController, ...CalibrationControllers],
  providers: [ConversionDefinitions, CalibrationEngine, CalibrationService],
})
export class CalibrationModule {}

/** Worker role: the weekly `calibration.run` job (contracts §1). */
@Module({
  imports: [ScoringModule],
  providers: [ConversionDefinitions, CalibrationEngine, CalibrationRunJob],
  exports: [CalibrationRunJob],
})
export class CalibrationWorkerModule {}
