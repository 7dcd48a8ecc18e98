import { bootstrap, runOrExit } from './bootstrap';

/** The worker role: queue consumers, projections and scheduled jobs. */
runOrExit(bootstrap(['worker']));
