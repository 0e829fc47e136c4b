// How VLMEvalKit's TSVs write an answer list: Python's repr() of a list of str (for the fixtures' strings:
// plain text, quotes and backslashes; repr picks double quotes for a string with ' and no ").
export const pyRepr = (s: string) => (s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`);
export const pyListRepr = (items: string[]) => `[${items.map(pyRepr).join(', ')}]`;
