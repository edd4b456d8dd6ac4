// Types of check-layers.mjs for its tests (the script itself is plain JavaScript run by node).

export declare const SCOPE: string;

/** What each workspace package (short name) may import from the workspace, in production code. */
export declare const LAYERS: Readonly<Record<string, readonly string[]>>;

/** Rule names, as printed. */
export declare const RULES: {
  readonly notInTable: string;
  readonly manifestLayer: string;
  readonly layer: string;
  readonly devDependency: string;
  readonly undeclared: string;
  readonly outside: string;
  readonly subpath: string;
};

/** One rejected import or package.json entry. */
export interface Violation {
  /** Path relative to the root, `/`-separated. */
  readonly file: string;
  /** 1-based; 0 for a package.json entry. */
  readonly line: number;
  /** The import specifier or dependency name. */
  readonly specifier: string;
  /** One of {@link RULES}. */
  readonly rule: string;
  /** Why it is rejected. */
  readonly message: string;
}

export declare function splitSpecifier(specifier: string): { name: string; subpath: string };

export declare function importSpecifiers(
  fileName: string,
  text: string,
): { specifier: string; line: number }[];

export declare function checkLayers(options: {
  root: string;
  overlay?: Readonly<Record<string, string>>;
  layers?: Readonly<Record<string, readonly string[]>>;
}): Violation[];

export declare function formatViolation(v: Violation): string;
