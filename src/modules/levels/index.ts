// The levels module's public surface: the module, and what the scoring projection uses to keep lead levels current.
export { LevelClassifier, levelChangedMessage } from './classification/level-classifier.service';
export type { LevelChange, UnitLevelRow } from './classification/engagement-levels.sql';
export { levelsInEffect } from './classification/engagement-levels.sql';
export { LevelsModule, LevelsWorkerModule } from './levels.module';
