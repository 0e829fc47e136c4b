// CI conformance: the real-data checks of issue 2 (POPE, its drift refusal, MME, VizWiz submission) and issue 12 (data status), through the same code paths as the CLI
// (scoreFile / submissionFile), against ../shared/realdata. Exits 1 on any mismatch; when the real
// files are absent (a user's own checkout) it says so and checks nothing else in their place.
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { ScoreRefusal } from '../core/errors.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scoreFile } from '../harness/commands/score.ts';
import { submissionFile } from '../harness/commands/submission.ts';

const REAL = resolve(fileURLToPath(new URL('../../shared/realdata', import.meta.url)));

interface Check {
  name: string;
  run(): Promise<string[]>; // mismatches, empty when the check passes
}

const near = (got: number | null | undefined, want: number) => typeof got === 'number' && got.toFixed(2) === want.toFixed(2);
function expectFigures(got: Record<string, number | null>, want: Record<string, number>): string[] {
  return Object.entries(want)
    .filter(([k, v]) => !near(got[k], v))
    .map(([k, v]) => `${k}: got ${got[k]?.toFixed?.(4) ?? got[k]}, expected ${v.toFixed(2)}`);
}

const checks: Check[] = [
  {
    name: 'POPE, LLaVA-1.5-13B answers vs the pinned labels: mean F1 85.95; F1 84.46/86.25/87.14; accuracy 85.50/87.43/88.01',
    async run() {
      const { output } = await scoreFile({ benchmark: 'pope', data: REAL, predictions: join(REAL, 'pope/answers/llava-v1.5-13b.jsonl') });
      return expectFigures(
        { headline: output.headline, ...output.metrics },
        {
          headline: 85.95,
          'adversarial.f1': 84.46,
          'popular.f1': 86.25,
          'random.f1': 87.14,
          'adversarial.accuracy': 85.5,
          'popular.accuracy': 87.43,
          'random.accuracy': 88.01,
        },
      );
    },
  },
  {
    name: 'POPE, the same answers against random-split labels regenerated to 3,000 rows are refused',
    async run() {
      const dir = await mkdtemp(join(tmpdir(), 'eve-eval-conformance-'));
      try {
        await mkdir(join(dir, 'pope/coco'), { recursive: true });
        await copyFile(join(REAL, 'pope/llava_pope_test.jsonl'), join(dir, 'pope/llava_pope_test.jsonl'));
        for (const s of ['adversarial', 'popular']) await copyFile(join(REAL, `pope/coco/coco_pope_${s}.json`), join(dir, `pope/coco/coco_pope_${s}.json`));
        const rows = (await readFile(join(REAL, 'pope/coco/coco_pope_random.json'), 'utf8')).split('\n').filter(Boolean);
        for (let i = 0; i < 90; i++) {
          rows.push(
            JSON.stringify({
              question_id: 2911 + i,
              image: `COCO_val2014_000000${900000 + i}.jpg`,
              text: 'Is there a kite in the image?',
              label: i % 2 ? 'no' : 'yes',
            }),
          );
        }
        await writeFile(join(dir, 'pope/coco/coco_pope_random.json'), rows.join('\n') + '\n');
        try {
          await scoreFile({ benchmark: 'pope', data: dir, predictions: join(REAL, 'pope/answers/llava-v1.5-13b.jsonl') });
          return ['scored instead of refusing'];
        } catch (err) {
          return err instanceof ScoreRefusal ? [] : [`refused with ${(err as Error).name}, expected ScoreRefusal: ${(err as Error).message}`];
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'MME, LaVIN-13B official example answers: perception 963.61 (existence 185.00, count 88.33, position 63.33), cognition 249.64',
    async run() {
      const { output } = await scoreFile({ benchmark: 'mme', data: REAL, predictions: join(REAL, 'MME/eval_tool/LaVIN') });
      return expectFigures(
        { headline: output.headline, ...output.metrics },
        {
          headline: 963.61,
          'perception.total': 963.61,
          'perception.existence': 185,
          'perception.count': 88.33,
          'perception.position': 63.33,
          'cognition.total': 249.64,
        },
      );
    },
  },
  {
    name: 'VizWiz upload file from LLaVA-1.5-13B answers equals answers_upload/llava-v1.5-13b.json entry for entry',
    async run() {
      const dir = await mkdtemp(join(tmpdir(), 'eve-eval-conformance-'));
      try {
        const out = join(dir, 'vizwiz.json');
        await submissionFile({ benchmark: 'vizwiz', data: REAL, split: 'test', predictions: join(REAL, 'vizwiz/answers/llava-v1.5-13b.jsonl'), out });
        const got = JSON.parse(await readFile(out, 'utf8')) as unknown[];
        const want = JSON.parse(await readFile(join(REAL, 'vizwiz/answers_upload/llava-v1.5-13b.json'), 'utf8')) as unknown[];
        const problems: string[] = [];
        if (got.length !== want.length) problems.push(`${got.length} entries, expected ${want.length}`);
        for (let i = 0; i < Math.min(got.length, want.length) && problems.length < 5; i++) {
          if (JSON.stringify(got[i]) !== JSON.stringify(want[i]))
            problems.push(`entry ${i}: got ${JSON.stringify(got[i])}, expected ${JSON.stringify(want[i])}`);
        }
        return problems;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  },
];

checks.push({
  name: 'data status: every split present in realdata at its expected count, every file at a known expected release, only image folders missing',
  async run() {
    const { dataStatus } = await import('../harness/commands/data.ts');
    const problems: string[] = [];
    for (const b of await dataStatus(REAL)) {
      for (const s of b.splits) {
        if (s.present && s.samples !== s.expected) problems.push(`${b.benchmark}/${s.split}: ${s.error ?? `${s.samples} questions, expected ${s.expected}`}`);
      }
      for (const f of b.files) if (f.unknownChecksum || f.expectedRelease === false) problems.push(`${f.path}: ${f.release ?? `md5 ${f.md5} unknown`}`);
      for (const p of b.problems) if (!/images missing/.test(p)) problems.push(p);
    }
    return problems;
  },
});

async function main(): Promise<number> {
  if (!existsSync(REAL)) {
    console.log(`conformance: skipped: ../shared/realdata absent (${REAL}); no real-data check ran`);
    return 0;
  }
  let failed = 0;
  for (const c of checks) {
    let problems: string[];
    try {
      problems = await c.run();
    } catch (err) {
      problems = [`error: ${(err as Error).message}`];
    }
    if (problems.length === 0) console.log(`conformance: ok   ${c.name}`);
    else {
      failed++;
      console.log(`conformance: FAIL ${c.name}`);
      for (const p of problems) console.log(`    ${p}`);
    }
  }
  console.log(`conformance: ${checks.length - failed} of ${checks.length} checks passed`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
