export { SiteScoringModule } from './site-scoring.module';
