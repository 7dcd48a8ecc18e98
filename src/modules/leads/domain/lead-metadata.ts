/** The bound on a lead's metadata, and on an ingested event's: 100 KB of JSON. */
export const MAX_METADATA_BYTES = 100 * 1024;

export function metadataBytes(metadata: Record<string, unknown>): number {
  return Buffer.byteLength(JSON.stringify(metadata));
}
