// report.html without a browser: escaping of every string from models and datasets, and the embedded data.
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript } from '../../reports/html/escape.ts';
import { renderHtmlReport } from '../../reports/html/page.ts';
import { SCRIPT_ANSWER, writeSyntheticRun } from './synthetic-run.ts';

describe('escaping helpers', () => {
  it('escape HTML and keep JSON inside its script block', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const json = jsonForScript({ a: '</script><!-- \u2028 &' });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ a: '</script><!-- \u2028 &' });
  });
});

describe('renderHtmlReport', () => {
  let runDir: string;
  let html: string;
  beforeAll(async () => {
    ({ runDir } = await writeSyntheticRun());
    html = readFileSync(await renderHtmlReport(runDir, { references: { pope: { 'EVE-7B': 83.6 } } }), 'utf8');
  });
  afterAll(() => rm(runDir, { recursive: true, force: true }));

  it('holds exactly two script elements and no raw hostile markup', () => {
    expect(html.match(/<script/gi)).toHaveLength(2);
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('Content-Security-Policy');
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // nothing to fetch
  });
  it('embeds the answers, verbatim, as data', () => {
    const m = html.match(/<script type="application\/json" id="eve-data">([^<]*)<\/script>/)!;
    const data = JSON.parse(m[1]);
    expect(data.models).toEqual(['tiny-eve', 'tiny-fuyu', 'tiny-llava']);
    const answers = data.rows.flatMap((r: unknown[]) => r[7]);
    expect(answers).toContain(SCRIPT_ANSWER);
    expect(data.benchmarks.find((b: { id: string }) => b.id === 'pope').suffix).toMatch(/\nAnswer the question using a single word or phrase\.$/);
    expect(data.thumbs.length).toBe(4 * 8); // first 8 samples of each benchmark have thumbnails
  });
  it('shows the published row and filled-in intervals', () => {
    expect(html).toContain('EVE-7B <span class="tag">published</span>');
    expect(html).toMatch(/<span class="ci" title="95% CI [\d.]+ – [\d.]+">±\d+\.\d<\/span>/);
  });
});
