import providers from 'email-providers/all.json';

/** ABM-2: free-mail and ISP mail domains (the `email-providers` package's list) never group leads into an account. */
const FREE_MAIL = new Set<string>((providers as string[]).map((d) => d.toLowerCase()));

export function isFreeMailDomain(domain: string): boolean {
  return FREE_MAIL.has(domain.toLowerCase());
}
