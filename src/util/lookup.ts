import { InternalError } from "../errors.js";

// The `must…` lookups are of values the code itself put there: a map's key it added, a list's
// index it counted, a regular expression's group outside any optional part. Their absence is a
// bug, not bad content, so each throws an `InternalError` where `!` would assert it silently.

/** The value of a key the map was given; `what` names the map in the error. */
export function mustGet<K, V>(map: ReadonlyMap<K, V>, key: K, what: string): V {
  const value = map.get(key);
  if (value === undefined) throw new InternalError(`${what} has no entry for ${String(key)}`);
  return value;
}

/** The item at an index the caller knows is in range; `what` names the list in the error. */
export function mustAt<T>(list: readonly T[], index: number, what: string): T {
  const item = list[index];
  if (item === undefined) throw new InternalError(`${what} has no item ${index} (length ${list.length})`);
  return item;
}

/** Group `index` of a match, one its pattern always fills (not inside an optional part or an alternative). */
export function mustGroup(match: RegExpMatchArray, index: number): string {
  const group = match[index];
  if (group === undefined) throw new InternalError(`group ${index} missing from the match \`${match[0]}\``);
  return group;
}

/** The value of `key`, added as `make()` when the map has none yet. */
export function getOrAdd<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  const value = map.get(key);
  if (value !== undefined) return value;
  const made = make();
  map.set(key, made);
  return made;
}
