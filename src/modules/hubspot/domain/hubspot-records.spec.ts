import { changedSince, companyDomain, dealRecord, engagementEvents, pipelineStages } from './hubspot-records';

describe('HubSpot records', () => {
  it('reads a company domain from what people type into HubSpot', () => {
    expect(companyDomain('https://www.Acme.example/about')).toBe('acme.example');
    expect(companyDomain('beta.co.uk')).toBe('beta.co.uk');
    expect(companyDomain('not a domain')).toBeNull();
    expect(companyDomain(null)).toBeNull();
  });

  it('turns a deal into a row: amount as a number, closing time only when closed, companies from associations', () => {
    const d = dealRecord({
      id: '9',
      properties: { dealname: 'Big', dealstage: 'closedwon', pipeline: 'default', amount: '1500.5', closedate: '2026-10-15T00:00:00Z', hs_is_closed: 'true' },
      associations: { companies: { results: [{ id: '7' }, { id: '7' }, { id: '8' }] } },
    });
    expect(d).toEqual({
      external_id: '9',
      name: 'Big',
      stage: 'closedwon',
      amount: 1500.5,
      closed_at: '2026-10-15T00:00:00.000Z',
      company_ids: ['7', '8'],
      properties: expect.objectContaining({ stage: 'closedwon', pipeline: 'default', amount: 1500.5 }),
    });
    const open = dealRecord({ id: '10', properties: { amount: '', closedate: '2026-10-15T00:00:00Z', hs_is_closed: 'false' } });
    expect(open).toMatchObject({ name: 'HubSpot deal 10', amount: null, closed_at: null, stage: null, company_ids: [] });
  });

  it('gives one event per associated contact, with a stable client id and HubSpot’s time', () => {
    const events = engagementEvents('calls', {
      id: '5',
      properties: { hs_timestamp: '2026-10-05T15:30:00Z', hs_call_title: 'Discovery', hs_call_duration: null },
      associations: { contacts: { results: [{ id: '1' }, { id: '2' }] } },
    });
    expect(events).toEqual([
      {
        client_event_id: 'hubspot:calls:5:1',
        contact_id: '1',
        event_type: 'hubspot_call',
        occurred_at: '2026-10-05T15:30:00.000Z',
        metadata: { source: 'hubspot', hubspot_engagement_id: '5', hubspot_engagement_type: 'calls', hs_call_title: 'Discovery' },
      },
      expect.objectContaining({ client_event_id: 'hubspot:calls:5:2', contact_id: '2' }),
    ]);
    expect(engagementEvents('notes', { id: '6', properties: {}, associations: { contacts: { results: [{ id: '1' }] } } })).toEqual([]);
  });

  it('orders pipeline stages and reads closed and probability from their metadata', () => {
    expect(
      pipelineStages({
        id: 'p',
        label: 'P',
        stages: [
          { id: 'won', label: 'Won', displayOrder: 2, metadata: { isClosed: 'true', probability: '1.0' } },
          { id: 'new', label: 'New', displayOrder: 0, metadata: {} },
        ],
      }),
    ).toEqual([
      { id: 'new', label: 'New', display_order: 0, is_closed: false, probability: null },
      { id: 'won', label: 'Won', display_order: 2, is_closed: true, probability: 1 },
    ]);
  });

  it('takes for an incremental sync what changed at or after the last sync (unknown change times included)', () => {
    const since = new Date('2026-11-01T00:00:00Z');
    expect(changedSince({ id: '1', properties: {}, updatedAt: '2026-10-31T23:59:59Z' }, since)).toBe(false);
    expect(changedSince({ id: '1', properties: {}, updatedAt: '2026-11-01T00:00:00Z' }, since)).toBe(true);
    expect(changedSince({ id: '1', properties: { lastmodifieddate: '2026-11-02T00:00:00Z' } }, since)).toBe(true);
    expect(changedSince({ id: '1', properties: {} }, since)).toBe(true);
    expect(changedSince({ id: '1', properties: {}, updatedAt: '2020-01-01T00:00:00Z' }, null)).toBe(true);
  });
});
