import { Injectable } from '@nestjs/common';
import { jaroWinkler } from '@skyra/jaro-winkler';
import { token_set_ratio } from 'fuzzball';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { boundedTotal, estimateRows, joinSql, raw, selectOne, selectRows, Sql, sql } from '../../../platform/database';
import { isoOrNull, pageOf, pageRequest, PlatformErrors, relativeRange } from '../../../platform/http';
import { currentUnit, unitScope } from '../../../platform/tenancy';
import { LeadAccountReader, LeadAccountView, LeadExplainService } from '../../leads';
import { attributeRuleName, Metadata, ProfileScoring, roundScore } from '../../scoring';
import { AccountErrors } from '../accounts.errors';
import {
  AccountDetailDto,
  AccountFactorDto,
  AccountFuzzyDto,
  AccountListDto,
  AccountListQueryDto,
  AccountLookupQueryDto,
  AccountRefDto,
  AccountRowDto,
  AccountWhyDto,
} from '../http/accounts.dto';

const SURGE_WINDOW_MS = 24 * 3_600_000;
/** ACC-2: at most 5 matches, above 0.6. */
const FUZZY_LIMIT = 5;
const FUZZY_THRESHOLD = 0.6;
/** Candidates pg_trgm narrows a fuzzy search to before the two similarities are computed. */
const FUZZY_CANDIDATES = 50;
/** [trigram similarity, word similarity] thresholds of the candidate tiers, closest first; the last is pg_trgm's default. */
const FUZZY_TIERS: ReadonlyArray<readonly [number, number]> = [
  [0.6, 0.8],
  [0.45, 0.65],
  [0.3, 0.6],
];
export const NO_QUALIFIED_CONTACTS = 'No qualified contacts in this account.';

interface AccountRow {
  id: string;
  org_id: string;
  account_id: string;
  name: string | null;
  domain: string | null;
  metadata: Metadata;
  top_score: number;
  leads_count: number;
  engagement_score: number;
  owner_name: string | null;
  last_activity_at: Date | null;
  last_surge_at: Date | null;
  account_score: number;
  account_level: string | null;
  created_at: Date;
}

/** The row columns of a list or detail, qualified-only or over every lead (`include_disqualified`). */
function rowColumns(all: boolean): Sql {
  const s = all ? '_all' : '';
  return raw(
    `a.id, a.org_id, a.account_id, a.name, a.domain, a.metadata, a.top_score${s} AS top_score, a.leads_count${s} AS leads_count,
     a.engagement_score${s} AS engagement_score, a.owner_name${s} AS owner_name, a.last_activity_at${s} AS last_activity_at, a.last_surge_at,
     a.account_score, a.account_level, a.created_at`,
  );
}

