import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { selectOne, sql } from '../../../platform/database';
import { currentUnit, unitScope } from '../../../platform/tenancy';
import { OnboardingStatus, onboardingStatus } from './onboarding-steps';

/**
 * ONB-2, from live data of the active OU in one round trip (no stored flags):
 * - connect_integration: the OU has a Slack workspace installed (slack_connections), HubSpot connected (its OAuth done
 *   and not revoked: `hubspot_connections.status = 'connected'`; saved app credentials alone are not a connection), or a
 *   Slack or Microsoft Teams notification channel. SFMC and the web beacon do not exist in this server; when they do,
 *   their connection joins this test.
 * - create_scoring_rules: at least one scoring rule (engagement, profile or account) in the OU.
 * - set_engagement_levels: at least one engagement level in the OU.
 */
@Injectable()
export class OnboardingReader {
  constructor(private readonly dataSource: DataSource) {}

  async status(): Promise<OnboardingStatus> {
    const scope = currentUnit();
    const row = await selectOne<{ integration: boolean; rule: boolean; level: boolean }>(
      this.dataSource,
      sql`SELECT EXISTS (SELECT 1 FROM slack_connections WHERE ${unitScope(undefined, scope)})
                 OR EXISTS (SELECT 1 FROM hubspot_connections WHERE ${unitScope(undefined, scope)} AND status = 'connected')
                 OR EXISTS (SELECT 1 FROM notification_channels WHERE ${unitScope(undefined, scope)} AND type IN ('slack', 'teams')) AS integration,
                 EXISTS (SELECT 1 FROM rules WHERE ${unitScope(undefined, scope)}) AS rule,
                 EXISTS (SELECT 1 FROM levels WHERE ${unitScope(undefined, scope)} AND kind = 'engagement') AS level`,
    );
    return onboardingStatus({ integrationConnected: !!row?.integration, scoringRuleExists: !!row?.rule, engagementLevelExists: !!row?.level });
  }
}
