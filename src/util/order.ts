/**
 * Plain code-unit order of strings, the order a sweep cursor relies on: stable across locales and
 * Node versions, unlike `localeCompare`.
 */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export { byCodeUnits };
