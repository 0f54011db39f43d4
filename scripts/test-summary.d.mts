/** A step of `npm test`: its name, whether it exited 0, and which report it wrote. */
export interface Step {
  name: string;
  ok: boolean;
  report?: 'vitest' | 'playwright';
}

/** The closing summary: counts, what went wrong, the exit code and the closing line. */
export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  problems: string[];
  exitCode: 0 | 1;
  line: string;
}

export declare function countVitest(report: object): { passed: number; failed: number; skipped: number; loadFailures: string[] };
export declare function countPlaywright(report: object): { passed: number; failed: number; skipped: number; errors: number };
export declare function summarise(run: { steps: Step[]; vitest?: object | null; playwright?: object | null; ci?: boolean }): Summary;
