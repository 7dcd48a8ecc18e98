import { bootstrap, runOrExit } from './bootstrap';

/** Both roles in one process, for a single machine (`npm start`). KENBUN_ROLES overrides. */
runOrExit(bootstrap(['api', 'worker']));
