import { bootstrap, runOrExit } from './bootstrap';

/** The api role: HTTP, validation, auth, commands and queries. */
runOrExit(bootstrap(['api']));
