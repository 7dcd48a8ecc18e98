import { RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { OU_SCOPED } from '../src/platform/tenancy/tenancy.decorators';
import { anotherTenant, api, Auth, firstRunTenant, memberWithRole, Tenant } from './support/tenants';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import request from 'supertest';
import { QueueName } from '../src/platform/queues';
import { DataSource } from 'typeorm';
import { eventually, startTestApp, TestApp } from './support/test-app';
import { FakeSite, fakeSite, html } from './support/fake-site';

/**
 * Isolation and role matrix over every OU-scoped route. Routes are found by their @OuScoped() metadata, so a
 * new OU-scoped route fails this test until it is listed in MATRIX with how to reach one of OU A's
 * resources. Routes that name an OU in the path (/org-units/{id}/…) are listed in OU_IN_PATH.
 */
interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** URL of a resource of OU A (for by-id routes); the route's own path otherwise */
  url: (ctx: Ctx) => string;
  body?: object | ((ctx: Ctx) => object);
  /** a by-id route: other OUs get 404 for OU A's resource (collections answer them with their own data) */
  item?: boolean;
  /** a read-only POST (dry run) a Viewer may use */
  viewerMay?: boolean;
  /** send as multipart/form-data with this file in part `file` */
  csv?: string;
  /** answers a browser redirect (302) instead of a body */
  redirect?: boolean;
}

interface Ctx {
  a: Tenant;
  b: Tenant;
  memberOfA: string;
  rulesetOfA: string;
  ruleOfA: string;
  velocityFilterOfA: string;
  metadataFilterOfA: string;
  surgeTriggerOfA: string;
  /** a milestone, a sequence and a pattern trigger of OU A (paused) */
  milestoneTriggerOfA: string;
  sequenceOfA: string;
  patternTriggerOfA: string;
  notificationChannelOfA: string;
  decayOfA: string;
  /** a segment of OU A and one of its rules */
  segmentOfA: string;
  segmentRuleOfA: string;
  leadOfA: string;
  eventOfA: string;
  scoreJobOfA: string;
  leadImportFileOfA: string;
  leadImportJobOfA: string;
  /** a level of OU A per kind, and a history entry of each kind's configuration */
  levelOfA: Record<LevelKind, string>;
  levelHistoryOfA: Record<LevelKind, string>;
  /** a profile and an account mapping of OU A, and a profile mapping backfill job of OU A */
  profileMappingOfA: string;
  accountMappingOfA: string;
  backfillJobOfA: string;
  /** a website on 127.0.0.1 for the site analyzer (it reads no OU data: every OU analyzes it alike) */
  siteUrl: string;
  /** a profile and an account ruleset of OU A with one rule each, and a deal of OU A */
  fitRulesetOfA: Record<'profile' | 'account', string>;
  fitRuleOfA: Record<'profile' | 'account', string>;
  dealOfA: string;
  /** an account of OU A (ABM on) and a lead of it, member of its buying committee */
  accountOfA: string;
  accountLeadOfA: string;
}

type LevelKind = 'engagement' | 'profile' | 'account';
const LEVEL_PATHS: [LevelKind, string][] = [
  ['engagement', '/engagement-scoring/levels'],
  ['engagement', '/engagement-levels'],
  ['profile', '/profile-scoring/levels'],
  ['profile', '/profile-levels'],
  ['account', '/account-scoring/levels'],
  ['account', '/account-levels'],
];

const MAPPING_PATHS: ['profile' | 'account', string][] = [
  ['profile', '/profile-scoring/mappings'],
  ['profile', '/profile-mappings'],
  ['account', '/account-scoring/mappings'],
  ['account', '/account-mappings'],
];

