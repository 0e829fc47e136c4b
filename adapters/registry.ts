// Model families by name. The runtime asks for the family named in a bundle's config.json.
import type { Family, ModelFamily } from '../core/model-family.ts';
import { UserError } from '../core/errors.ts';
import eve from './eve/index.ts';
import fuyu from './fuyu/index.ts';
import llava from './llava/index.ts';

const FAMILIES: Record<Family, ModelFamily> = { eve, fuyu, llava };

export const FAMILY_NAMES = Object.keys(FAMILIES) as Family[];

export function getFamily(family: Family | string): ModelFamily {
  const f = (FAMILIES as Record<string, ModelFamily>)[family];
  if (!f) throw new UserError(`unknown model family "${family}" (known: ${FAMILY_NAMES.join(', ')})`);
  return f;
}
