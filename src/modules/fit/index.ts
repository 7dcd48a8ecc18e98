// The fit module's public surface: the module (its projection keeps profile scores with lead attributes).
export { FitModule } from './fit.module';