const MATRIX: Row[] = [
  { method: 'GET', path: '/audit-logs', url: () => '/audit-logs' },
  { method: 'GET', path: '/usage', url: () => '/usage' },
  { method: 'GET', path: '/onboarding/status', url: () => '/onboarding/status' },
  { method: 'GET', path: '/onboarding-status', url: () => '/onboarding-status' },
  { method: 'GET', path: '/me/notification-prefs', url: () => '/me/notification-prefs' },
  { method: 'PUT', path: '/me/notification-prefs', url: () => '/me/notification-prefs', body: { notifications_enabled: true } },
  ...(['/engagement-scoring/rulesets', '/rulesets'] as const).flatMap((base): Row[] => [
    { method: 'GET', path: base, url: () => base },
    { method: 'POST', path: base, url: () => base, body: { name: 'From the matrix' } },
    { method: 'DELETE', path: `${base}/:id`, url: (c) => `${base}/${c.rulesetOfA}`, item: true },
    { method: 'GET', path: `${base}/:id/rules`, url: (c) => `${base}/${c.rulesetOfA}/rules`, item: true },
    { method: 'PUT', path: `${base}/:id/reorder`, url: (c) => `${base}/${c.rulesetOfA}/reorder`, body: (c) => ({ rule_ids: [c.ruleOfA] }), item: true },
  ]),
  ...(['/engagement-scoring/rules', '/rules'] as const).flatMap((base): Row[] => [
    { method: 'GET', path: base, url: () => base },
    { method: 'POST', path: base, url: () => base, body: { event_type: `Matrix Event ${base}`, weight: 1 } },
    { method: 'PUT', path: `${base}/:id`, url: (c) => `${base}/${c.ruleOfA}`, body: { weight: 99 }, item: true },
    { method: 'DELETE', path: `${base}/:id`, url: (c) => `${base}/${c.ruleOfA}`, item: true },
  ]),
  { method: 'GET', path: '/filters', url: () => '/filters' },
  { method: 'POST', path: '/filters', url: () => '/filters', body: { event_type: 'Matrix', count_threshold: 1, time_window_ms: 1000 } },
  { method: 'PUT', path: '/filters/:id', url: (c) => `/filters/${c.velocityFilterOfA}`, body: { count_threshold: 99 }, item: true },
  { method: 'DELETE', path: '/filters/:id', url: (c) => `/filters/${c.velocityFilterOfA}`, item: true },
  { method: 'GET', path: '/metadata-filters', url: () => '/metadata-filters' },
  { method: 'POST', path: '/metadata-filters', url: () => '/metadata-filters', body: { name: 'Matrix', conditions: [{ key: 'a', operator: 'exists' }] } },
  { method: 'GET', path: '/metadata-filters/:id', url: (c) => `/metadata-filters/${c.metadataFilterOfA}`, item: true },
  { method: 'PUT', path: '/metadata-filters/:id', url: (c) => `/metadata-filters/${c.metadataFilterOfA}`, body: { name: 'Taken over' }, item: true },
  { method: 'DELETE', path: '/metadata-filters/:id', url: (c) => `/metadata-filters/${c.metadataFilterOfA}`, item: true },
  { method: 'GET', path: '/surge-triggers', url: () => '/surge-triggers' },
  { method: 'POST', path: '/surge-triggers', url: () => '/surge-triggers', body: { window_seconds: 60, threshold_count: 2, active: false } },
  { method: 'PUT', path: '/surge-triggers/:id', url: (c) => `/surge-triggers/${c.surgeTriggerOfA}`, body: { threshold_count: 99 }, item: true },
  { method: 'DELETE', path: '/surge-triggers/:id', url: (c) => `/surge-triggers/${c.surgeTriggerOfA}`, item: true },
  {
    method: 'POST',
    path: '/surge-triggers/:id/preview',
    url: (c) => `/surge-triggers/${c.surgeTriggerOfA}/preview`,
    body: { days: 7 },
    item: true,
    viewerMay: true,
  },
  { method: 'GET', path: '/surge-triggers/:id/health', url: (c) => `/surge-triggers/${c.surgeTriggerOfA}/health`, item: true },
  {
    method: 'POST',
    path: '/surge-triggers/:id/simulate',
    url: (c) => `/surge-triggers/${c.surgeTriggerOfA}/simulate`,
    body: { lead_id: 'ld_nobody' },
    item: true,
    viewerMay: true,
  },
  { method: 'GET', path: '/surge-events', url: () => '/surge-events' },
  { method: 'GET', path: '/triggers', url: () => '/triggers' },
  { method: 'POST', path: '/triggers', url: () => '/triggers', body: { score_threshold: 50, active: false } },
  { method: 'PUT', path: '/triggers/:id', url: (c) => `/triggers/${c.milestoneTriggerOfA}`, body: { score_threshold: 99 }, item: true },
  { method: 'DELETE', path: '/triggers/:id', url: (c) => `/triggers/${c.milestoneTriggerOfA}`, item: true },
  { method: 'GET', path: '/triggers/:id/health', url: (c) => `/triggers/${c.milestoneTriggerOfA}/health`, item: true },
  { method: 'POST', path: '/triggers/:id/simulate', url: (c) => `/triggers/${c.milestoneTriggerOfA}/simulate`, body: { days: 7 }, item: true, viewerMay: true },
  { method: 'GET', path: '/milestone-events', url: () => '/milestone-events' },
  { method: 'GET', path: '/milestone-events/export', url: () => '/milestone-events/export' },
  { method: 'GET', path: '/sequences', url: () => '/sequences' },
  { method: 'POST', path: '/sequences', url: () => '/sequences', body: { event_types: ['A Event', 'B Event'], window_seconds: 60, active: false } },
  { method: 'PUT', path: '/sequences/:id', url: (c) => `/sequences/${c.sequenceOfA}`, body: { window_seconds: 120 }, item: true },
  { method: 'DELETE', path: '/sequences/:id', url: (c) => `/sequences/${c.sequenceOfA}`, item: true },
  { method: 'GET', path: '/sequences/:id/health', url: (c) => `/sequences/${c.sequenceOfA}/health`, item: true },
  { method: 'POST', path: '/sequences/:id/simulate', url: (c) => `/sequences/${c.sequenceOfA}/simulate`, body: { days: 7 }, item: true, viewerMay: true },
  { method: 'GET', path: '/sequence-events', url: () => '/sequence-events' },
  { method: 'GET', path: '/sequence-events/export', url: () => '/sequence-events/export' },
  { method: 'GET', path: '/pattern-triggers', url: () => '/pattern-triggers' },
  {
    method: 'POST',
    path: '/pattern-triggers',
    url: () => '/pattern-triggers',
    body: { window_seconds: 60, conditions: [{ event_type: 'A Event', min_count: 2 }], active: false },
  },
  { method: 'PUT', path: '/pattern-triggers/:id', url: (c) => `/pattern-triggers/${c.patternTriggerOfA}`, body: { window_seconds: 120 }, item: true },
  { method: 'DELETE', path: '/pattern-triggers/:id', url: (c) => `/pattern-triggers/${c.patternTriggerOfA}`, item: true },
  { method: 'GET', path: '/notification-channels', url: () => '/notification-channels' },
  {
    method: 'POST',
    path: '/notification-channels',
    url: () => '/notification-channels',
    body: { name: 'Matrix', type: 'email', config: { recipients: 'matrix@example.com' } },
  },
  {
    method: 'PUT',
    path: '/notification-channels/:id',
    url: (c) => `/notification-channels/${c.notificationChannelOfA}`,
    body: { name: 'Taken over' },
    item: true,
  },
  { method: 'DELETE', path: '/notification-channels/:id', url: (c) => `/notification-channels/${c.notificationChannelOfA}`, item: true },
  { method: 'GET', path: '/notification-channels/:id/health', url: (c) => `/notification-channels/${c.notificationChannelOfA}/health`, item: true },
  { method: 'GET', path: '/notification-failures', url: () => '/notification-failures' },
  { method: 'GET', path: '/decays', url: () => '/decays' },
  { method: 'POST', path: '/decays', url: () => '/decays', body: { inactive_for: 30, unit: 'days', decrease: 5 } },
  { method: 'PUT', path: '/decays/:id', url: (c) => `/decays/${c.decayOfA}`, body: { decrease: 99 }, item: true },
  { method: 'DELETE', path: '/decays/:id', url: (c) => `/decays/${c.decayOfA}`, item: true },
  { method: 'GET', path: '/segments/overlap', url: (c) => `/segments/overlap?a=${c.segmentOfA}&b=${c.segmentOfA}`, item: true },
  { method: 'GET', path: '/segments', url: () => '/segments' },
  { method: 'POST', path: '/segments', url: () => '/segments', body: { name: 'Matrix segment' } },
  { method: 'PUT', path: '/segments/:id', url: (c) => `/segments/${c.segmentOfA}`, body: { name: 'Taken over' }, item: true },
  { method: 'DELETE', path: '/segments/:id', url: (c) => `/segments/${c.segmentOfA}`, item: true },
  { method: 'GET', path: '/segments/:id/count', url: (c) => `/segments/${c.segmentOfA}/count`, item: true },
  { method: 'GET', path: '/segments/:id/leads', url: (c) => `/segments/${c.segmentOfA}/leads`, item: true },
  { method: 'GET', path: '/segments/:id/rules', url: (c) => `/segments/${c.segmentOfA}/rules`, item: true },
  {
    method: 'POST',
    path: '/segments/:id/rules',
    url: (c) => `/segments/${c.segmentOfA}/rules`,
    body: { rule_type: 'lead_metadata', field_name: 'plan', operator: 'is_empty' },
    item: true,
  },
  { method: 'PUT', path: '/segments/:id/rules/:ruleId', url: (c) => `/segments/${c.segmentOfA}/rules/${c.segmentRuleOfA}`, body: { value: 'x' }, item: true },
  { method: 'DELETE', path: '/segments/:id/rules/:ruleId', url: (c) => `/segments/${c.segmentOfA}/rules/${c.segmentRuleOfA}`, item: true },
  {
    method: 'POST',
    path: '/ingest',
    url: () => '/ingest',
    body: { aliases: [{ alias_kind: 'email', raw_value: 'matrix@example.com' }], event_type: 'Matrix Event' },
  },
  { method: 'POST', path: '/import', url: () => '/import', csv: 'event_type,email\nMatrix Import,matrix-import@example.com\n' },
  { method: 'GET', path: '/events', url: () => '/events' },
  { method: 'DELETE', path: '/events/batch', url: () => '/events/batch', body: (c) => ({ ids: [c.eventOfA] }) },
  { method: 'GET', path: '/events/export', url: () => '/events/export' },
  { method: 'GET', path: '/events/:leadID', url: (c) => `/events/${c.leadOfA}`, item: true },
  { method: 'GET', path: '/events/:eventID/score-explain', url: (c) => `/events/${c.eventOfA}/score-explain`, item: true },
  { method: 'GET', path: '/channels', url: () => '/channels' },
  { method: 'GET', path: '/events-analytics', url: () => '/events-analytics' },
  { method: 'GET', path: '/event-stats', url: () => '/event-stats' },
  { method: 'GET', path: '/top-leads', url: () => '/top-leads' },
  { method: 'GET', path: '/score-gains', url: () => '/score-gains' },
  { method: 'GET', path: '/analytics/score-gains', url: () => '/analytics/score-gains' },
  { method: 'GET', path: '/deals/attribution-insights', url: () => '/deals/attribution-insights' },
  { method: 'GET', path: '/analytics/campaigns', url: () => '/analytics/campaigns' },
  { method: 'GET', path: '/analytics/campaigns/:campaign_name/leads', url: () => '/analytics/campaigns/matrix/leads' },
  { method: 'GET', path: '/leads/:leadID/activity', url: (c) => `/leads/${c.leadOfA}/activity`, item: true },
  { method: 'GET', path: '/score/:leadID', url: (c) => `/score/${c.leadOfA}`, item: true },
  { method: 'GET', path: '/leads', url: () => '/leads' },
  { method: 'GET', path: '/leads/export', url: () => '/leads/export' },
  { method: 'GET', path: '/leads/search', url: () => '/leads/search?q=ld' },
  { method: 'POST', path: '/leads/scores', url: () => '/leads/scores', body: (c) => ({ lead_ids: [c.leadOfA] }), viewerMay: true },
  { method: 'GET', path: '/leads/:leadID/score', url: (c) => `/leads/${c.leadOfA}/score`, item: true },
  { method: 'GET', path: '/scoring/settings', url: () => '/scoring/settings' },
  { method: 'PUT', path: '/scoring/settings', url: () => '/scoring/settings', body: { session_timeout_minutes: 45 } },
  { method: 'GET', path: '/settings/ou/surge-session-policy', url: () => '/settings/ou/surge-session-policy' },
  // Slack: the OU's connection is its resource (no OU of the matrix is connected, so by-connection routes answer 404 to all but a Viewer's mutation)
  { method: 'GET', path: '/settings/ou/slack', url: () => '/settings/ou/slack' },
  { method: 'GET', path: '/settings/ou/slack/install', url: () => '/settings/ou/slack/install', redirect: true },
  { method: 'POST', path: '/settings/ou/slack/install', url: () => '/settings/ou/slack/install' },
  { method: 'DELETE', path: '/settings/ou/slack', url: () => '/settings/ou/slack', item: true },
  { method: 'GET', path: '/settings/ou/slack/channels', url: () => '/settings/ou/slack/channels', item: true },
  { method: 'GET', path: '/settings/ou/slack/users', url: () => '/settings/ou/slack/users', item: true },
  {
    method: 'PUT',
    path: '/settings/ou/slack/default-target',
    url: () => '/settings/ou/slack/default-target',
    body: { kind: 'channel', id: 'C0MATRIX1' },
    item: true,
  },
  { method: 'POST', path: '/settings/ou/slack/test', url: () => '/settings/ou/slack/test', body: { kind: 'channel', id: 'C0MATRIX1' }, item: true },
  { method: 'GET', path: '/settings/ou/slack/publish-notifications', url: () => '/settings/ou/slack/publish-notifications' },
  {
    method: 'PUT',
    path: '/settings/ou/slack/publish-notifications',
    url: () => '/settings/ou/slack/publish-notifications',
    body: { enabled: true },
    item: true,
  },
  { method: 'GET', path: '/integrations/slack/identity-status', url: () => '/integrations/slack/identity-status' },
  { method: 'POST', path: '/integrations/slack/sync-identities', url: () => '/integrations/slack/sync-identities', item: true },
  { method: 'GET', path: '/settings/ou/hubspot', url: () => '/settings/ou/hubspot' },
  { method: 'GET', path: '/settings/ou/hubspot/engagement-types', url: () => '/settings/ou/hubspot/engagement-types' },
  {
    method: 'PUT',
    path: '/settings/ou/hubspot/engagement-types',
    url: () => '/settings/ou/hubspot/engagement-types',
    body: { engagement_types: ['emails'], include_engagement_history: true },
  },
  { method: 'POST', path: '/settings/ou/hubspot/oauth/initiate', url: () => '/settings/ou/hubspot/oauth/initiate' },
  {
    method: 'POST',
    path: '/settings/ou/hubspot/credentials',
    url: () => '/settings/ou/hubspot/credentials',
    body: { client_id: 'byo-app', client_secret: 'byo-secret' },
  },
  { method: 'DELETE', path: '/settings/ou/hubspot/credentials', url: () => '/settings/ou/hubspot/credentials' },
  // only OU A is connected: the import of another OU finds no connection
  { method: 'POST', path: '/settings/ou/hubspot/backfill', url: () => '/settings/ou/hubspot/backfill', body: { include_contacts: true }, item: true },
  { method: 'PUT', path: '/settings/ou/surge-session-policy', url: () => '/settings/ou/surge-session-policy', body: { mode: 'gentle' } },
  { method: 'GET', path: '/scoring/half-life-suggestions', url: () => '/scoring/half-life-suggestions' },
  {
    method: 'POST',
    path: '/scoring/half-life-suggestions/apply',
    url: () => '/scoring/half-life-suggestions/apply',
    body: (c) => ({ rule_ids: [c.ruleOfA] }),
  },
  {
    method: 'POST',
    path: '/engagement-scoring/test',
    url: () => '/engagement-scoring/test',
    body: (c) => ({ lead_id: c.leadOfA, rule: { event_type: 'A Event', weight: 1 } }),
    item: true,
    viewerMay: true,
  },
  { method: 'POST', path: '/scoring/rulesets/:dimension/:id/score-now', url: (c) => `/scoring/rulesets/engagement/${c.rulesetOfA}/score-now`, item: true },
  { method: 'GET', path: '/scoring/jobs/:jobId', url: (c) => `/scoring/jobs/${c.scoreJobOfA}`, item: true },
  {
    method: 'POST',
    path: '/metadata-filters/preview',
    url: () => '/metadata-filters/preview',
    body: { conditions: [{ key: 'x', operator: 'exists' }] },
    viewerMay: true,
  },
  { method: 'GET', path: '/event-types', url: () => '/event-types' },
  { method: 'GET', path: '/event-types/:eventType/properties', url: () => '/event-types/A%20Event/properties', item: true },
  { method: 'GET', path: '/settings/ou/event-types', url: () => '/settings/ou/event-types' },
  // an upsert: another OU registers the type in its own OU, so it is a collection-like route
  { method: 'PUT', path: '/settings/ou/event-types/:eventType', url: () => '/settings/ou/event-types/Matrix%20Type', body: { hidden: false } },
  { method: 'GET', path: '/settings/ou/event-types/:eventType/delete-preview', url: () => '/settings/ou/event-types/A%20Event/delete-preview', item: true },
  { method: 'DELETE', path: '/settings/ou/event-types/:eventType/events', url: () => '/settings/ou/event-types/A%20Event/events', item: true },
  { method: 'POST', path: '/leads/import/preview', url: () => '/leads/import/preview', csv: 'email,company\nmatrix-lead@example.com,Matrix\n' },
  {
    method: 'POST',
    path: '/leads/import/start',
    url: () => '/leads/import/start',
    body: (c) => ({ file_id: c.leadImportFileOfA, primary_identifier: { column: 'email', kind: 'email' } }),
    item: true,
  },
  { method: 'GET', path: '/leads/import/jobs', url: () => '/leads/import/jobs' },
  { method: 'GET', path: '/leads/import/jobs/:jobId', url: (c) => `/leads/import/jobs/${c.leadImportJobOfA}`, item: true },
  {
    method: 'POST',
    path: '/leads/merge',
    url: () => '/leads/merge',
    body: (c) => ({ targetLeadId: c.leadOfA, sourceLeadIds: ['ld_matrix_nobody'] }),
    item: true,
  },
  { method: 'POST', path: '/leads/:leadID/reset-scores', url: (c) => `/leads/${c.leadOfA}/reset-scores`, item: true },
  { method: 'GET', path: '/lead/:leadID/score-explain', url: (c) => `/lead/${c.leadOfA}/score-explain`, item: true },
  { method: 'GET', path: '/leads/:leadID/why', url: (c) => `/leads/${c.leadOfA}/why`, item: true },
  { method: 'GET', path: '/leads/why', url: (c) => `/leads/why?lead_ids=${c.leadOfA}` },
  { method: 'POST', path: '/leads/:id/share-explain', url: (c) => `/leads/${c.leadOfA}/share-explain`, item: true },
  { method: 'POST', path: '/leads', url: () => '/leads', body: { id: 'matrix-created-plural' } },
  { method: 'POST', path: '/lead', url: () => '/lead', body: { id: 'matrix-created-singular' } },
  ...(['/lead', '/leads'] as const).flatMap((base): Row[] => [
    { method: 'GET', path: `${base}/:leadID`, url: (c) => `${base}/${c.leadOfA}`, item: true },
    { method: 'GET', path: `${base}/:leadID/aliases`, url: (c) => `${base}/${c.leadOfA}/aliases`, item: true },
    { method: 'PATCH', path: `${base}/:leadID/metadata`, url: (c) => `${base}/${c.leadOfA}/metadata`, body: { taken_over: true }, item: true },
  ]),
  { method: 'GET', path: '/leads/:leadID/profile', url: (c) => `/leads/${c.leadOfA}/profile`, item: true },
  { method: 'GET', path: '/leads/:leadID/account', url: (c) => `/leads/${c.leadOfA}/account`, item: true },
  { method: 'PUT', path: '/lead/:leadID', url: (c) => `/lead/${c.leadOfA}`, body: { metadata: { taken_over: true } }, item: true },
  { method: 'DELETE', path: '/lead/:leadID', url: (c) => `/lead/${c.leadOfA}`, item: true },
  { method: 'GET', path: '/lead/:leadID/deletion-status', url: (c) => `/lead/${c.leadOfA}/deletion-status`, item: true },
  { method: 'GET', path: '/lead/by-alias', url: () => '/lead/by-alias?kind=external_id&value=matrix-a', item: true },
  { method: 'GET', path: '/lead-by-alias', url: () => '/lead-by-alias?kind=external_id&value=matrix-a', item: true },
  // both path spellings of every level operation; the creates use distinct ranges (another OU creates in its own)
  ...LEVEL_PATHS.flatMap(([kind, base], i): Row[] => [
    { method: 'GET', path: base, url: () => base },
    { method: 'POST', path: base, url: () => base, body: { name: `Matrix ${i}`, min_score: 100 * i, max_score: 100 * i + 9 } },
    { method: 'PUT', path: `${base}/:id`, url: (c) => `${base}/${c.levelOfA[kind]}`, body: { name: 'Taken over' }, item: true },
    { method: 'DELETE', path: `${base}/:id`, url: (c) => `${base}/${c.levelOfA[kind]}`, item: true },
    { method: 'GET', path: `${base}/history`, url: () => `${base}/history` },
    { method: 'POST', path: `${base}/revert`, url: () => `${base}/revert`, body: (c) => ({ history_id: c.levelHistoryOfA[kind] }), item: true },
  ]),
  // both path spellings of every mapping operation (account ones need ABM, on in both organizations here)
  ...MAPPING_PATHS.flatMap(([target, base], i): Row[] => {
    const body = { source_field: `matrix_${i}`, [`${target}_property`]: `matrix_${i}` };
    const ofA = (c: Ctx) => (target === 'profile' ? c.profileMappingOfA : c.accountMappingOfA);
    return [
      { method: 'GET', path: base, url: () => base },
      { method: 'POST', path: base, url: () => base, body },
      { method: 'PUT', path: `${base}/:id`, url: (c) => `${base}/${ofA(c)}`, body: { source_field: 'taken', [`${target}_property`]: 'over' }, item: true },
      { method: 'DELETE', path: `${base}/:id`, url: (c) => `${base}/${ofA(c)}`, item: true },
      { method: 'GET', path: `${base}/history`, url: () => `${base}/history` },
    ];
  }),
  { method: 'GET', path: '/lead-metadata/properties', url: () => '/lead-metadata/properties' },
  { method: 'GET', path: '/account-metadata/properties', url: () => '/account-metadata/properties' },
  { method: 'POST', path: '/backfill/profile-mappings', url: () => '/backfill/profile-mappings' },
  { method: 'GET', path: '/backfill/jobs/:jobId', url: (c) => `/backfill/jobs/${c.backfillJobOfA}`, item: true },
  {
    method: 'PATCH',
    path: '/lead/by-alias/metadata',
    url: () => '/lead/by-alias/metadata',
    body: { alias_kind: 'external_id', alias_value: 'matrix-a', attributes: { taken_over: 'yes' } },
    item: true,
  },
  // profile and account rulesets and rules (the account family needs ABM, on for both organizations here)
  ...(['profile', 'account'] as const).flatMap((dim): Row[] => {
    const base = `/${dim}-scoring/rulesets`;
    const rule = { [`${dim}_property`]: 'industry', condition: 'equals', comparison_value: 'matrix', weight: 1 };
    return [
      { method: 'GET', path: base, url: () => base },
      { method: 'POST', path: base, url: () => base, body: { name: `Matrix ${dim}` } },
      { method: 'PUT', path: `${base}/:id`, url: (c) => `${base}/${c.fitRulesetOfA[dim]}`, body: { name: 'Taken over' }, item: true },
      { method: 'DELETE', path: `${base}/:id`, url: (c) => `${base}/${c.fitRulesetOfA[dim]}`, item: true },
      { method: 'GET', path: `${base}/:id/rules`, url: (c) => `${base}/${c.fitRulesetOfA[dim]}/rules`, item: true },
      { method: 'POST', path: `${base}/:id/rules`, url: (c) => `${base}/${c.fitRulesetOfA[dim]}/rules`, body: rule, item: true },
      {
        method: 'PUT',
        path: `${base}/:id/rules/:ruleId`,
        url: (c) => `${base}/${c.fitRulesetOfA[dim]}/rules/${c.fitRuleOfA[dim]}`,
        body: { weight: 99 },
        item: true,
      },
      { method: 'DELETE', path: `${base}/:id/rules/:ruleId`, url: (c) => `${base}/${c.fitRulesetOfA[dim]}/rules/${c.fitRuleOfA[dim]}`, item: true },
    ];
  }),
  // calibration (CAL-1..6): the OU's conversion definition, and per-dimension calibration of OU A's rules. There is no
  // deal ruleset API yet, so the deal rows aim at OU A's engagement rule (a rule of another dimension is not found either).
  { method: 'GET', path: '/settings/ou/conversion-definition', url: () => '/settings/ou/conversion-definition' },
  {
    method: 'PUT',
    path: '/settings/ou/conversion-definition',
    url: () => '/settings/ou/conversion-definition',
    body: { conversion_type: 'engagement_persistence' },
  },
  { method: 'DELETE', path: '/settings/ou/conversion-definition', url: () => '/settings/ou/conversion-definition', item: true },
  ...(['engagement', 'profile', 'account', 'deal'] as const).flatMap((dim): Row[] => {
    const ruleset = (c: Ctx) => (dim === 'profile' || dim === 'account' ? c.fitRulesetOfA[dim] : c.rulesetOfA);
    const rule = (c: Ctx) => (dim === 'profile' || dim === 'account' ? c.fitRuleOfA[dim] : c.ruleOfA);
    const base = `/${dim}-scoring`;
    return [
      {
        method: 'GET',
        path: `${base}/rulesets/:rulesetId/rules/:ruleId/calibration`,
        url: (c) => `${base}/rulesets/${ruleset(c)}/rules/${rule(c)}/calibration`,
        item: true,
      },
      { method: 'GET', path: `${base}/rulesets/:rulesetId/calibrations`, url: (c) => `${base}/rulesets/${ruleset(c)}/calibrations`, item: true },
      { method: 'POST', path: `${base}/rules/:ruleId/calibration/apply`, url: (c) => `${base}/rules/${rule(c)}/calibration/apply`, item: true },
    ];
  }),
  {
    method: 'POST',
    path: '/profile-scoring/test',
    url: () => '/profile-scoring/test',
    body: (c) => ({ lead_id: c.leadOfA, rule: { profile_property: 'industry', condition: 'equals', comparison_value: 'x', weight: 1 } }),
    item: true,
    viewerMay: true,
  },
  {
    method: 'POST',
    path: '/deal-scoring/test',
    url: () => '/deal-scoring/test',
    body: (c) => ({ deal_id: c.dealOfA, rule: { deal_property: 'stage', condition: 'equals', comparison_value: 'x', weight: 1 } }),
    item: true,
    viewerMay: true,
  },
  { method: 'GET', path: '/scoring/disqualifications/match-counts', url: () => '/scoring/disqualifications/match-counts' },
  { method: 'GET', path: '/accounts', url: () => '/accounts' },
  { method: 'GET', path: '/accounts/by-domain', url: () => '/accounts/by-domain?name=A' },
  { method: 'GET', path: '/accounts/fuzzy', url: () => '/accounts/fuzzy?name=A' },
  { method: 'DELETE', path: '/accounts', url: () => '/accounts', body: (c) => ({ ids: [c.accountOfA] }), item: true },
  { method: 'GET', path: '/accounts/:id', url: (c) => `/accounts/${c.accountOfA}`, item: true },
  { method: 'PATCH', path: '/accounts/:id/metadata', url: (c) => `/accounts/${c.accountOfA}/metadata`, body: { metadata: { taken: true } }, item: true },
  { method: 'POST', path: '/accounts/:id/merge', url: (c) => `/accounts/${c.accountOfA}/merge`, body: { target_id: 'acct_elsewhere' }, item: true },
  { method: 'GET', path: '/accounts/:accountID/why', url: (c) => `/accounts/${c.accountOfA}/why`, item: true },
  { method: 'GET', path: '/accounts/:accountId/buying-committee', url: (c) => `/accounts/${c.accountOfA}/buying-committee`, item: true },
  {
    method: 'POST',
    path: '/accounts/:accountId/buying-committee',
    url: (c) => `/accounts/${c.accountOfA}/buying-committee`,
    body: (c) => ({ lead_id: c.accountLeadOfA, role: 'kol' }),
    item: true,
  },
  {
    method: 'PUT',
    path: '/accounts/:accountId/buying-committee',
    url: (c) => `/accounts/${c.accountOfA}/buying-committee`,
    body: (c) => ({ lead_id: c.accountLeadOfA, role: 'kol' }),
    item: true,
  },
  {
    method: 'DELETE',
    path: '/accounts/:accountId/buying-committee/:leadId',
    url: (c) => `/accounts/${c.accountOfA}/buying-committee/${c.accountLeadOfA}`,
    item: true,
  },
  { method: 'POST', path: '/accounts/:accountId/buying-committee/refresh', url: (c) => `/accounts/${c.accountOfA}/buying-committee/refresh`, item: true },
  {
    method: 'POST',
    path: '/account-scoring/test',
    url: () => '/account-scoring/test',
    body: (c) => ({ lead_id: c.accountLeadOfA, rule: { account_property: 'industry', condition: 'equals', comparison_value: 'x', weight: 1 } }),
    item: true,
    viewerMay: true,
  },
  { method: 'POST', path: '/backfill/account-mapping', url: () => '/backfill/account-mapping' },
  // sample data (ADM-4): OU B seeds and wipes its own sample; the wipe of a Viewer is refused
  { method: 'POST', path: '/admin/seed', url: () => '/admin/seed' },
  { method: 'DELETE', path: '/admin/seed', url: () => '/admin/seed' },
  { method: 'POST', path: '/backfill/event-account-id', url: () => '/backfill/event-account-id' },
  { method: 'POST', path: '/leads/:leadID/owner', url: (c) => `/leads/${c.leadOfA}/owner`, body: { owner_id: 'intruder', owner_name: 'Intruder' }, item: true },
  { method: 'POST', path: '/leads/bulk-assign-owner', url: () => '/leads/bulk-assign-owner', body: (c) => ({ lead_ids: [c.leadOfA], owner_id: 'intruder' }) },
  // outbound fetches on behalf of the OU: a Viewer may not start them
  { method: 'POST', path: '/site-scoring/analyze', url: () => '/site-scoring/analyze', body: (c) => ({ url: c.siteUrl }) },
];

