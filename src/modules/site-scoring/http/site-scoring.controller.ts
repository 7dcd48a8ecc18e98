import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response } from 'fastify';
import { ApiErrors, ErrorResponseDto, PlatformErrors } from '../../../platform/http';
import { BillingExempt, OuScoped, RequestContext } from '../../../platform/tenancy';
import { SiteAnalyzer } from '../crawl/site-analyzer.service';
import { siteUrlOf } from '../domain/site-url';
import { AnalyzeRateLimit } from './analyze-rate-limit';
import { AnalyzeSiteDto, SiteAnalysisDto } from './site-scoring.dto';

/**
 * INT-5, the Quick Start's site analysis. OU-scoped so the Viewer rule applies: a Viewer gets 403, because the
 * analysis makes the server fetch up to SITE_ANALYZER_MAX_PAGES pages of a site the caller names and its only use is
 * creating rules, which a Viewer may not. It changes no data, so it stays open while the subscription is past due.
 */
@ApiTags('Site scoring')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@OuScoped()
@Controller('site-scoring')
export class SiteScoringController {
  constructor(
    private readonly analyzer: SiteAnalyzer,
    private readonly rateLimit: AnalyzeRateLimit,
  ) {}

  @Post('analyze')
  @HttpCode(200)
  @BillingExempt()
  @ApiOperation({
    operationId: 'analyzeSite',
    summary: 'Analyze a website and propose page-view scoring rules',
    description:
      'Fetches a public website and returns proposed Page View scoring rules based on URL pattern categorization. Reads robots.txt for sitemap locations and tries sitemap.xml (index files followed), falls back to a homepage crawl + one level deep (top-level navigation). Returns one proposed rule per intent category found on the site; each can be posted unchanged to POST /rules. Bounded by the SITE_ANALYZER_* limits; what was not read is counted in `skipped_urls` and the bounds hit are named in `limits_reached`. Private, loopback and link-local addresses are refused (400 destination_not_allowed); a site that answers nothing usable is 422 site_unreachable.',
  })
  @ApiOkResponse({ type: SiteAnalysisDto })
  @ApiResponse({ status: 422, description: 'Neither a sitemap nor the homepage could be read (site_unreachable)', type: ErrorResponseDto })
  @ApiErrors(400, 401, 403, 429)
  async analyze(@Body() body: AnalyzeSiteDto, @Res({ passthrough: true }) res: Response): Promise<SiteAnalysisDto> {
    const site = siteUrlOf(body.url);
    if (!site) {
      const reason = 'must be an http(s) URL or a host name';
      throw PlatformErrors.error('validation_failed', `url: ${reason}`, [{ field: 'url', reason }]);
    }
    await this.rateLimit.consume(res);
    const analysis = await this.analyzer.analyze(site);
    RequestContext.describe({
      verb: 'viewed',
      entityType: 'site',
      entityId: analysis.domain,
      summary: `analyzed site ${analysis.domain} (${analysis.source}: ${analysis.page_count} pages, ${analysis.categories.length} categories, ${analysis.skipped_urls} URLs skipped)`,
    });
    return analysis;
  }
}
