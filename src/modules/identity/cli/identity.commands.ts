import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { generatePassword } from '../domain/credentials';
import { MembersService } from '../services/members.service';
import { FirstRunService } from '../services/first-run.service';
import { ServiceAccountsService } from '../services/service-accounts.service';
import { execute, sql } from '../../../platform/database';
import { orgScope } from '../../../platform/tenancy';

async function resolveOrg(ds: DataSource, org?: string): Promise<string> {
  const rows: Array<{ id: string }> = org
    ? await ds.query(`SELECT id FROM organizations WHERE id = $1 OR slug = $1`, [org])
    : await ds.query(`SELECT id FROM organizations ORDER BY created_at LIMIT 2`);
  if (!rows.length) throw new Error(org ? `no organization ${org}` : 'no organization yet: start the server once first');
  if (!org && rows.length > 1) throw new Error('several organizations exist: pass --org <id or slug>');
  return rows[0].id;
}

interface AdminOptions {
  email: string;
  password?: string;
  firstName?: string;
  lastName?: string;
  org?: string;
}

@Command({ name: 'admin:create', description: 'Create an organization admin (prints a generated password when none is given)' })
export class CreateAdminCommand extends CommandRunner {
  constructor(
    private readonly members: MembersService,
    private readonly ds: DataSource,
  ) {
    super();
  }

  async run(_: string[], o: AdminOptions): Promise<void> {
    if (!o.email) throw new Error('--email is required');
    const orgId = await resolveOrg(this.ds, o.org);
    const password = o.password ?? generatePassword();
    const m = await this.members.create(orgId, {
      first_name: o.firstName ?? 'Admin',
      last_name: o.lastName ?? 'User',
      email: o.email,
      password,
      role: 'admin',
      verified: true,
    });
    await execute(
      this.ds,
      sql`INSERT INTO ou_memberships (unit_id, org_member_id, role) SELECT id, ${m.id}, 'Owner' FROM org_units WHERE ${orgScope(undefined, orgId)} ON CONFLICT DO NOTHING`,
    );
    process.stdout.write(`created admin ${m.email} (${m.id}) in ${orgId}\n${o.password ? '' : `password: ${password}\n`}`);
  }

  @Option({ flags: '--email <email>', description: 'email address (login name)' }) email(v: string) {
    return v;
  }
  @Option({ flags: '--password <password>', description: 'password (generated when omitted)' }) password(v: string) {
    return v;
  }
  @Option({ flags: '--first-name <name>' }) firstName(v: string) {
    return v;
  }
  @Option({ flags: '--last-name <name>' }) lastName(v: string) {
    return v;
  }
  @Option({ flags: '--org <id-or-slug>', description: 'organization (needed when there are several)' }) org(v: string) {
    return v;
  }
}

@Command({ name: 'service-account:create', description: 'Create service-account credentials (client_id and client_secret, shown once)' })
export class CreateServiceAccountCommand extends CommandRunner {
  constructor(
    private readonly accounts: ServiceAccountsService,
    private readonly ds: DataSource,
  ) {
    super();
  }

  async run(_: string[], o: { name?: string; org?: string }): Promise<void> {
    const orgId = await resolveOrg(this.ds, o.org);
    const { account, clientSecret } = await this.accounts.create(orgId, o.name ?? 'cli', 'cli');
    process.stdout.write(`client_id:     ${account.clientId}\nclient_secret: ${clientSecret}\n(the secret is shown only now)\n`);
  }

  @Option({ flags: '--name <name>', description: 'label (1–50 characters)' }) name(v: string) {
    return v;
  }
  @Option({ flags: '--org <id-or-slug>' }) org(v: string) {
    return v;
  }
}

@Command({ name: 'org:create', description: 'Create another organization with its first OU and admin' })
export class CreateOrganizationCommand extends CommandRunner {
  constructor(private readonly orgs: FirstRunService) {
    super();
  }

  async run(_: string[], o: { name?: string; adminEmail?: string; adminPassword?: string }): Promise<void> {
    if (!o.name || !o.adminEmail) throw new Error('--name and --admin-email are required');
    const r = await this.orgs.create({ name: o.name, adminEmail: o.adminEmail, adminPassword: o.adminPassword });
    process.stdout.write(
      `created organization ${r.orgId} (OU ${r.unitId}), admin ${r.adminEmail}\n${r.generatedPassword ? `password: ${r.generatedPassword}\n` : ''}`,
    );
  }

  @Option({ flags: '--name <name>' }) name(v: string) {
    return v;
  }
  @Option({ flags: '--admin-email <email>' }) adminEmail(v: string) {
    return v;
  }
  @Option({ flags: '--admin-password <password>' }) adminPassword(v: string) {
    return v;
  }
}

@Command({ name: 'org:rate-limit', description: "Set an organization's rate limit (per credential by default)" })
export class SetRateLimitCommand extends CommandRunner {
  constructor(private readonly ds: DataSource) {
    super();
  }

  async run(
    _: string[],
    o: { org?: string; perMinute?: string; burst?: string; mode?: string; keyBy?: string; disable?: boolean; reset?: boolean },
  ): Promise<void> {
    const orgId = await resolveOrg(this.ds, o.org);
    if (o.reset) {
      await this.ds.query(`UPDATE organizations SET rate_limit = NULL, updated_at = now() WHERE id = $1`, [orgId]);
      process.stdout.write(`rate limit of ${orgId} reset to the server defaults\n`);
      return;
    }
    const settings: Record<string, unknown> = {};
    if (o.perMinute) settings.per_minute = positive(o.perMinute, '--per-minute');
    if (o.burst) settings.burst = positive(o.burst, '--burst');
    if (o.mode) settings.mode = oneOf(o.mode, ['observe', 'enforce'], '--mode');
    if (o.keyBy) settings.key_by = oneOf(o.keyBy, ['principal', 'org', 'ip'], '--key-by');
    if (o.disable) settings.enabled = false;
    await this.ds.query(`UPDATE organizations SET rate_limit = coalesce(rate_limit, '{}'::jsonb) || $2::jsonb, updated_at = now() WHERE id = $1`, [
      orgId,
      JSON.stringify(settings),
    ]);
    process.stdout.write(`rate limit of ${orgId}: ${JSON.stringify(settings)} (api processes pick it up within 10 s)\n`);
  }

  @Option({ flags: '--org <id-or-slug>' }) org(v: string) {
    return v;
  }
  @Option({ flags: '--per-minute <n>' }) perMinute(v: string) {
    return v;
  }
  @Option({ flags: '--burst <n>' }) burst(v: string) {
    return v;
  }
  @Option({ flags: '--mode <observe|enforce>' }) mode(v: string) {
    return v;
  }
  @Option({ flags: '--key-by <principal|org|ip>' }) keyBy(v: string) {
    return v;
  }
  @Option({ flags: '--disable' }) disable() {
    return true;
  }
  @Option({ flags: '--reset' }) reset() {
    return true;
  }
}

function positive(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive whole number`);
  return n;
}

function oneOf(v: string, allowed: string[], flag: string): string {
  if (!allowed.includes(v)) throw new Error(`${flag} must be one of ${allowed.join(', ')}`);
  return v;
}
