// The 65 COCO question types of VQAv2 (GT-Vision-Lab/VQA QuestionTypes/mscoco_question_types.txt), as data:
// vqaEval.py reports accuracy per annotation 'question_type', which takes these values.
export const MSCOCO_QUESTION_TYPES: readonly string[] = [
  'how many',
  'is the',
  'what',
  'what color is the',
  'what is the',
  'is this',
  'is this a',
  'what is',
  'are the',
  'what kind of',
  'is there a',
  'what type of',
  'is it',
  'what are the',
  'where is the',
  'is there',
  'does the',
  'what color are the',
  'are these',
  'are there',
  'which',
  'is',
  'what is the man',
  'is the man',
  'are',
  'how',
  'does this',
  'what is on the',
  'what does the',
  'how many people are',
  'what is in the',
  'what is this',
  'do',
  'what are',
  'are they',
  'what time',
  'what sport is',
  'are there any',
  'is he',
  'what color is',
  'why',
  'where are the',
  'what color',
  'who is',
  'what animal is',
  'is the woman',
  'is this an',
  'do you',
  'how many people are in',
  'what room is',
  'has',
  'is this person',
  'what is the woman',
  'can you',
  'why is the',
  'is the person',
  'what is the color of the',
  'what is the person',
  'could',
  'was',
  'is that a',
  'what number is',
  'what is the name',
  'what brand',
  'none of the above',
];

const BY_LENGTH = MSCOCO_QUESTION_TYPES.filter((t) => t !== 'none of the above').sort((a, b) => b.length - a.length);

/**
 * Question type for a question whose annotation lacks `question_type` (fixtures, hand-made files): the
 * longest type that is a whole-word prefix of the lower-cased question, else "none of the above".
 */
export function questionTypeOf(question: string): string {
  const q = question.toLowerCase();
  for (const t of BY_LENGTH) if (q === t || q.startsWith(t + ' ') || q.startsWith(t + '?')) return t;
  return 'none of the above';
}
