// VizWiz val's on-disk layout, written once for the fixture and the synthetic writer (synthetic.ts): the
// official val.json records and the image names (the scorer keys questions by image: one question per image).
import path from 'node:path';
import { writeText } from '../shared/fixture-files.ts';

export const DIR = 'vizwiz';

/** The val image name for a number, as VizWiz names them (VizWiz_val_00000123.jpg). */
export function valImageName(n: number | string): string {
  return `VizWiz_val_${String(n).padStart(8, '0')}.jpg`;
}

/** One entry of the official val.json, fields in the official order. */
export function valRecord(r: { image: string; question: string; answers: readonly string[]; answerType: string; answerable: number }) {
  return {
    image: r.image,
    question: r.question,
    answers: r.answers.map((answer) => ({ answer_confidence: 'yes', answer })),
    answer_type: r.answerType,
    answerable: r.answerable,
  };
}

/** val.json under `d` (DIR/vizwiz). */
export async function writeValFile(d: string, rows: readonly ReturnType<typeof valRecord>[]): Promise<void> {
  await writeText(path.join(d, 'val.json'), JSON.stringify(rows));
}
