/**
 * A schema (or any object) that is built on first use. The value returned stands for what
 * `build` returns: every property read, method call, `in` check and prototype lookup goes to the
 * built object, which is made once, on the first of them. A module can then export its schemas
 * as constants without paying for their construction when it is loaded: a command that never
 * parses a document of that kind never builds its schema.
 *
 * Identity is the stand-in's, not the built object's: use it through its properties and methods,
 * as schemas are used (a spy or a mock set on the stand-in is set on the built object).
 * @param build - makes the object; called at most once (again only if it threw)
 * @returns a stand-in for the object `build` returns
 * @example
 * ```ts
 * const TokenSchema = lazySchema(() => z.object({ token: z.string() }));
 * TokenSchema.parse(body); // built here, on the first parse
 * ```
 * @public
 */
export function lazySchema<T extends object>(build: () => T): T {
  let built: T | undefined;
  const target = (): T => (built ??= build());
  // The stub the proxy wraps stays empty and extensible; every trap answers for the built object.
  // Descriptors are reported configurable, as a proxy must for properties its stub lacks.
  return new Proxy(Object.create(null) as T, {
    get: (_stub, key) => Reflect.get(target(), key, target()) as unknown,
    set: (_stub, key, value) => Reflect.set(target(), key, value),
    has: (_stub, key) => Reflect.has(target(), key),
    deleteProperty: (_stub, key) => Reflect.deleteProperty(target(), key),
    defineProperty: (_stub, key, descriptor) =>
      Reflect.defineProperty(target(), key, { ...descriptor, configurable: true }),
    getOwnPropertyDescriptor: (_stub, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
      return descriptor === undefined ? undefined : { ...descriptor, configurable: true };
    },
    ownKeys: () => Reflect.ownKeys(target()),
    getPrototypeOf: () => Reflect.getPrototypeOf(target()),
  });
}
