/** The admin module's public surface: its module (sample data; backfills and onboarding status to come). */
export { AdminModule } from './admin.module';
