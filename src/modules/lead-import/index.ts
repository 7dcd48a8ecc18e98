/** The lead-import module's public surface: the module classes and the runner (tests drive it directly). */
export { LeadImportModule, LeadImportWorkerModule } from './lead-import.module';
export { LeadImportErrors } from './lead-import.errors';
export { LeadImportRunner } from './lead-import.runner';
export { PurgeLeadImportFilesJob } from './lead-import-files';
