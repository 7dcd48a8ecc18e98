import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The dry-run endpoints and the live pipeline share this folder only while it stays plain TypeScript:
 * a framework import here would quietly tie the maths to one of them.
 */
describe('scoring domain boundary', () => {
  const sources = readdirSync(__dirname).filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'));

  it('has sources to check', () => {
    expect(sources.length).toBeGreaterThanOrEqual(15);
  });

  it.each(sources)('%s imports only sibling files', (file) => {
    const text = readFileSync(join(__dirname, file), 'utf8');
    const specifiers = [...text.matchAll(/from\s+'([^']+)'/g)].map((match) => match[1]);
    expect(specifiers.filter((specifier) => !specifier.startsWith('./'))).toEqual([]);
  });
});
