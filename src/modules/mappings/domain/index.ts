// The mappings module's pure core: update behaviours and the application of field mappings (PRF-3, PRF-4, ADM-3).
export * from './field-mappings';
