import { Module } from '@nestjs/common';
import { ScoringModule } from '../scoring';
import { ProfileScoresProjection } from './profile-scores.projection';

/** Fit scoring kept with lead attributes: the projection that re-evaluates profile scores when Lead attributes change. */
@Module({
  imports: [ScoringModule],
  providers: [ProfileScoresProjection],
})
export class FitModule {}