const OU_IN_PATH: Row[] = [
  { method: 'PUT', path: '/org-units/:id', url: ({ a }) => `/org-units/${a.unitId}`, body: { name: 'Renamed by intruder' } },
  { method: 'GET', path: '/org-units/:id/members', url: ({ a }) => `/org-units/${a.unitId}/members` },
  { method: 'POST', path: '/org-units/:id/members', url: ({ a }) => `/org-units/${a.unitId}/members`, body: { org_member_id: 'x', role: 'Owner' } },
  {
    method: 'PUT',
    path: '/org-units/:id/members/:memberId',
    url: ({ a, memberOfA }) => `/org-units/${a.unitId}/members/${memberOfA}`,
    body: { role: 'Owner' },
  },
  { method: 'DELETE', path: '/org-units/:id/members/:memberId', url: ({ a, memberOfA }) => `/org-units/${a.unitId}/members/${memberOfA}` },
  {
    method: 'GET',
    path: '/org-units/:ouId/surge-metrics',
    url: ({ a }) => `/org-units/${a.unitId}/surge-metrics?start=2026-01-01T00:00:00Z&end=2026-01-02T00:00:00Z`,
  },
];

const send = (t: TestApp, auth: Auth, row: Row, ctx: Ctx) => {
  const client = api(t, auth);
  const url = row.url(ctx);
  if (row.csv !== undefined) return request(t.http).post(url).set(auth.header, auth.value).attach('file', Buffer.from(row.csv), 'events.csv');
  const body = typeof row.body === 'function' ? row.body(ctx) : row.body;
  switch (row.method) {
    case 'GET':
      return client.get(url);
    case 'POST':
      return client.post(url, body);
    case 'PUT':
      return client.put(url, body);
    case 'PATCH':
      return client.patch(url, body);
    case 'DELETE':
      return client.delete(url, body);
  }
};

