/** The small HTML page served at / and /home to browsers: where to go next. */
export function renderLandingPage(title: string): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}a{color:#2563eb}</style>
</head><body>
<h1>${esc(title)}</h1>
<p>The kenbun lead-scoring API is running.</p>
<ul>
<li><a href="/docs">API reference</a> (interactive) and <a href="/docs-json">OpenAPI document</a></li>
<li><a href="/health/ready">Readiness</a> and <a href="/metrics">metrics</a></li>
</ul>
</body></html>`;
}
