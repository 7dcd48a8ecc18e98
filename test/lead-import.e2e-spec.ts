import { AuditWriter } from '../src/platform/audit/audit-writer.service';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { LeadImportRunner, PurgeLeadImportFilesJob } from '../src/modules/lead-import';
import { activateOu, api, Auth, Tenant } from './support/tenants';
import { eventually, TestApp } from './support/test-app';
import { startScenario } from './support/scenario';
import { ingestAndWait } from './support/ingest';

const NOW = new Date('2026-06-15T12:00:00Z');
const H = 3_600_000;

describe('Lead CSV import (LIMP-1, LIMP-2)', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  let ds: DataSource;
  const as = (auth?: Auth) => api(t, auth ?? a.admin);
  const upload = (csv: string | Buffer, opts: { filename?: string; contentType?: string; auth?: Auth } = {}) =>
    request(t.http)
      .post('/leads/import/preview')
      .set((opts.auth ?? a.admin).header, (opts.auth ?? a.admin).value)
      .attach('file', Buffer.isBuffer(csv) ? csv : Buffer.from(csv), {
        filename: opts.filename ?? 'contacts.csv',
        contentType: opts.contentType ?? 'text/csv',
      });
  const finished = async (jobId: string, auth?: Auth) =>
    eventually(async () => {
      const res = await as(auth).get(`/leads/import/jobs/${jobId}`).expect(200);
      return ['completed', 'failed'].includes(res.body.status) && res.body;
    }, 30000);
  const leadByAlias = async (kind: string, value: string) => {
    const [row] = await ds.query(
      `SELECT l.id, l.lead_id, l.metadata FROM lead_aliases a JOIN leads l ON l.id = a.lead_ref WHERE a.unit_id = $1 AND a.kind = $2 AND a.value = $3`,
      [a.unitId, kind, value],
    );
    return row as { id: string; lead_id: string; metadata: Record<string, unknown> } | undefined;
  };
  const aliasesOf = async (ref: string) =>
    (await ds.query(`SELECT kind, value FROM lead_aliases WHERE lead_ref = $1 ORDER BY kind, value`, [ref])).map(
      (r: { kind: string; value: string }) => `${r.kind}:${r.value}`,
    );
  const leadCount = async () => (await ds.query(`SELECT count(*)::int AS n FROM leads WHERE unit_id = $1`, [a.unitId]))[0].n as number;

  const CONTACTS = [
    'Email,Company,Title,Mobile,CRM,Account Number,Contact',
    'ann@example.com,Acme,CTO,+1 555 0101,crm-1,1000001,ann.alt@example.com',
    'BOB@Example.com,Globex,,+1 555 0102,crm-2,1000002,bob.alt@example.com',
    ',Nobody Inc,,,,1000003,',
    'cara@example.com,Initech,CEO,+1 555 0101,crm-3,1000004,',
    'ann@example.com,Acme Corp,,,,1000005,',
    'dave@example.com,Umbrella,VP Sales,,crm-4,1000006,',
    '',
  ].join('\n');
  const MAPPING = {
    primary_identifier: { column: 'Email', kind: 'email' },
    field_mappings: { Company: 'company', Title: 'job title' },
    alias_mappings: { Mobile: 'phone', CRM: 'external_id' },
  };

  beforeAll(async () => {
    ({ t, a, b } = await startScenario({ now: NOW, rival: 'Other Import Co' }));
    await activateOu(t, a.admin, a.unitId);
    ds = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  it('previews an upload: header, first 5 rows, row count, detected e-mail and phone columns, one-hour file id', async () => {
    const res = await upload(CONTACTS).expect(200);
    expect(res.body).toEqual({
      file_id: expect.stringMatching(/^preview_[0-9a-f]{32}$/),
      file_name: 'contacts.csv',
      headers: ['Email', 'Company', 'Title', 'Mobile', 'CRM', 'Account Number', 'Contact'],
      sample_rows: [
        {
          Email: 'ann@example.com',
          Company: 'Acme',
          Title: 'CTO',
          Mobile: '+1 555 0101',
          CRM: 'crm-1',
          'Account Number': '1000001',
          Contact: 'ann.alt@example.com',
        },
        {
          Email: 'BOB@Example.com',
          Company: 'Globex',
          Title: '',
          Mobile: '+1 555 0102',
          CRM: 'crm-2',
          'Account Number': '1000002',
          Contact: 'bob.alt@example.com',
        },
        { Email: '', Company: 'Nobody Inc', Title: '', Mobile: '', CRM: '', 'Account Number': '1000003', Contact: '' },
        { Email: 'cara@example.com', Company: 'Initech', Title: 'CEO', Mobile: '+1 555 0101', CRM: 'crm-3', 'Account Number': '1000004', Contact: '' },
        { Email: 'ann@example.com', Company: 'Acme Corp', Title: '', Mobile: '', CRM: '', 'Account Number': '1000005', Contact: '' },
      ],
      row_count: 6,
      // Contact by its values; Account Number is numeric but not written like a phone number
      auto_detected_identifiers: { email_columns: ['Email', 'Contact'], phone_columns: ['Mobile'] },
      expires_at: new Date(NOW.getTime() + H).toISOString(),
    });
    // kept in PostgreSQL, byte for byte
    const chunks = await ds.query(`SELECT data FROM lead_import_file_chunks WHERE file_id = $1 ORDER BY seq`, [res.body.file_id]);
    expect(Buffer.concat(chunks.map((c: { data: Buffer }) => c.data)).toString()).toBe(CONTACTS);
  });

  it('accepts the content types browsers and tools send for .csv, and a UTF-8 BOM', async () => {
    for (const contentType of ['application/vnd.ms-excel', 'application/octet-stream', 'text/plain']) {
      const res = await upload('\uFEFFEmail\nx@example.com\n', { contentType }).expect(200);
      expect(res.body.headers).toEqual(['Email']);
    }
  });

  it('answers 415 for a non-CSV declared type or binary content, 413 over 10 MB, and stores nothing', async () => {
    const before = (await ds.query(`SELECT count(*)::int AS n FROM lead_import_files`))[0].n;
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const r1 = await upload('Email\nx@example.com\n', { filename: 'contacts.json', contentType: 'application/json' }).expect(415);
    expect(r1.body.error).toBe('unsupported_media_type');
    await upload(png, { filename: 'photo.png', contentType: 'image/png' }).expect(415);
    // declared as CSV, but an xlsx (ZIP) or binary inside
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 1)]);
    expect((await upload(xlsx, { filename: 'contacts.csv' }).expect(415)).body.message).toMatch(/ZIP/);
    expect((await upload(Buffer.from('Email,Name\nx@example.com,A\u0000B\n'), { filename: 'contacts.csv' }).expect(415)).body.message).toMatch(/NUL/);
    const line = 'someone@example.com,Some Company Name,Some Title,+1 555 0100\n';
    const big = Buffer.from('Email,Company,Title,Mobile\n' + line.repeat(Math.ceil((10 * 1024 * 1024) / line.length) + 1));
    expect(big.length).toBeGreaterThan(10 * 1024 * 1024);
    const r2 = await upload(big).expect(413);
    expect(r2.body.error).toBe('payload_too_large');
    expect((await ds.query(`SELECT count(*)::int AS n FROM lead_import_files`))[0].n).toBe(before);
    expect(
      (await ds.query(`SELECT count(*)::int AS n FROM lead_import_file_chunks c LEFT JOIN lead_import_files f ON f.id = c.file_id WHERE f.id IS NULL`))[0].n,
    ).toBe(0);
  });

  it('answers 400 naming the file for a missing part, an empty or header-only file, unparseable CSV and a repeated column', async () => {
    const none = await as().post('/leads/import/preview', { file: 'Email\nx@example.com' }).expect(400);
    expect(none.body.details).toEqual([expect.objectContaining({ field: 'file' })]);
    const wrongPart = await request(t.http)
      .post('/leads/import/preview')
      .set(a.admin.header, a.admin.value)
      .attach('upload', Buffer.from('Email\nx@example.com\n'), 'x.csv')
      .expect(400);
    expect(wrongPart.body.details).toEqual([expect.objectContaining({ field: 'file' })]);
    for (const csv of ['', 'Email,Company\n']) {
      expect((await upload(csv).expect(400)).body.details).toEqual([expect.objectContaining({ field: 'file' })]);
    }
    const broken = await upload('Email,Company\n"unterminated@example.com,Acme\n').expect(400);
    expect(broken.body.error).toBe('invalid_csv');
    const dup = await upload('Email,email,Email\nx@example.com,y,z\n').expect(400);
    expect(dup.body.message).toMatch(/'Email' appears more than once/);
  });

  let firstJob: { job_id: string };
  let contactsFile: string;

  it('imports: finds or creates each lead by the primary identifier, merges fields, attaches aliases, counts exactly', async () => {
    // dave exists already (created by an ingested event)
    await ingestAndWait(t, a.admin, {
      aliases: [{ alias_kind: 'email', raw_value: 'dave@example.com' }],
      event_type: 'Login',
      timestamp: new Date(NOW.getTime() - H).toISOString(),
    });
    const dave = (await leadByAlias('email', 'dave@example.com'))!;
    const leadsBefore = await leadCount();
    contactsFile = (await upload(CONTACTS).expect(200)).body.file_id;
    const started = await as()
      .post('/leads/import/start', { file_id: contactsFile, ...MAPPING })
      .expect(202);
    expect(started.body).toMatchObject({
      job_id: expect.stringMatching(/^import_/),
      status: 'queued',
      file_id: contactsFile,
      file_name: 'contacts.csv',
      total_rows: 6,
      processed_rows: 0,
    });
    firstJob = started.body;
    const job = await finished(firstJob.job_id);
    expect(job).toMatchObject({
      status: 'completed',
      total_rows: 6,
      processed_rows: 6,
      created_leads: 3, // ann, bob, cara
      updated_leads: 2, // ann again, dave
      error_count: 2,
      errors: [
        { row: 4, column: 'Email', reason: "the primary identifier column 'Email' is empty" },
        { row: 5, column: 'Mobile', reason: expect.stringMatching(/^phone alias '\+1 555 0101' belongs to another lead \(ld_\w+\); not moved$/) },
      ],
      started_at: NOW.toISOString(),
      finished_at: NOW.toISOString(),
      failure_reason: null,
    });
    expect(await leadCount()).toBe(leadsBefore + 3);

    const ann = (await leadByAlias('email', 'ann@example.com'))!;
    expect(ann.metadata).toEqual({ company: 'Acme Corp', 'job title': 'CTO' }); // the later row's Company wins; its empty Title changes nothing
    expect(await aliasesOf(ann.id)).toEqual(['email:ann@example.com', 'external_id:crm-1', 'phone:+1 555 0101']);
    expect(job.errors[1].reason).toContain(ann.lead_id);
    const bob = (await leadByAlias('email', 'bob@example.com'))!; // e-mails normalised to lower case
    expect(bob.metadata).toEqual({ company: 'Globex' });
    expect(await aliasesOf(bob.id)).toEqual(['email:bob@example.com', 'external_id:crm-2', 'phone:+1 555 0102']);
    const cara = (await leadByAlias('email', 'cara@example.com'))!;
    expect(cara.metadata).toEqual({ company: 'Initech', 'job title': 'CEO' });
    expect(await aliasesOf(cara.id)).toEqual(['email:cara@example.com', 'external_id:crm-3']); // ann keeps her phone
    const daveAfter = (await leadByAlias('email', 'dave@example.com'))!;
    expect(daveAfter).toEqual({ id: dave.id, lead_id: dave.lead_id, metadata: { company: 'Umbrella', 'job title': 'VP Sales' } });
    expect(await aliasesOf(dave.id)).toEqual(['email:dave@example.com', 'external_id:crm-4']);
    // lead-created and metadata events are in the event store with the importer as actor
    const [events] = await ds.query(
      `SELECT count(*) FILTER (WHERE event_type = 'LeadCreated')::int AS created, count(*) FILTER (WHERE event_type = 'LeadMetadataChanged')::int AS changed
         FROM event_store_events WHERE metadata->>'correlation_id' = $1`,
      [`lead-import-${firstJob.job_id}`],
    );
    expect(events).toEqual({ created: 3, changed: 2 });
    await t.app.get(AuditWriter).flush(); // audit rows are written in batches
    const audit = await as().get('/audit-logs').expect(200);
    expect(JSON.stringify(audit.body)).toContain(`started a lead import of 'contacts.csv' (6 row(s)) matching leads by email from column 'Email'`);
  });

  it('re-running the same import updates the leads instead of duplicating them', async () => {
    const leadsBefore = await leadCount();
    const again = await as()
      .post('/leads/import/start', { file_id: contactsFile, ...MAPPING })
      .expect(202);
    const job = await finished(again.body.job_id);
    expect(job).toMatchObject({ status: 'completed', processed_rows: 6, created_leads: 0, updated_leads: 5, error_count: 2 });
    expect(await leadCount()).toBe(leadsBefore);
    const [n] = await ds.query(`SELECT count(*)::int AS n FROM event_store_events WHERE event_type = 'LeadCreated' AND metadata->>'correlation_id' = $1`, [
      `lead-import-${again.body.job_id}`,
    ]);
    expect(n.n).toBe(0);
    // bob, cara and dave were already as the file says: no event at all for them
    const bob = (await leadByAlias('email', 'bob@example.com'))!;
    const [forBob] = await ds.query(`SELECT count(*)::int AS n FROM event_store_events WHERE stream_id = $1 AND metadata->>'correlation_id' = $2`, [
      bob.id,
      `lead-import-${again.body.job_id}`,
    ]);
    expect(forBob.n).toBe(0);
  });

  it('matches by public lead id (kind lead_id), creating leads with the given id', async () => {
    const ann = (await leadByAlias('email', 'ann@example.com'))!;
    const file = (await upload(`lead_id,Segment\n${ann.lead_id},Enterprise\nld_from_import_1,SMB\n`).expect(200)).body.file_id;
    const started = await as()
      .post('/leads/import/start', { file_id: file, primary_identifier: { column: 'lead_id', kind: 'lead_id' }, field_mappings: { Segment: 'segment' } })
      .expect(202);
    expect(await finished(started.body.job_id)).toMatchObject({ status: 'completed', created_leads: 1, updated_leads: 1, error_count: 0 });
    expect((await leadByAlias('email', 'ann@example.com'))!.metadata).toEqual({ company: 'Acme Corp', 'job title': 'CTO', segment: 'Enterprise' });
    const [created] = await ds.query(`SELECT metadata FROM leads WHERE unit_id = $1 AND lead_id = 'ld_from_import_1'`, [a.unitId]);
    expect(created.metadata).toEqual({ segment: 'SMB' });
  });

  it('works through files larger than one chunk, reporting progress', async () => {
    const rows = Array.from({ length: 1234 }, (_, i) => `bulk${i}@example.com,Company ${i}`);
    const file = (await upload(['email,company', ...rows].join('\n')).expect(200)).body;
    expect(file.row_count).toBe(1234);
    const started = await as()
      .post('/leads/import/start', { file_id: file.file_id, primary_identifier: { column: 'email', kind: 'email' }, field_mappings: { company: 'company' } })
      .expect(202);
    expect(await finished(started.body.job_id)).toMatchObject({
      status: 'completed',
      total_rows: 1234,
      processed_rows: 1234,
      created_leads: 1234,
      updated_leads: 0,
      errors: [],
    });
    expect((await leadByAlias('email', 'bulk1233@example.com'))!.metadata).toEqual({ company: 'Company 1233' });
  });

  it('a retried job resumes after the last committed chunk and counts nothing twice', async () => {
    const file = (await upload('email\nresume1@example.com\nresume2@example.com\nresume3@example.com\nresume4@example.com\n').expect(200)).body.file_id;
    // as left by an attempt that committed the first two rows and died
    await ds.query(
      `INSERT INTO lead_import_jobs (id, org_id, unit_id, file_id, file_name, primary_column, primary_kind, status, total_rows, processed_rows, created_leads, created_at, started_at)
       VALUES ('import_resumed', $1, $2, $3, 'contacts.csv', 'email', 'email', 'running', 4, 2, 2, $4, $4)`,
      [a.orgId, a.unitId, file, NOW.toISOString()],
    );
    await t.app.get(LeadImportRunner).run('import_resumed');
    expect((await as().get('/leads/import/jobs/import_resumed').expect(200)).body).toMatchObject({
      status: 'completed',
      processed_rows: 4,
      created_leads: 4,
      updated_leads: 0,
    });
    expect(await leadByAlias('email', 'resume2@example.com')).toBeUndefined();
    expect(await leadByAlias('email', 'resume3@example.com')).toBeDefined();
    // a redelivery of a finished job does nothing
    await t.app.get(LeadImportRunner).run('import_resumed');
    expect((await as().get('/leads/import/jobs/import_resumed').expect(200)).body.created_leads).toBe(4);
  });

  it('answers 400 naming the field for mappings that do not fit the file', async () => {
    const file = (await upload(CONTACTS).expect(200)).body.file_id;
    const start = (body: object) =>
      as()
        .post('/leads/import/start', { file_id: file, primary_identifier: { column: 'Email', kind: 'email' }, ...body })
        .expect(400);
    expect((await start({ primary_identifier: { column: 'E-mail', kind: 'email' } })).body.details).toEqual([
      { field: 'primary_identifier.column', reason: expect.stringMatching(/^is not a column of the file/) },
    ]);
    expect((await start({ primary_identifier: { column: 'Email', kind: 'fax' } })).body.details).toEqual([
      { field: 'primary_identifier.kind', reason: expect.any(String) },
    ]);
    expect((await start({ field_mappings: { Compnay: 'company' } })).body.details).toEqual([
      { field: 'field_mappings.Compnay', reason: expect.stringMatching(/not a column/) },
    ]);
    expect((await start({ field_mappings: { Company: 'bad/field' } })).body.details).toEqual([{ field: 'field_mappings.Company', reason: expect.any(String) }]);
    expect((await start({ field_mappings: { Company: 'org', Title: 'org' } })).body.details).toEqual([
      { field: 'field_mappings.Title', reason: expect.stringMatching(/already mapped/) },
    ]);
    expect((await start({ alias_mappings: { Mobile: 'pager' } })).body.details).toEqual([
      { field: 'alias_mappings.Mobile', reason: expect.stringMatching(/must be one of/) },
    ]);
    expect((await start({ alias_mappings: { Fax: 'phone' } })).body.details).toEqual([
      { field: 'alias_mappings.Fax', reason: expect.stringMatching(/not a column/) },
    ]);
    const noFile = (
      await as()
        .post('/leads/import/start', { primary_identifier: { column: 'Email', kind: 'email' } })
        .expect(400)
    ).body.details;
    expect(noFile.length).toBeGreaterThan(0);
    expect(noFile.every((d: { field: string }) => d.field === 'file_id')).toBe(true);
  });

  it('answers 404 for an unknown file, 410 once its hour is over (the purge keeps the answer), then 404', async () => {
    const body = { primary_identifier: { column: 'Email', kind: 'email' } };
    expect(
      (
        await as()
          .post('/leads/import/start', { file_id: 'preview_nope', ...body })
          .expect(404)
      ).body.error,
    ).toBe('file_not_found');
    const file = (await upload(CONTACTS).expect(200)).body.file_id;
    t.clock.set(new Date(NOW.getTime() + H - 1000));
    const ok = await as()
      .post('/leads/import/start', { file_id: file, ...body })
      .expect(202);
    await finished(ok.body.job_id);
    t.clock.set(new Date(NOW.getTime() + H));
    expect(
      (
        await as()
          .post('/leads/import/start', { file_id: file, ...body })
          .expect(410)
      ).body.error,
    ).toBe('file_expired');
    await t.app.get(PurgeLeadImportFilesJob).run();
    expect((await ds.query(`SELECT count(*)::int AS n FROM lead_import_file_chunks WHERE file_id = $1`, [file]))[0].n).toBe(0);
    await as()
      .post('/leads/import/start', { file_id: file, ...body })
      .expect(410);
    t.clock.set(new Date(NOW.getTime() + 26 * H));
    await t.app.get(PurgeLeadImportFilesJob).run();
    await as()
      .post('/leads/import/start', { file_id: file, ...body })
      .expect(404);
    t.clock.set(NOW);
  });

  it("keeps files and jobs to their OU: another organization's ids answer 404 and its list is its own", async () => {
    const file = (await upload(CONTACTS).expect(200)).body.file_id;
    const other = await api(t, b.admin)
      .post('/leads/import/start', { file_id: file, primary_identifier: { column: 'Email', kind: 'email' } })
      .expect(404);
    expect(other.body.error).toBe('file_not_found');
    expect((await api(t, b.admin).get(`/leads/import/jobs/${firstJob.job_id}`).expect(404)).body.error).toBe('job_not_found');
    expect((await api(t, b.admin).get('/leads/import/jobs').expect(200)).body).toEqual({ jobs: [], total: 0, page: 1, limit: 50 });
    const mine = (await as().get('/leads/import/jobs?limit=2').expect(200)).body;
    expect(mine.total).toBeGreaterThanOrEqual(4);
    expect(mine.jobs).toHaveLength(2);
    expect(mine.jobs[0]).toEqual(expect.objectContaining({ job_id: expect.any(String), status: 'completed', errors: expect.any(Array) }));
    await as().get('/leads/import/jobs?limit=0').expect(400);
  });
});
