// Derived state (caches and indexes the engine keeps to answer faster) lives
// with the model object it derives from, under a `derived` property that is
// not part of the object's value: not enumerable, so structuredClone (a copy
// derives its own), JSON and deep equality leave it out. Each owner type
// names what may be kept there (an interface the engine's modules extend by
// declaration merging, next to the code that keeps it). The world keeps there
// too what cannot be plain data: the callbacks of the programs waiting on its
// timers, taps and sockets, which a copy does not take either.

/** The derived state of `owner`, made empty on first use. */
export function derivedOf<T extends object>(owner: { derived?: T }): T {
  let derived = owner.derived;
  if (derived === undefined) {
    derived = {} as T;
    Object.defineProperty(owner, "derived", { value: derived, enumerable: false, writable: true, configurable: true });
  }
  return derived;
}
