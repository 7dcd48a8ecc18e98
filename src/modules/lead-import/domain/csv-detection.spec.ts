import { contentTypeProblem, detectIdentifierColumns, headerProblems, rowObject, sniffProblem } from './csv-detection';

describe('lead CSV detection', () => {
  it('accepts the content types CSV uploads arrive with and refuses others', () => {
    for (const t of ['text/csv', 'text/csv; charset=utf-8', 'application/vnd.ms-excel', 'application/octet-stream', 'text/plain', '', undefined])
      expect(contentTypeProblem(t)).toBeNull();
    for (const t of ['application/json', 'image/png', 'application/pdf', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'])
      expect(contentTypeProblem(t)).toMatch(/not as CSV/);
  });

  it('sniffs binary formats and NUL bytes', () => {
    expect(sniffProblem(Buffer.from('Email,Name\n'))).toBeNull();
    expect(sniffProblem(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2]))).toMatch(/ZIP/);
    expect(sniffProblem(Buffer.from('%PDF-1.7'))).toMatch(/PDF/);
    expect(sniffProblem(Buffer.from([0xff, 0xfe, 0x45, 0x00]))).toMatch(/NUL/); // UTF-16
  });

  it('detects identifier columns by header name or by every sample value', () => {
    const headers = ['E-Mail', 'work_email', 'Contact', 'Phone Number', 'Mobile', 'Tel', 'Hotel', 'Account', 'Fax Line', 'Notes'];
    const samples = [
      { Contact: 'a@x.io', Hotel: 'Ritz', Account: '1234567', 'Fax Line': '+44 20 7946 0000', Notes: 'call a@x.io' },
      { Contact: '', Hotel: 'Plaza', Account: '7654321', 'Fax Line': '(020) 7946-0001', Notes: '' },
    ];
    expect(detectIdentifierColumns(headers, samples)).toEqual({
      email_columns: ['E-Mail', 'work_email', 'Contact'],
      phone_columns: ['Phone Number', 'Mobile', 'Tel', 'Fax Line'],
    });
    expect(detectIdentifierColumns(['x'], [])).toEqual({ email_columns: [], phone_columns: [] });
  });

  it('refuses blank and repeated column names; maps rows by header', () => {
    expect(headerProblems(['a', 'b'])).toEqual([]);
    expect(headerProblems(['a', '', 'a'])).toEqual(['column 2 has no name', "column name 'a' appears more than once"]);
    expect(rowObject(['a', 'b', 'c'], ['1', '2'])).toEqual({ a: '1', b: '2', c: '' });
    expect(rowObject(['a'], ['1', 'extra'])).toEqual({ a: '1' });
  });
});
