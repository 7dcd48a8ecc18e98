import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { ConditionDto } from '../../scoring';
import { INTENT_CATEGORY_IDS } from '../domain/intent-categories';

export class AnalyzeSiteDto {
  @ApiProperty({
    example: 'www.example.com',
    maxLength: 2048,
    description: 'Public website URL to analyze. Scheme is added automatically if omitted (https://).',
  })
  @IsString()
  @MaxLength(2048)
  @Matches(/\S/, { message: 'must not be blank' })
  url: string;
}

export class SiteCategoryDto {
  @ApiProperty({ enum: INTENT_CATEGORY_IDS, example: 'pricing' }) category: string;
  @ApiProperty({ example: 'Pricing' }) label: string;
  @ApiProperty({ example: 3, description: 'Pages of the site in this category' }) page_count: number;
  @ApiProperty({ example: 20, description: "The weight of this category's proposed rule" }) suggested_weight: number;
  @ApiProperty({ example: 'path contains /pricing', description: "The proposed rule's filter, readable" }) filter_label: string;
  @ApiProperty({ type: [String], description: 'Up to 5 of the pages, sorted' }) sample_urls: string[];
}

/** Exactly what POST /rules accepts: post it unchanged (to the primary engagement ruleset, or add `ruleset_id`). */
export class ProposedRuleDto {
  @ApiProperty({ example: 'Page View' }) event_type: string;
  @ApiProperty({ example: 20 }) weight: number;
  @ApiProperty({ type: [ConditionDto], example: [{ key: 'path', operator: 'contains', value: '/pricing' }] }) filters: ConditionDto[];
}

export class SiteAnalysisDto {
  @ApiProperty({ example: 'example.com', description: 'Host name without www.' }) domain: string;
  @ApiProperty({ example: 'https://www.example.com/', description: 'The site URL analyzed (scheme added; after redirects when the homepage was crawled)' })
  fetched_url: string;
  @ApiProperty({ example: 42, description: 'Distinct pages of the site found' }) page_count: number;
  @ApiProperty({
    example: 0,
    description:
      'URLs found but not read or not taken because of a limit or an error: sitemap entries over the URL cap, sitemap files not read, navigation pages not fetched',
  })
  skipped_urls: number;
  @ApiProperty({ enum: ['sitemap', 'crawl'], example: 'sitemap', description: 'sitemap: URLs from sitemap files; crawl: homepage + navigation one level deep' })
  source: string;
  @ApiProperty({
    type: [String],
    enum: ['max_pages', 'max_sitemaps', 'max_urls', 'max_page_bytes', 'max_total_bytes', 'time'],
    description: 'The bounds the analysis ran into (empty: it saw everything it looked for)',
  })
  limits_reached: string[];
  @ApiProperty({ type: [SiteCategoryDto], description: 'Intent categories found, highest intent first' }) categories: SiteCategoryDto[];
  @ApiProperty({ type: [ProposedRuleDto], description: 'One Page View rule per category, in the order of `categories`' })
  proposed_rules: ProposedRuleDto[];
}
