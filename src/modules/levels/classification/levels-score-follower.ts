import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PrimaryScoreFollower } from '../../scoring';
import { LevelClassifier } from './level-classifier.service';

/** The scoring engine's PrimaryScoreFollower: levels follow scores the hourly refresh moved (half-life decay). */
@Injectable()
export class LevelsScoreFollower extends PrimaryScoreFollower {
  constructor(private readonly classifier: LevelClassifier) {
    super();
  }

  async follow(m: EntityManager, leadRefs: string[]): Promise<() => Promise<void>> {
    const changes = await this.classifier.afterScoresMoved(m, leadRefs, 'score_refresh');
    return () => this.classifier.publish(changes);
  }
}
