import { describe, expect, it } from 'vitest';
import { FAMILY_NAMES, getFamily } from '../../adapters/registry.ts';
import { UserError } from '../../core/errors.ts';

describe('getFamily', () => {
  it('returns each family under its own name', () => {
    expect(FAMILY_NAMES).toEqual(['eve', 'fuyu', 'llava']);
    for (const name of FAMILY_NAMES) expect(getFamily(name).family).toBe(name);
  });
  it('refuses an unknown family with a UserError listing the known ones', () => {
    expect(() => getFamily('qwen2')).toThrow(UserError);
    expect(() => getFamily('qwen2')).toThrow(/unknown model family "qwen2" \(known: eve, fuyu, llava\)/);
  });
});
