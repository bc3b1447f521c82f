export const SPEC: URL;
export const OUTPUT: URL;
export function generate(): Promise<string>;
export function isCurrent(): Promise<boolean>;
