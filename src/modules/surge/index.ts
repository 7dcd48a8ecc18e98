/** The surge module's public surface: its HTTP/projection module and its worker module. */
export { SurgeModule, SurgeWorkerModule } from './surge.module';
