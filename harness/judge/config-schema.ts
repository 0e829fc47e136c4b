// The `judge` settings of a run config file (harness/config.ts) and of the judge flags, validated with zod: a
// module of its own so that `score` without a judge does not load zod.
import { z } from 'zod';

export const judgeConfigSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  /** Default: MM-Vet's official grader, gpt-4-0613. */
  model: z.string().min(1).optional(),
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')
    .optional(),
  /** MM-Vet judge runs (the paper: 5); the result is their mean, with per-run totals and std. */
  runs: z.number().int().positive().max(20).optional(),
  timeoutMs: z.number().int().positive().optional(),
  retries: z.number().int().min(0).max(10).optional(),
  concurrency: z.number().int().positive().max(256).optional(),
  /** USD per million tokens, for the cost estimate. */
  prices: z.strictObject({ inputPerMTok: z.number().min(0), outputPerMTok: z.number().min(0) }).optional(),
  /** Also read the MMBench answers no rule reads with VLMEvalKit's LLM choice extractor (off by default). */
  mmbench: z.boolean().optional(),
});
export type JudgeConfig = z.infer<typeof judgeConfigSchema>;
