// Answers already joined to a list of samples, held by the samples' positions while they are read: an answer
// file in the samples' order (LLaVA's and EVE's scripts write them so) is then joined and scored without an
// Answer object and a map entry per question (VQAv2 val: 214k). To everything else it is the contract's
// Map<string, Answer>, which it fills from the positions, once, the first time it is used as a map.
import type { Answer, Sample } from './benchmark.ts';

export class JoinedAnswers extends Map<string, Answer> {
  /** Sample i's answer text, until the map is filled; an answer held here has no error. */
  private texts: (string | undefined)[] | undefined;
  private held = 0;

  constructor(
    readonly samples: readonly Sample[],
    /** The Answer a held text becomes in the map. */
    private readonly answerOf: (id: string, text: string) => Answer,
  ) {
    super();
    this.texts = new Array<string | undefined>(samples.length);
  }

  /** Answer sample i with `text`; true when it already had an answer (which this one replaces). */
  hold(i: number, text: string): boolean {
    const texts = this.texts;
    if (texts === undefined) {
      const id = this.samples[i].id;
      const had = super.has(id);
      super.set(id, this.answerOf(id, text));
      return had;
    }
    const had = texts[i] !== undefined;
    if (!had) this.held++;
    texts[i] = text;
    return had;
  }

  /** Each of `samples`' answer text (undefined: none), where they are held by position: scoring reads them so. */
  textsFor(samples: readonly Sample[]): readonly (string | undefined)[] | undefined {
    return samples === this.samples ? this.texts : undefined;
  }

  /** The map, filled from the positions the first time it is needed (in sample order, so a shared id keeps the last). */
  private filled(): void {
    const texts = this.texts;
    if (texts !== undefined) {
      this.texts = undefined;
      for (let i = 0; i < texts.length; i++) {
        const text = texts[i];
        if (text !== undefined) {
          const id = this.samples[i].id;
          super.set(id, this.answerOf(id, text));
        }
      }
    }
  }

  override get size(): number {
    return this.texts === undefined ? super.size : this.held;
  }
  override get(id: string): Answer | undefined {
    this.filled();
    return super.get(id);
  }
  override has(id: string): boolean {
    this.filled();
    return super.has(id);
  }
  override set(id: string, answer: Answer): this {
    this.filled();
    return super.set(id, answer);
  }
  override delete(id: string): boolean {
    this.filled();
    return super.delete(id);
  }
  override clear(): void {
    this.texts = undefined;
    super.clear();
  }
  override forEach(fn: (answer: Answer, id: string, map: Map<string, Answer>) => void, thisArg?: unknown): void {
    this.filled();
    super.forEach(fn, thisArg);
  }
  override keys(): MapIterator<string> {
    this.filled();
    return super.keys();
  }
  override values(): MapIterator<Answer> {
    this.filled();
    return super.values();
  }
  override entries(): MapIterator<[string, Answer]> {
    this.filled();
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[string, Answer]> {
    return this.entries();
  }
}