const like = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** ABM reads (ACC-1..4, ACC-8) from the `accounts` read model; every one OU-scoped, archived accounts hidden. */
@Injectable()
export class AccountReads implements LeadAccountReader {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly explain: LeadExplainService,
    private readonly profiles: ProfileScoring,
  ) {}

  /** The live account of the active OU with this public id (404 otherwise). */
  async ref(accountId: string): Promise<{ id: string; account_id: string; org_id: string; unit_id: string }> {
    const row = await selectOne<{ id: string; account_id: string; org_id: string; unit_id: string }>(
      this.ds,
      sql`SELECT id, account_id, org_id, unit_id FROM accounts WHERE ${unitScope()} AND account_id = ${accountId} AND archived_at IS NULL`,
    );
    if (!row) throw AccountErrors.notFound('account_not_found', 'account');
    return row;
  }

  /** ACC-1: domain first, exact name (case-insensitive) the fallback; null when neither matches. */
  async lookup(q: AccountLookupQueryDto): Promise<AccountRefDto | null> {
    if (!q.domain && !q.name) {
      throw PlatformErrors.error('validation_failed', 'domain or name is required', [{ field: 'domain', reason: 'domain or name is required' }]);
    }
    const cols = sql`SELECT account_id, name, domain FROM accounts WHERE ${unitScope()} AND archived_at IS NULL`;
    if (q.domain) {
      const hit = await selectOne<AccountRefDto>(this.ds, sql`${cols} AND lower(domain) = ${q.domain.trim().toLowerCase()} ORDER BY created_at, id LIMIT 1`);
      if (hit) return hit;
    }
    if (q.name) {
      const hit = await selectOne<AccountRefDto>(this.ds, sql`${cols} AND lower(name) = ${q.name.trim().toLowerCase()} ORDER BY created_at, id LIMIT 1`);
      if (hit) return hit;
    }
    return null;
  }

  /**
   * ACC-2: pg_trgm narrows the OU's accounts to candidate names, then each is ranked by max(Jaro-Winkler, token set
   * ratio / 100) on lower-cased names; at most 5 above 0.6.
   *
   * Candidates come in tiers of falling trigram thresholds (FUZZY_TIERS): a tier's index scan rechecks only the names
   * that share enough trigrams with the query, so a close query ("quantum dynamics 4242" among 100,000 names built
   * from a few words) reads ~50 rows instead of the ~14,000 that share one word with it. The next tier runs only
   * while fewer than 5 matches are found; the last tier is pg_trgm's default reach (similarity 0.3, word similarity
   * 0.6): a name one query at the default thresholds finds is still found unless five closer matches came first.
   */
  async fuzzy(name: string): Promise<AccountFuzzyDto> {
    const q = name.trim().toLowerCase();
    const seen = new Map<string, AccountRefDto & { similarity: number }>();
    await this.ds.transaction(async (m) => {
      for (const [similarity, wordSimilarity] of FUZZY_TIERS) {
        await m.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true), set_config('pg_trgm.word_similarity_threshold', $2, true)`, [
          String(similarity),
          String(wordSimilarity),
        ]);
        const candidates = await selectRows<AccountRefDto>(
          m,
          sql`SELECT account_id, name, domain FROM accounts
               WHERE ${unitScope()} AND archived_at IS NULL AND name IS NOT NULL AND (lower(name) % ${q} OR ${q} <% lower(name))
               ORDER BY greatest(similarity(lower(name), ${q}), word_similarity(${q}, lower(name))) DESC, id
               LIMIT ${FUZZY_CANDIDATES}`,
        );
        for (const c of candidates) {
          if (seen.has(c.account_id)) continue;
          const n = c.name!.toLowerCase();
          const score = Math.max(jaroWinkler(q, n), token_set_ratio(q, n) / 100);
          seen.set(c.account_id, { ...c, similarity: Math.round(score * 1000) / 1000 });
        }
        if ([...seen.values()].filter((c) => c.similarity > FUZZY_THRESHOLD).length >= FUZZY_LIMIT) break;
      }
    });
    const matches = [...seen.values()]
      .filter((c) => c.similarity > FUZZY_THRESHOLD)
      .sort((a, b) => b.similarity - a.similarity || a.account_id.localeCompare(b.account_id))
      .slice(0, FUZZY_LIMIT);
    return { matches };
  }

  /** ACC-3. Every sort reads one (unit_id, column, id) index over live accounts. */
  async list(q: AccountListQueryDto): Promise<AccountListDto> {
    const page = pageRequest(q);
    const all = q.include_disqualified === true;
    const s = all ? '_all' : '';
    const where: Sql[] = [unitScope('a'), raw('a.archived_at IS NULL')];
    if (q.range && q.range !== 'all') {
      const { start, end } = relativeRange(q.range, this.clock.now());
      if (start) where.push(sql`a.created_at >= ${start.toISOString()}`);
      if (end) where.push(sql`a.created_at < ${end.toISOString()}`);
    }
    if (q.search) where.push(sql`(lower(a.name) LIKE ${like(q.search)} OR lower(a.domain) LIKE ${like(q.search)})`);
    // intent bands on the displayed (rounded half up) top score: low 0–24, medium 25–49, high ≥ 50
    if (q.intent_level === 'low') where.push(raw(`a.top_score${s} < 24.5`));
    if (q.intent_level === 'medium') where.push(raw(`a.top_score${s} >= 24.5 AND a.top_score${s} < 49.5`));
    if (q.intent_level === 'high') where.push(raw(`a.top_score${s} >= 49.5`));
    if (q.account_level !== undefined) where.push(sql`a.account_level = ${q.account_level}`);
    if (q.min_score !== undefined) where.push(sql`a.account_score >= ${q.min_score - 0.5}`);
    if (q.owner_name) where.push(sql`lower(a.owner_name${raw(s)}) LIKE ${like(q.owner_name)}`);
    if (q.has_leads === true) where.push(raw(`a.leads_count${s} > 0`));
    // SUR-10, as `surging` is shown: a surge firing within the last 24 h
    const surgeSince = new Date(this.clock.now().getTime() - SURGE_WINDOW_MS).toISOString();
    if (q.surging === true) where.push(sql`a.last_surge_at > ${surgeSince}`);
    if (q.surging === false) where.push(sql`(a.last_surge_at IS NULL OR a.last_surge_at <= ${surgeSince})`);
    const filter = joinSql(where);
    const column = {
      name: 'lower(a.name)',
      score: `a.top_score${s}`,
      engagement: `a.engagement_score${s}`,
      last_activity: `a.last_activity_at${s}`,
      owner_name: `lower(a.owner_name${s})`,
    }[q.sort_by ?? 'score'];
    const dir = q.sort_order === 'asc' ? 'ASC' : 'DESC';
    const from = sql`accounts a WHERE ${filter}`;
    const [rows, estimate] = await Promise.all([
      selectRows<AccountRow>(
        this.ds,
        sql`SELECT ${rowColumns(all)} FROM ${from} ORDER BY ${raw(`${column} ${dir}, a.id ${dir}`)} LIMIT ${page.limit} OFFSET ${page.offset}`,
      ),
      estimateRows(this.ds, from),
    ]);
    const { total, total_exact } = await boundedTotal(this.ds, from, page, rows.length, estimate);
    return {
      ...pageOf(
        'accounts',
        rows.map((r) => this.view(r)),
        total,
        page,
      ),
      total_exact,
    };
  }

  /** ACC-4: the account, its live leads (by score) and the 20 latest events of its leads. */
  async detail(accountId: string): Promise<AccountDetailDto> {
    const row = await selectOne<AccountRow>(
      this.ds,
      sql`SELECT ${rowColumns(false)} FROM accounts a WHERE ${unitScope('a')} AND a.account_id = ${accountId} AND a.archived_at IS NULL`,
    );
    if (!row) throw AccountErrors.notFound('account_not_found', 'account');
    const [leads, events] = await Promise.all([
      selectRows<{ lead_id: string; score: number; profile_score: number; disqualified: boolean; owner_name: string | null; last_event_at: Date | null }>(
        this.ds,
        sql`SELECT lead_id, score, profile_score, disqualified, owner_name, last_event_at FROM leads
             WHERE account_ref = ${row.id} AND status = 'active' ORDER BY score DESC, lead_id LIMIT 500`,
      ),
      selectRows<{ event_id: string; lead_id: string; event_type: string; occurred_at: Date; metadata: Metadata }>(
        this.ds,
        sql`SELECT e.event_id, l.lead_id, e.event_type, e.occurred_at, e.metadata
              FROM leads l CROSS JOIN LATERAL (
                SELECT le.event_id, le.event_type, le.occurred_at, le.metadata FROM lead_events le
                 WHERE le.lead_ref = l.id ORDER BY le.occurred_at DESC, le.event_id DESC LIMIT 20) e
             WHERE l.account_ref = ${row.id} AND l.status = 'active'
             ORDER BY e.occurred_at DESC, e.event_id DESC LIMIT 20`,
      ),
    ]);
    return {
      ...this.view(row),
      org_id: row.org_id,
      leads: leads.map((l) => ({
        lead_id: l.lead_id,
        score: roundScore(Number(l.score)),
        profile_score: roundScore(Number(l.profile_score)),
        disqualified: l.disqualified,
        owner_name: l.owner_name,
        last_event_at: isoOrNull(l.last_event_at),
      })),
      recent_events: events.map((e) => ({ ...e, event_id: String(e.event_id), occurred_at: new Date(e.occurred_at).toISOString() })),
    };
  }

  /**
   * ACC-8: the top-3 factors across the account's qualified contacts, each factor at its maximum contribution among
   * them (engagement and profile factors from each lead's own "Why", the same code as GET /leads/{id}/why), plus the
   * account's matching account rules and its buying committee's engaged roles.
   */
  async why(accountId: string): Promise<AccountWhyDto> {
    const { orgId, unitId } = currentUnit();
    const account = await selectOne<{ id: string; metadata: Metadata }>(
      this.ds,
      sql`SELECT id, metadata FROM accounts WHERE ${unitScope()} AND account_id = ${accountId} AND archived_at IS NULL`,
    );
    if (!account) throw AccountErrors.notFound('account_not_found', 'account');
    const contacts = await selectRows<{ lead_id: string; disqualified: boolean }>(
      this.ds,
      sql`SELECT lead_id, disqualified FROM leads WHERE account_ref = ${account.id} AND status = 'active'`,
    );
    const qualified = contacts.filter((c) => !c.disqualified).map((c) => c.lead_id);
    const total = contacts.length;
    const mostly = total > 0 && (total - qualified.length) / total > 0.5;
    if (!qualified.length) {
      return {
        account_id: accountId,
        summary: NO_QUALIFIED_CONTACTS,
        factors: [],
        contributing_lead_count: 0,
        total_contact_count: total,
        mostly_disqualified: mostly,
      };
    }
    const { found } = await this.explain.whyMany(orgId, unitId, qualified, this.clock.now());
    const best = new Map<string, AccountFactorDto>();
    const contributing = new Set<string>();
    const offer = (key: string, f: AccountFactorDto) => {
      const cur = best.get(key);
      if (!cur || f.points > cur.points || (f.points === cur.points && (f.lead_id ?? '') < (cur.lead_id ?? ''))) best.set(key, f);
    };
    for (const w of found) {
      for (const f of w.factors) {
        if (f.points <= 0) continue;
        const key = f.kind === 'engagement' ? `engagement:${f.event_type}` : `profile:${f.rule_id ?? f.label}`;
        const label = f.kind === 'engagement' ? f.event_type! : f.label;
        offer(key, { kind: f.kind, label, points: f.points, lead_id: w.lead_id });
      }
    }
    const scored = await this.profiles.scoreAttributes(orgId, unitId, 'account', account.metadata);
    for (const r of scored.matched)
      if (r.weight > 0) offer(`account:${r.rule_id}`, { kind: 'account', label: attributeRuleName(r), points: r.weight, lead_id: null });
    const committee = await selectRows<{ role: string; lead_id: string; score: number }>(
      this.ds,
      sql`SELECT c.role, l.lead_id, l.score FROM account_committee_members c JOIN leads l ON l.id = c.lead_ref
           WHERE c.account_ref = ${account.id} AND l.status = 'active' AND NOT l.disqualified AND l.score > 0`,
    );
    for (const c of committee) {
      offer(`committee:${c.role}`, {
        kind: 'committee',
        label: `${c.role.replace(/_/g, ' ')} engaged`,
        points: roundScore(Number(c.score)),
        lead_id: c.lead_id,
      });
    }
    const factors = [...best.values()].sort((a, b) => b.points - a.points || a.label.localeCompare(b.label)).slice(0, 3);
    for (const f of factors) if (f.lead_id) contributing.add(f.lead_id);
    const summary = factors.length ? `Top factors: ${factors.map((f) => f.label).join(', ')}.` : 'No scoring activity yet.';
    return {
      account_id: accountId,
      summary,
      factors,
      contributing_lead_count: contributing.size,
      total_contact_count: total,
      mostly_disqualified: mostly,
    };
  }

  /** LEAD-4/LEAD-8: the live account a lead of the active OU is grouped into (the lead reads' LeadAccountReader). */
  async accountOf(leadRef: string): Promise<LeadAccountView | null> {
    const row = await selectOne<AccountRow>(
      this.ds,
      sql`SELECT ${rowColumns(false)} FROM leads l JOIN accounts a ON a.id = l.account_ref
           WHERE l.id = ${leadRef} AND ${unitScope('a')} AND a.archived_at IS NULL`,
    );
    return row ? { account_id: row.account_id, metadata: row.metadata, view: this.view(row) } : null;
  }

  private view(r: AccountRow): AccountRowDto {
    const surge = r.last_surge_at ? new Date(r.last_surge_at).getTime() : 0;
    return {
      account_id: r.account_id,
      name: r.name,
      domain: r.domain,
      metadata: r.metadata,
      top_score: roundScore(Number(r.top_score)),
      leads_count: Number(r.leads_count),
      engagement_score: roundScore(Number(r.engagement_score)),
      owner_name: r.owner_name,
      surging: surge > 0 && this.clock.now().getTime() - surge < SURGE_WINDOW_MS,
      account_score: roundScore(Number(r.account_score)),
      account_level: r.account_level,
      last_activity_at: isoOrNull(r.last_activity_at),
      created_at: new Date(r.created_at).toISOString(),
    };
  }
}
