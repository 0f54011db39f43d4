/** One conformance case: suite, id, category, the expected verdict and its inputs. */
export interface ConformanceCase {
  suite: 'pkits' | 'limbo';
  id: string;
  category: string;
  expected: boolean;
  pedantic: boolean;
  job: unknown;
}
export declare function loadCases(data: string, opts?: { suite?: string; only?: string }): ConformanceCase[];
export declare function pemToDer(pem: string, label?: string): Uint8Array[];
export declare function toOptions(job: unknown): import('../src/engine/pki/validate/index').ValidateOptions;
