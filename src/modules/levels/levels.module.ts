import { Global, Module } from '@nestjs/common';
import { QueueName, QueuesModule } from '../../platform/queues';
import { PrimaryScoreFollower, ProfileScoreFollower } from '../scoring';
import { LevelClassifier } from './classification/level-classifier.service';
import { LevelsProfileFollower, LevelsScoreFollower } from './classification/levels-score-follower';
import { ReclassifyProcessor } from './classification/reclassify.processor';
import { LevelsService } from './config/levels.service';
import { LEVEL_CONTROLLERS } from './http/levels.controllers';

/**
 * Levels per dimension (engagement, profile, account; deal ready), their history and revert, and the engagement
 * level of each lead kept with its score. Global so the scoring worker gets its PrimaryScoreFollower without
 * importing this module back (scoring never depends on levels).
 */
@Global()
@Module({
  imports: [QueuesModule.forFeature(QueueName.Levels)],
  controllers: LEVEL_CONTROLLERS,
  providers: [
    LevelsService,
    LevelClassifier,
    { provide: PrimaryScoreFollower, useClass: LevelsScoreFollower },
    { provide: ProfileScoreFollower, useClass: LevelsProfileFollower },
  ],
  exports: [LevelsService, LevelClassifier, PrimaryScoreFollower, ProfileScoreFollower],
})
export class LevelsModule {}

/** Worker role: background re-classification of large OUs after their levels changed. */
@Module({
  imports: [QueuesModule.forFeature(QueueName.Levels)],
  providers: [ReclassifyProcessor],
})
export class LevelsWorkerModule {}
