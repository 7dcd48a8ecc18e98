/** The admin module's public surface: its module (sample data, onboarding status). */
export { AdminModule } from './admin.module';
