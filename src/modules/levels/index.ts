// The levels module's public surface: the module, and what the scoring projection uses to keep lead levels current.
export { LevelClassifier, levelChangedMessage } from './classification/level-classifier.service';
export type { LevelChange, UnitLevelRow } from './classification/engagement-levels.sql';
export { levelsInEffect } from './classification/engagement-levels.sql';
// the port the accounts module implements: account levels follow a level configuration change
export { AccountLevelsFollower } from './classification/account-levels-follower';
export { LevelsModule, LevelsWorkerModule } from './levels.module';
// level configuration changes other modules make on the OU's behalf (the sample data)
export { LevelsService } from './config/levels.service';
export type { LevelKind } from './domain/level-range';
