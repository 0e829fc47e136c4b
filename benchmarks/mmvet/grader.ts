// MM-Vet's official grader, as yuweihao/MM-Vet's mm-vet_evaluator.py (@c7ff270) asks GPT-4: the few-shot
// grading prompt (the protocol itself, so its text is kept byte for byte: any change moves the scores), the
// request settings, the reading of a reply, and the retry rule. Pure: harness/judge/mmvet.ts sends it.
import { pyFloat, pyStrip } from '../shared/python.ts';

/** The official defaults, recorded in every result a judge graded. */
export const MMVET_GRADER = {
  source: 'yuweihao/MM-Vet@c7ff270 mm-vet_evaluator.py',
  model: 'gpt-4-0613',
  temperature: 0,
  maxTokens: 3,
  /** Replies read per grade before it is a judge failure. */
  tries: 5,
  /** Added to the temperature after each retry (0, 0, 0.5, 1.0, 1.5). */
  temperatureStep: 0.5,
} as const;

const FEW_SHOT = `Compare the ground truth and prediction from AI models, to give a correctness score for the prediction. <AND> in the ground truth means it is totally right only when all elements in the ground truth are present in the prediction, and <OR> means it is totally right when any one element in the ground truth is present in the prediction. The correctness score is 0.0 (totally wrong), 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, or 1.0 (totally right). Just complete the last space of the correctness score.

Question | Ground truth | Prediction | Correctness
--- | --- | --- | ---
What is x in the equation? | -1 <AND> -5 | x = 3 | 0.0
What is x in the equation? | -1 <AND> -5 | x = -1 | 0.5
What is x in the equation? | -1 <AND> -5 | x = -5 | 0.5
What is x in the equation? | -1 <AND> -5 | x = -5 or 5 | 0.5
What is x in the equation? | -1 <AND> -5 | x = -1 or x = -5 | 1.0
Can you explain this meme? | This meme is poking fun at the fact that the names of the countries Iceland and Greenland are misleading. Despite its name, Iceland is known for its beautiful green landscapes, while Greenland is mostly covered in ice and snow. The meme is saying that the person has trust issues because the names of these countries do not accurately represent their landscapes. | The meme talks about Iceland and Greenland. It's pointing out that despite their names, Iceland is not very icy and Greenland isn't very green. | 0.4
Can you explain this meme? | This meme is poking fun at the fact that the names of the countries Iceland and Greenland are misleading. Despite its name, Iceland is known for its beautiful green landscapes, while Greenland is mostly covered in ice and snow. The meme is saying that the person has trust issues because the names of these countries do not accurately represent their landscapes. | The meme is using humor to point out the misleading nature of Iceland's and Greenland's names. Iceland, despite its name, has lush green landscapes while Greenland is mostly covered in ice and snow. The text 'This is why I have trust issues' is a playful way to suggest that these contradictions can lead to distrust or confusion. The humor in this meme is derived from the unexpected contrast between the names of the countries and their actual physical characteristics. | 1.0
`;

/** Appended from the second try on: the evaluator's nudge towards a bare number. */
const RETRY_SUFFIX = '\nPredict the correctness of the answer (digit): ';

/** The user message for one grade; `retry` from the second try on. */
export function mmvetGradingPrompt(question: string, groundTruth: string, prediction: string, retry: boolean): string {
  const gt = groundTruth.replaceAll('<AND>', ' <AND> ').replaceAll('<OR>', ' <OR> ');
  return `${FEW_SHOT}\n${[question, gt, prediction, ''].join(' | ')}${retry ? RETRY_SUFFIX : ''}`;
}

/** Temperature of try `t` (0-based): the first two at 0, then +0.5 each, as the evaluator's loop runs. */
export function mmvetTryTemperature(t: number): number {
  return MMVET_GRADER.temperature + Math.max(0, t - 1) * MMVET_GRADER.temperatureStep;
}

/**
 * The evaluator's reading of a reply: `float(content.split(" ")[0].strip())`, in [0, 1]. Returns the score
 * and the text the grade file records (the evaluator keeps the stripped first word), or null: retry.
 * One divergence: Python's float accepts "nan", which passes the evaluator's range test and turns every
 * total NaN; eve-eval retries it as unreadable instead.
 */
export function parseMmvetGrade(content: string): { score: number; content: string } | null {
  const word = content.split(' ')[0];
  const score = pyFloat(word);
  if (score === null || Number.isNaN(score) || score > 1 || score < 0) return null;
  return { score, content: pyStrip(word) };
}
