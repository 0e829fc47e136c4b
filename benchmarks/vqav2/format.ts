// VQAv2's on-disk layout, written once for the readers (index.ts), the fixture and the synthetic writer
// (synthetic.ts): file names, COCO image names and the val question/annotation records as the official files hold them.
import path from 'node:path';
import { writeText } from '../shared/fixture-files.ts';

export const DIR = 'vqav2';
export const FILES = {
  valQuestions: 'v2_OpenEnded_mscoco_val2014_questions.json',
  valAnnotations: 'v2_mscoco_val2014_annotations.json',
  testDev: 'llava_vqav2_mscoco_test-dev2015.jsonl',
  testDevOfficial: 'v2_OpenEnded_mscoco_test-dev2015_questions.json',
  test2015: 'llava_vqav2_mscoco_test2015.jsonl',
  test2015Official: 'v2_OpenEnded_mscoco_test2015_questions.json',
};

/** COCO's val2014 image name for an image id. */
export function valImageName(imageId: unknown): string {
  return `COCO_val2014_${String(imageId).padStart(12, '0')}.jpg`;
}

export interface ValQuestion {
  image_id: number;
  question: string;
  question_id: number;
}

/** One annotation of v2_mscoco_val2014_annotations.json, fields in the official order. */
export function valAnnotation(a: {
  questionId: number;
  imageId: number;
  questionType: string;
  answerType: string;
  multipleChoiceAnswer: string;
  answers: readonly string[];
}) {
  return {
    question_type: a.questionType,
    multiple_choice_answer: a.multipleChoiceAnswer,
    answers: a.answers.map((answer, j) => ({ answer, answer_confidence: 'yes', answer_id: j + 1 })),
    image_id: a.imageId,
    answer_type: a.answerType,
    question_id: a.questionId,
  };
}

/** The val question and annotation files under `d` (DIR/vqav2), wrapped as the official files wrap them. */
export async function writeValFiles(d: string, questions: readonly ValQuestion[], annotations: readonly ReturnType<typeof valAnnotation>[]): Promise<void> {
  await writeText(
    path.join(d, FILES.valQuestions),
    JSON.stringify({ info: {}, task_type: 'Open-Ended', data_type: 'mscoco', license: {}, data_subtype: 'val2014', questions }),
  );
  await writeText(path.join(d, FILES.valAnnotations), JSON.stringify({ info: {}, license: {}, data_subtype: 'val2014', annotations, data_type: 'mscoco' }));
}
