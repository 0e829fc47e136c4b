// Texts for comparing two tokenizers: hand-picked edge cases, lines and whole files of real prose and
// code, seeded random mixes of scripts, whitespace and byte-fallback characters, and runs of
// vocabulary pieces (which exercise the merge ranks far more than prose does).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../../core/prng.ts';

export const VICUNA_PROMPT =
  "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. USER: <image>\nWhat is this? ASSISTANT:";

export const EDGE_CASES: readonly string[] = [
  VICUNA_PROMPT,
  `${VICUNA_PROMPT} It is a cat.</s>USER: And this? ASSISTANT:`,
  'Hello world.',
  '',
  ' ',
  '  ',
  '   leading spaces',
  'trailing spaces   ',
  'multiple     inner      spaces',
  '\n',
  '\n\n\n',
  'line one\nline two\r\nline three\rend',
  '\ttab\tseparated\tvalues\t',
  ' \t \n mixed whitespace \n\t ',
  '\u00a0non-breaking\u00a0space\u2009thin\u3000ideographic',
  '1234567890',
  '3.14159 2,718 1e-10 -42 +7 0x1F 1/2 50% $9.99 €5 ¥100',
  'Answer the question using a single word or phrase.',
  "Answer with the option's letter from the given choices directly.",
  'A. cat\nB. dog\nC. bird\nD. fish',
  'café naïve résumé coöperate Ångström façade jalapeño Zürich',
  'e\u0301 n\u0303 a\u0308 (combining marks)',
  'ﬁ ﬂ ﬀ ligatures and ２３ fullwidth ＡＢＣ',
  '日本語のテキストです。中文文本。한국어 텍스트.',
  '𠀀𪚥 (astral CJK) 🧑‍🤝‍🧑 👨‍👩‍👧‍👦 🇫🇷🇯🇵 👍🏽 😀😃😄',
  'emoji in a sentence 😀 with text after',
  'Привет, мир! Γειά σου κόσμε! مرحبا بالعالم שלום עולם नमस्ते दुनिया สวัสดีชาวโลก',
  '!!! ??? ... --- ___ *** ### @@@ $$$ %%% ^^^ &&& ((( ))) [[[ ]]] {{{ }}}',
  '“smart quotes” ‘single’ — em dash – en dash … ellipsis • bullet',
  '<s> literal bos in text',
  'text </s> literal eos',
  '<unk> literal unk',
  '<0x0A> looks like a byte piece',
  '▁ literal metaspace ▁▁ twice',
  '\ufeffBOM at start',
  'control \u0000 \u0001 \u0004 \u001b \u007f chars',
  'x'.repeat(300),
  'ab'.repeat(150),
  '  '.repeat(40) + 'deep indent',
  'const x = { a: 1, b: [2, 3] }; // comment\nfunction f(y) { return y ** 2; }',
  'def f(x):\n    return x * 2\n\nprint(f(21))',
  'https://example.com/path?query=1&other=two#frag user@example.org',
  'CamelCaseIdentifier snake_case_identifier kebab-case-identifier SCREAMING_CASE',
];

const ATOMS = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...'.,;:!?\'"()[]{}<>/\\|@#$%^&*-_=+~`',
  ' ',
  ' ',
  ' ',
  '  ',
  '\n',
  '\t',
  '\r\n',
  '\u00a0',
  ...'éèêëàâäôöûüçñßÅØæœ',
  'e\u0301',
  ...'日本語中文字漢한국어ひらがなカタカナ',
  ...'Привет',
  ...'αβγδ',
  ...'مرحبا',
  '😀',
  '👍🏽',
  '🇫🇷',
  '👨‍👩‍👧',
  '𠀀',
  '🧠',
  '▁',
  '<s>',
  '</s>',
  '<unk>',
  '<0x41>',
  '\ufeff',
  '\u0000',
  '\u0004',
];

const WORDS = [
  'the',
  'image',
  'question',
  'answer',
  'What',
  'is',
  'this',
  'color',
  'How',
  'many',
  'people',
  'are',
  'there',
  'yes',
  'no',
  'left',
  'right',
  'USER',
  'ASSISTANT',
  'photo',
  'shows',
  'a',
  'dog',
  'cat',
];

function randomTexts(count: number, seed: number): string[] {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(rand() * 30);
    let s = '';
    for (let k = 0; k < n; k++) s += rand() < 0.3 ? (rand() < 0.5 ? ' ' : '') + pick(WORDS) : pick(ATOMS);
    out.push(s);
  }
  return out;
}

/** Runs of random vocabulary pieces, "▁" written as a space, as text. */
function pieceTexts(vocab: readonly string[], count: number, seed: number): string[] {
  const rand = seededRandom(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(rand() * 8);
    let s = '';
    for (let k = 0; k < n; k++) {
      const p = vocab[Math.floor(rand() * vocab.length)];
      // Byte and control pieces are markup, not text: they would only repeat the "<0x41>" case.
      if (/^<.*>$/.test(p)) continue;
      s += p.replaceAll('▁', ' ');
    }
    out.push(s);
  }
  return out;
}

function fileTexts(files: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (!existsSync(f)) throw new Error(`tokenizer corpus: ${f} is gone; name a file that exists`);
    const text = readFileSync(f, 'utf8');
    out.push(text); // whole, with its newlines and indentation
    for (const line of text.split('\n')) if (line.length > 0) out.push(line);
  }
  return out;
}

/** The corpus: a few thousand texts; `vocab` (pieces in id order) seeds the piece runs. */
export function buildCorpus(repoRoot: string, vocab: readonly string[]): string[] {
  // The project's own prose and code: every checkout has them (docs/ comes with the repository).
  const docs = join(repoRoot, 'docs');
  const files = [
    join(repoRoot, 'README.md'),
    join(repoRoot, 'harness', 'tokenizer.ts'),
    join(repoRoot, 'core', 'errors.ts'),
    join(repoRoot, 'export', 'tokenizer', 'sentencepiece.ts'),
    ...(existsSync(docs)
      ? readdirSync(docs)
          .filter((f) => f.endsWith('.md'))
          .sort()
          .map((f) => join(docs, f))
      : []),
  ];
  return [...EDGE_CASES, ...fileTexts(files), ...randomTexts(1500, 1234), ...pieceTexts(vocab, 1500, 5678)];
}
