// One case as test/export/reference/bundle_oracle.py reads it: eve-eval's own prompt ids around the image, and for
// Fuyu the patch grid with its image and newline tokens, so PyTorch and the bundle see the same sequence.
import type { LoadedModel, PreparedItem } from '../../harness/runtime/model.ts';

export interface OracleCase {
  image: string | null;
  before: number[];
  after: number[];
  grid?: [number, number];
  image_token?: number;
  newline_token?: number;
}

export function oracleCase(model: LoadedModel, prepared: PreparedItem, image: string | null): OracleCase {
  const c: OracleCase = { image, before: prepared.prompt.before, after: prepared.prompt.after };
  if (prepared.pixels?.rowEnd) {
    const cols = prepared.pixels.rowEnd.every;
    c.grid = [prepared.pixels.dims[1] / cols, cols];
    c.image_token = model.config.image_token_id as number;
    c.newline_token = prepared.pixels.rowEnd.tokenId;
  }
  return c;
}
