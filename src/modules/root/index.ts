/** The root (landing page and status) module's public surface. */
export { RootModule } from './root.module';
