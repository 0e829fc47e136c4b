import type { Command } from 'commander';

// Not built yet: registers nothing, so it is absent from --help.
export function register(_program: Command): void {}
