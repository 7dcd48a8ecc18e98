/** Names of every queue registered in this process (QueuesModule.forFeature adds to it). */
export const knownQueues = new Set<string>();
