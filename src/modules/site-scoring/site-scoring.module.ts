import { Module } from '@nestjs/common';
import { SiteAnalyzer } from './crawl/site-analyzer.service';
import { AnalyzeRateLimit } from './http/analyze-rate-limit';
import { SiteScoringController } from './http/site-scoring.controller';

/** The site analyzer (INT-5): proposes Page View rules from a website's sitemap or navigation. Reads and writes no data. */
@Module({
  controllers: [SiteScoringController],
  providers: [SiteAnalyzer, AnalyzeRateLimit],
})
export class SiteScoringModule {}
