// `eve-eval report RUN_DIR|RESULTS.json`: print the comparison table and re-render report.html in the run
// directory (or beside the results file, e.g. one `eve-eval score --results` wrote).
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { renderCsv } from '../../reports/csv.ts';
import { renderHtmlReport } from '../../reports/html/page.ts';
import { fillMissingIntervals, loadReferences, loadRunDir } from '../../reports/load.ts';
import { renderMarkdown } from '../../reports/markdown.ts';
import { reportDataWarnings } from '../../reports/data-drift.ts';
import { modelPairs, renderModelPairs } from '../../reports/pairwise.ts';
import { renderTerminalBreakdowns, renderTerminalTable } from '../../reports/terminal.ts';

interface ReportOptions {
  markdown?: string;
  csv?: string;
  deltaVs?: string;
  published: boolean;
  breakdowns?: boolean;
  pairs?: boolean;
  html: boolean;
}

export function register(program: Command): void {
  program
    .command('report')
    .description('print the comparison table of a run (or results file) and re-render its report.html')
    .argument('<run-dir>', 'run directory (holds results.json, predictions/, samples/), or a results .json file')
    .option('--markdown <file>', 'also write the table and breakdowns as Markdown')
    .option('--csv <file>', 'also write every number as long-form CSV')
    .option('--delta-vs <row>', 'show deltas against this row: a model id or a published name such as "EVE-7B"')
    .option('--no-published', 'leave out the published reference rows')
    .option('--breakdowns', 'also print every breakdown table')
    .option('--pairs', 'also print paired significance between every two models on the same samples')
    .option('--no-html', 'do not re-render report.html')
    .action(async (runDir: string, opts: ReportOptions) => {
      const run = fillMissingIntervals(await loadRunDir(runDir));
      const { references, problem } = opts.published ? await loadReferences() : { references: undefined, problem: undefined };
      if (problem) process.stderr.write(`eve-eval: note: ${problem}\n`);
      const tableOpts = { references, deltaVs: opts.deltaVs, published: opts.published };
      process.stdout.write(`${renderTerminalTable(run.results, tableOpts)}\n`);
      const dataWarnings = reportDataWarnings(run.results);
      for (const w of dataWarnings) process.stdout.write(`warning: ${w}\n`);
      if (opts.breakdowns) process.stdout.write(`\n${renderTerminalBreakdowns(run.results)}\n`);
      if (opts.pairs) process.stdout.write(`\n${renderModelPairs(modelPairs(run.results))}`);
      if (opts.markdown) {
        const warnings = dataWarnings.map((w) => `\n> **Warning:** ${w}\n`).join('');
        await writeFile(opts.markdown, renderMarkdown(run.results, tableOpts) + warnings);
        process.stdout.write(`wrote ${opts.markdown}\n`);
      }
      if (opts.csv) {
        await writeFile(opts.csv, renderCsv(run.results, tableOpts));
        process.stdout.write(`wrote ${opts.csv}\n`);
      }
      if (opts.html) {
        const out = await renderHtmlReport(runDir, { references: references ?? {}, deltaVs: opts.deltaVs });
        process.stdout.write(`wrote ${out}\n`);
      }
    });
}
