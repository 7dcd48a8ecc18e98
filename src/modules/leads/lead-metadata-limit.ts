import { MAX_METADATA_BYTES, metadataBytes } from './domain/lead-metadata';
import { LeadErrors } from './leads.errors';

/** 413 beyond 100 KB of JSON, the same bound as an ingested event's metadata. */
export function checkMetadataSize(metadata: Record<string, unknown>, field = 'metadata'): void {
  if (metadataBytes(metadata) > MAX_METADATA_BYTES) {
    throw LeadErrors.error('metadata_too_large', `${field}: the lead's metadata must be at most ${MAX_METADATA_BYTES} bytes of JSON`, [
      { field, reason: `must be at most ${MAX_METADATA_BYTES} bytes of JSON` },
    ]);
  }
}
