import { extractLinks } from './html-links';

describe('extractLinks', () => {
  const page = 'https://example.com/products/';

  it('resolves links, keeps their text, marks those in <nav> or <header>, drops fragments and other schemes', () => {
    const html = `<!doctype html><html><head><title>x</title></head><body>
      <header><a href="/"><img alt="Acme" src="logo.png"></a>
        <nav><ul><li><a href="/pricing">Pricing</a></li><li><a HREF="features#top"> Our
          features </a></li></ul></nav></header>
      <main><a href="https://example.com/pricing">See plans</a> <a href="mailto:hi@example.com">Mail</a>
        <a href="javascript:void(0)">x</a><a>no href</a><a href="https://other.example/x">Other &amp; co</a></main>
      </body></html>`;
    expect(extractLinks(html, page)).toEqual([
      { url: 'https://example.com/', text: 'Acme', navigation: true },
      { url: 'https://example.com/pricing', text: 'Pricing', navigation: true },
      { url: 'https://example.com/products/features', text: 'Our features', navigation: true },
      { url: 'https://other.example/x', text: 'Other & co', navigation: false },
    ]);
  });

  it('honours <base href> and copes with broken or cut-off markup', () => {
    expect(extractLinks('<base href="https://example.com/en/"><a href="demo">Demo', page)).toEqual([
      { url: 'https://example.com/en/demo', text: 'Demo', navigation: false },
    ]);
    expect(extractLinks('<p><a href="/contact">Contact<p><a href="/about">About</a><a href="/car', page).map((l) => l.url)).toEqual([
      'https://example.com/contact',
      'https://example.com/about',
    ]); // the tag cut off inside its href is not a link: half a URL would be a wrong one
  });
});
