/** AN-1: the UTM key a campaign report groups by; anything else falls back to `campaign` (never a 400). */
export const CAMPAIGN_DIMENSIONS = ['campaign', 'source', 'medium'] as const;
export type CampaignDimension = (typeof CAMPAIGN_DIMENSIONS)[number];

export function campaignDimension(groupBy: string | undefined): CampaignDimension {
  return (CAMPAIGN_DIMENSIONS as readonly string[]).includes(groupBy ?? '') ? (groupBy as CampaignDimension) : 'campaign';
}

/** The `lead_events` column holding that UTM value (generated from `metadata.utm_<key>`). */
export function utmColumn(dimension: CampaignDimension): string {
  return `utm_${dimension}`;
}
