import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PrimaryScoreFollower, ProfileScoreFollower } from '../../scoring';
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

/** The scoring engine's ProfileScoreFollower: profile levels follow profile scores (PRF-8, LVL). */
@Injectable()
export class LevelsProfileFollower extends ProfileScoreFollower {
  constructor(private readonly classifier: LevelClassifier) {
    super();
  }

  async followProfile(m: EntityManager, unitId: string, leadRefs: string[] | 'all'): Promise<() => Promise<void>> {
    const changes = await this.classifier.reclassify(m, unitId, leadRefs, 'profile_score', 'profile');
    return () => this.classifier.publish(changes);
  }
}
