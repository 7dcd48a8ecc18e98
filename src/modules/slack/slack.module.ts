import { Global, Module } from '@nestjs/common';
import { IdentityModule } from '../identity';
import { NotificationsModule, OwnerNotifications, SlackDelivery } from '../notifications';
import { SlackWebApi } from './client/slack-web-api';
import { SlackConnections } from './connection/slack-connections.service';
import { SlackNotifier } from './delivery/slack-notifier';
import { SlackIdentityController } from './http/slack-identity.controller';
import { SlackAppController, SlackConnectionController, SlackOAuthController } from './http/slack-settings.controller';
import { SlackIdentities } from './identity-sync/slack-identity.service';
import { OwnerNotifier } from './owner/owner-notifier';
import { RulesetPublishPostsProjection } from './publish/ruleset-publish-posts.projection';
import { SlackApps } from './settings/slack-apps.service';

/**
 * Slack (SL-1..6, OWN-1..5): the organization's app, each OU's connection (OAuth install, sealed bot token), channel
 * and user lists, test messages, identity sync, owner DMs, ruleset publish posts, and the outbox's Slack sender. Global
 * so the notifications worker gets its `SlackDelivery`, and triggers and surge their `OwnerNotifications`, without
 * importing this module (notifications, triggers and surge never depend on slack).
 */
@Global()
@Module({
  imports: [NotificationsModule, IdentityModule],
  controllers: [SlackAppController, SlackConnectionController, SlackOAuthController, SlackIdentityController],
  providers: [
    SlackWebApi,
    SlackApps,
    SlackConnections,
    SlackIdentities,
    OwnerNotifier,
    SlackNotifier,
    RulesetPublishPostsProjection,
    { provide: SlackDelivery, useExisting: SlackNotifier },
    { provide: OwnerNotifications, useExisting: OwnerNotifier },
  ],
  exports: [SlackDelivery, OwnerNotifications, OwnerNotifier, SlackConnections],
})
export class SlackModule {}
