import { resolve, sep } from 'node:path';
import type { RetrievedFile } from '@quarry/protocol';

export interface PlannedDownload {
  file: RetrievedFile;
  target: string;
}

export interface PlanOptions {
  /** `--out`: a file path when at most one file can result, otherwise a directory. */
  out: string | undefined;
  /**
   * Whether the request could only ever produce one file (one endpoint, one path). Decided from
   * the request, not the outcome, so `--out x` does not flip between file and directory
   * depending on which endpoints happened to fail.
   */
  single: boolean;
  cwd: string;
  zip: boolean;
  /** Whether `out` names an existing directory. */
  outIsDirectory: boolean;
}

/** Characters no common filesystem accepts in a name, plus separators. */
const UNSAFE = /[/\\:*?"<>|\u0000-\u001f]/g;

/**
 * Where each file goes. Default names are `<hostname>_<basename>` (`.zip` added for zips); a
 * name already taken in this batch gets the file id inserted so nothing is overwritten.
 */
export function planDownloads(files: readonly RetrievedFile[], o: PlanOptions): { directory: string | null; downloads: PlannedDownload[] } {
  const first = files[0];
  if (o.single && files.length === 1 && first && o.out && !o.outIsDirectory && !/[/\\]$/.test(o.out)) {
    return { directory: null, downloads: [{ file: first, target: resolve(o.cwd, o.out) }] };
  }
  const directory = resolve(o.cwd, o.out ?? '.');
  const used = new Set<string>();
  const downloads = files.map((file) => {
    const ext = o.zip ? '.zip' : '';
    let name = safeName(`${file.hostname}_${file.name}`) + ext;
    if (used.has(name)) name = safeName(`${file.hostname}_${file.id}_${file.name}`) + ext;
    used.add(name);
    return { file, target: directory + sep + name };
  });
  return { directory, downloads };
}

export function safeName(name: string): string {
  const cleaned = name.replace(UNSAFE, '_');
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? '_' : cleaned;
}