describe('Tenancy matrix', () => {
  let t: TestApp;
  let ctx: Ctx;
  let viewerA: Auth;
  let unitA2Admin: Auth;
  let site: FakeSite;

  beforeAll(async () => {
    // a shared HubSpot app: every OU can start a HubSpot connection
    t = await startTestApp({ env: { HUBSPOT_CLIENT_ID: 'matrix-hubspot', HUBSPOT_CLIENT_SECRET: 'matrix-hubspot-secret' } });
    site = await fakeSite(() => ({ '/': html([['/pricing', 'Pricing']]) }));
    const a = await firstRunTenant(t);
    const b = await anotherTenant(t, 'Intruder Ltd');
    const member = await memberWithRole(t, a, 'member-of-a@first.example', 'Operator');
    viewerA = (await memberWithRole(t, a, 'viewer-of-a@first.example', 'Viewer')).auth;
    await api(t, a.admin).post('/org-units/active', { ouId: a.unitId }).expect(200);
    const rulesetOfA = (await api(t, a.admin).post('/rulesets', { name: 'A only' }).expect(201)).body.ruleset_id;
    const ruleOfA = (await api(t, a.admin).post('/rules', { ruleset_id: rulesetOfA, event_type: 'A Event', weight: 3 }).expect(201)).body.rule_id;
    const velocityFilterOfA = (await api(t, a.admin).post('/filters', { event_type: 'A Event', count_threshold: 3, time_window_ms: 1000 }).expect(201)).body
      .filter_id;
    const metadataFilterOfA = (
      await api(t, a.admin)
        .post('/metadata-filters', { name: 'A filter', conditions: [{ key: 'x', operator: 'exists' }] })
        .expect(201)
    ).body.id;
    const surgeTriggerOfA = (
      await api(t, a.admin).post('/surge-triggers', { event_type: 'A Event', window_seconds: 60, threshold_count: 3, active: false }).expect(201)
    ).body.trigger_id;
    const milestoneTriggerOfA = (await api(t, a.admin).post('/triggers', { score_threshold: 30, active: false }).expect(201)).body.trigger_id;
    const sequenceOfA = (
      await api(t, a.admin)
        .post('/sequences', { event_types: ['A Event', 'B Event'], window_seconds: 60, active: false })
        .expect(201)
    ).body.trigger_id;
    const patternTriggerOfA = (
      await api(t, a.admin)
        .post('/pattern-triggers', { window_seconds: 60, conditions: [{ event_type: 'A Event', min_count: 2 }], active: false })
        .expect(201)
    ).body.trigger_id;
    const notificationChannelOfA = (
      await api(t, a.admin)
        .post('/notification-channels', { name: 'A alerts', type: 'webhook', config: { url: 'https://hooks.example.com/a' } })
        .expect(201)
    ).body.id;
    const decayOfA = (await api(t, a.admin).post('/decays', { inactive_for: 14, unit: 'days', decrease: 3 }).expect(201)).body.decay_id;
    const segmentOfA = (await api(t, a.admin).post('/segments', { name: 'A segment' }).expect(201)).body.segment_id;
    const segmentRuleOfA = (
      await api(t, a.admin)
        .post(`/segments/${segmentOfA}/rules`, { rule_type: 'lead_metadata', field_name: 'plan', operator: 'equals', value: 'pro' })
        .expect(201)
    ).body.rule_id;
    const leadOfA = 'ld_matrix_a';
    await api(t, a.admin)
      .post('/ingest', { aliases: [{ alias_kind: 'external_id', raw_value: 'matrix-a' }], event_type: 'A Event' })
      .expect(202);
    const eventOfA = await eventually(async () => (await api(t, a.admin).get('/events')).body.events?.[0]?.id);
    const leadIdOfA = (await api(t, a.admin).get('/events')).body.events[0].lead_id;
    const scoreJobOfA = (await api(t, a.admin).post(`/scoring/rulesets/engagement/${rulesetOfA}/score-now`).expect(202)).body.job_id;
    const leadImportFileOfA = (
      await request(t.http)
        .post('/leads/import/preview')
        .set(a.admin.header, a.admin.value)
        .attach('file', Buffer.from('email\nimport-a@example.com\n'), 'leads.csv')
        .expect(200)
    ).body.file_id;
    const leadImportJobOfA = (
      await api(t, a.admin)
        .post('/leads/import/start', { file_id: leadImportFileOfA, primary_identifier: { column: 'email', kind: 'email' } })
        .expect(202)
    ).body.job_id;
    const levelOfA = {} as Record<LevelKind, string>;
    const levelHistoryOfA = {} as Record<LevelKind, string>;
    for (const kind of ['engagement', 'profile', 'account'] as const) {
      const level = (await api(t, a.admin).post(`/${kind}-scoring/levels`, { name: 'A level', min_score: 0, max_score: 9 }).expect(201)).body;
      levelOfA[kind] = level.stage_id ?? level.level_id;
      levelHistoryOfA[kind] = (await api(t, a.admin).get(`/${kind}-scoring/levels/history`).expect(200)).body[0].history_id;
    }
    await api(t, b.admin).post('/org-units/active', { ouId: b.unitId }).expect(200);
    // both organizations have a Slack app (installs start), no OU is connected
    for (const org of [a, b]) await api(t, org.admin).put('/settings/slack', { client_id: 'matrix.app', client_secret: 'matrix-secret' }).expect(200);
    for (const admin of [a.admin, b.admin]) await api(t, admin).put('/scoring/settings', { abm_enabled: true }).expect(204);
    const fitRulesetOfA = {} as Ctx['fitRulesetOfA'];
    const fitRuleOfA = {} as Ctx['fitRuleOfA'];
    for (const dim of ['profile', 'account'] as const) {
      fitRulesetOfA[dim] = (await api(t, a.admin).post(`/${dim}-scoring/rulesets`, { name: 'A fit' }).expect(201)).body.id;
      fitRuleOfA[dim] = (
        await api(t, a.admin)
          .post(`/${dim}-scoring/rulesets/${fitRulesetOfA[dim]}/rules`, {
            [`${dim}_property`]: 'industry',
            condition: 'equals',
            comparison_value: 'a',
            weight: 3,
          })
          .expect(201)
      ).body.id;
    }
    // OU A is connected to HubSpot (nothing is ever synced here: only refused requests reach the backfill)
    await t.app
      .get(DataSource)
      .query(`INSERT INTO hubspot_connections (unit_id, org_id, status, created_at, updated_at) VALUES ($1, $2, 'connected', now(), now())`, [
        a.unitId,
        a.orgId,
      ]);
    const dealOfA = '6f1c1d2e-0000-4000-8000-00000000000a';
    await t.app
      .get(DataSource)
      .query(`INSERT INTO deals (id, org_id, unit_id, name, stage, created_at, updated_at) VALUES ($1, $2, $3, 'A deal', 'Proposal Sent', now(), now())`, [
        dealOfA,
        a.orgId,
        a.unitId,
      ]);
    const profileMappingOfA = (await api(t, a.admin).post('/profile-mappings', { source_field: 'a_field', profile_property: 'a_property' }).expect(201)).body
      .id;
    const accountMappingOfA = (await api(t, a.admin).post('/account-scoring/mappings', { source_field: 'a_field', account_property: 'a_property' }).expect(201))
      .body.id;
    await api(t, a.admin).post('/backfill/profile-mappings').expect(200);
    const maintenance = t.app.get<Queue>(getQueueToken(QueueName.Maintenance));
    const accountOfA = 'acct_matrix_a';
    const accountLeadOfA = 'matrix-account-lead';
    await api(t, a.admin).post('/leads', { id: accountLeadOfA, account_id: accountOfA }).expect(201);
    await eventually(async () => (await api(t, a.admin).get(`/accounts/${accountOfA}`)).status === 200);
    await api(t, a.admin).post(`/accounts/${accountOfA}/buying-committee`, { lead_id: accountLeadOfA, role: 'champion' }).expect(201);
    const backfillJobOfA = String((await maintenance.getJobs(['completed'])).find((j) => j.name === 'mappings.backfill-profile')!.id);
    ctx = {
      a,
      b,
      fitRulesetOfA,
      fitRuleOfA,
      dealOfA,
      accountOfA,
      accountLeadOfA,
      memberOfA: member.id,
      rulesetOfA,
      ruleOfA,
      velocityFilterOfA,
      metadataFilterOfA,
      surgeTriggerOfA,
      milestoneTriggerOfA,
      sequenceOfA,
      patternTriggerOfA,
      notificationChannelOfA,
      decayOfA,
      segmentOfA,
      segmentRuleOfA,
      leadOfA: leadIdOfA ?? leadOfA,
      eventOfA,
      scoreJobOfA,
      leadImportFileOfA,
      leadImportJobOfA,
      levelOfA,
      levelHistoryOfA,
      profileMappingOfA,
      accountMappingOfA,
      backfillJobOfA,
      siteUrl: site.base,
    };
    await api(t, b.admin).post('/org-units/active', { ouId: b.unitId }).expect(200);
    // an admin of A acting in a second OU of A (OU B of the same organization)
    const unit2 = (await api(t, a.admin).post('/org-units', { name: 'Second' }).expect(201)).body.unit_id;
    const secondAdmin = await memberWithRole(t, a, 'second-ou@first.example', 'Owner', unit2);
    unitA2Admin = secondAdmin.auth;
  });
  afterAll(async () => {
    await t.close();
    await site.close();
  });

  it('lists every @OuScoped route', () => {
    const discovery = t.app.get(DiscoveryService);
    const scanner = t.app.get(MetadataScanner);
    const meta = <T>(key: string, target: object): T | undefined => Reflect.getMetadata(key, target);
    const found: string[] = [];
    for (const c of discovery.getControllers()) {
      const proto = Object.getPrototypeOf(c.instance);
      const base = (meta<string>(PATH_METADATA, c.metatype as object) ?? '').replace(/^\/?/, '/').replace(/\/$/, '');
      for (const m of scanner.getAllMethodNames(proto)) {
        const handler = proto[m];
        if (meta<RequestMethod>(METHOD_METADATA, handler) === undefined) continue; // a helper, not a route
        const scoped = meta<boolean>(OU_SCOPED, handler) ?? meta<boolean>(OU_SCOPED, c.metatype as object);
        if (!scoped) continue;
        const sub = meta<string>(PATH_METADATA, handler) ?? '';
        const method = RequestMethod[meta<RequestMethod>(METHOD_METADATA, handler)!];
        found.push(`${method} ${base + (sub && sub !== '/' ? '/' + sub.replace(/^\//, '') : '') || '/'}`);
      }
    }
    expect(found.sort()).toEqual(MATRIX.map((r) => `${r.method} ${r.path}`).sort());
  });

  describe.each(MATRIX.filter((r) => r.item).map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, row) => {
    it("answers 404 to another organization for OU A's resource", async () => {
      const res = await send(t, ctx.b.admin, row, ctx);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatch(/not_found/);
    });
    it('answers 404 to another OU of the same organization', async () => {
      expect((await send(t, unitA2Admin, row, ctx)).status).toBe(404);
    });
    if (row.viewerMay) {
      it('lets a Viewer of OU A make the dry run (not 403)', async () => {
        expect((await send(t, viewerA, row, ctx)).status).not.toBe(403);
      });
    } else if (row.method !== 'GET') {
      it('refuses a Viewer of OU A (403) and leaves the resource alone', async () => {
        expect((await send(t, viewerA, row, ctx)).status).toBe(403);
        const owner = api(t, ctx.a.admin);
        expect((await owner.get(`/rulesets/${ctx.rulesetOfA}/rules`)).body).toEqual([expect.objectContaining({ rule_id: ctx.ruleOfA, weight: 3 })]);
        expect((await owner.get('/filters')).body).toEqual([expect.objectContaining({ filter_id: ctx.velocityFilterOfA, count_threshold: 3 })]);
        expect((await owner.get(`/metadata-filters/${ctx.metadataFilterOfA}`)).body.name).toBe('A filter');
        expect((await owner.get('/surge-triggers')).body).toEqual([expect.objectContaining({ trigger_id: ctx.surgeTriggerOfA, threshold_count: 3 })]);
        expect((await owner.get('/decays')).body).toEqual([expect.objectContaining({ decay_id: ctx.decayOfA, decrease: 3 })]);
        expect((await owner.get('/engagement-scoring/levels')).body).toEqual([expect.objectContaining({ stage_id: ctx.levelOfA.engagement, name: 'A level' })]);
      });
    }
    it('needs a credential (401)', async () => {
      expect((await send(t, { header: 'X-None', value: '1' }, row, ctx)).status).toBe(401);
    });
  });

  describe.each(MATRIX.filter((r) => !r.item).map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, row) => {
    it('needs a credential (401)', async () => {
      expect((await send(t, { header: 'X-None', value: '1' }, row, ctx)).status).toBe(401);
    });
    it('shows another organization only its own OU', async () => {
      const res = await send(t, ctx.b.admin, row, ctx);
      expect(row.redirect ? [302] : [200, 201, 202, 204]).toContain(res.status);
      const text = JSON.stringify(res.body);
      expect(text).not.toContain(ctx.a.orgId);
      expect(text).not.toContain(ctx.a.adminEmail);
      expect(text).not.toContain('"unit_default"');
    });
    if (row.method !== 'GET') {
      it('refuses a Viewer (403) unless the route is their own settings or a dry run', async () => {
        const res = await send(t, viewerA, row, ctx);
        const allowed = (row.path === '/me/notification-prefs' && row.method === 'PUT') || Boolean(row.viewerMay);
        expect(res.status).toBe(allowed ? 200 : 403);
      });
    }
  });

  describe.each(OU_IN_PATH.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', (_name, row) => {
    it("answers 404 to another organization for OU A's resource", async () => {
      const res = await send(t, ctx.b.admin, row, ctx);
      expect(res.status).toBe(404);
      expect(res.body.error).toMatch(/not_found/);
    });
    it('answers 403 to a member of another OU of the same organization', async () => {
      expect((await send(t, unitA2Admin, row, ctx)).status).toBe(403);
    });
    if (row.method !== 'GET') {
      it('refuses a Viewer of OU A (403)', async () => {
        expect((await send(t, viewerA, row, ctx)).status).toBe(403);
      });
    }
    it('needs a credential (401)', async () => {
      expect((await send(t, { header: 'X-None', value: '1' }, row, ctx)).status).toBe(401);
    });
  });

  it('a Viewer still reads', async () => {
    expect((await api(t, viewerA).get('/audit-logs')).status).toBe(200);
    expect((await api(t, viewerA).get(`/org-units/${ctx.a.unitId}/members`)).status).toBe(200);
  });
});
