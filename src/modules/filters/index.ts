/** The filters module's public surface. */
export { FiltersModule } from './filters.module';
