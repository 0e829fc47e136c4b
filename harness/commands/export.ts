// eve-eval export: a published checkpoint (EVE, LLaVA-1.5, Fuyu-8B) → a model bundle eve-eval runs.
import type { Command } from 'commander';
import { UserError } from '../../core/errors.ts';
import type { Family } from '../../core/model-family.ts';

const FAMILIES = ['eve', 'llava', 'fuyu'];
const PRECISIONS = ['fp32', 'fp16', 'q4'];

function list(flag: string, allowed: string[]) {
  return (v: string): string[] => {
    const items = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = items.filter((s) => !allowed.includes(s));
    if (bad.length || items.length === 0) throw new UserError(`${flag}: ${bad.join(', ') || '(empty)'} not one of ${allowed.join(', ')}`);
    return [...new Set(items)];
  };
}

export function register(program: Command): void {
  program
    .command('export')
    .description('Turn a published checkpoint (EVE-7B, LLaVA-1.5, Fuyu-8B; .bin or safetensors, sharded) into a model bundle.')
    .requiredOption('--checkpoint <dir>', 'checkpoint folder as published (config.json, shards and their index, tokenizer)')
    .requiredOption('--out <dir>', 'bundle folder to write (must not exist or be empty)')
    .option('--family <family>', `model family (${FAMILIES.join(', ')}); detected from config.json when omitted`)
    .option('--precision <list>', `comma-separated variants to write (${PRECISIONS.join(', ')})`, list('--precision', PRECISIONS), ['fp32'])
    .option('--vision-tower <dir>', "LLaVA's original layout: the CLIP checkpoint (openai/clip-vit-large-patch14-336)")
    .option('--json', 'print the export summary as JSON')
    .action(async (o: { checkpoint: string; out: string; family?: string; precision: string[]; visionTower?: string; json?: boolean }) => {
      if (o.family !== undefined && !FAMILIES.includes(o.family)) throw new UserError(`--family must be one of ${FAMILIES.join(', ')} (got "${o.family}")`);
      const { exportCheckpoint } = await import('../../adapters/export.ts');
      const r = exportCheckpoint({
        checkpoint: o.checkpoint,
        out: o.out,
        family: o.family as Family | undefined,
        precisions: o.precision as never,
        visionTower: o.visionTower,
        log: (line) => process.stderr.write(line + '\n'),
      });
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else {
        const mb = (b: number) => (b / 1024 ** 2).toFixed(1);
        process.stdout.write(`${r.out}: ${r.family} bundle (${r.layout}), ${r.keys.used} tensors, ${r.seconds.toFixed(1)} s\n`);
        for (const f of r.files) process.stdout.write(`  ${f.file}  ${mb(f.bytes)} MB\n`);
      }
    });
}
