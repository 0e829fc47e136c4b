// One export in its own process, so bench/export.ts can read that process's peak RSS:
//   node --import tsx bench/export-worker.ts CHECKPOINT OUT PRECISION[,PRECISION]
// Prints one JSON line: seconds, peak RSS (bytes), files and sizes.
import { exportCheckpoint } from '../adapters/export.ts';
import type { Precision } from '../export/onnx/graph.ts';

const [checkpoint, out, precisions] = process.argv.slice(2);
const r = exportCheckpoint({ checkpoint, out, precisions: precisions.split(',') as Precision[], log: (l) => process.stderr.write(`  ${l}\n`) });
process.stdout.write(
  JSON.stringify({ seconds: r.seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024, files: r.files, skipped: r.keys.skipped }) + '\n',
);
