import { normaliseAliases } from '../leads';
import { clientEventUuid } from './ingest-job';

describe('ingest job helpers', () => {
  it('trims aliases, lower-cases e-mails only, drops repeats and blanks', () => {
    expect(
      normaliseAliases([
        { alias_kind: 'email', raw_value: ' Jane@Example.COM ' },
        { alias_kind: 'email', raw_value: 'jane@example.com' },
        { alias_kind: 'external_id', raw_value: ' CRM-1 ' },
        { alias_kind: 'cookie', raw_value: '   ' },
      ]),
    ).toEqual([
      { kind: 'email', value: 'jane@example.com' },
      { kind: 'external_id', value: 'CRM-1' },
    ]);
  });

  it('derives a stable, OU-specific UUID (version 5 layout) from a client event id', () => {
    const id = clientEventUuid('unit_a', 'evt-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(clientEventUuid('unit_a', 'evt-1')).toBe(id);
    expect(clientEventUuid('unit_b', 'evt-1')).not.toBe(id);
    expect(clientEventUuid('unit_a', 'evt-2')).not.toBe(id);
  });
});
