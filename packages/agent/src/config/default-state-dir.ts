import path from 'node:path';

/**
 * Default state directory per OS: where a system service keeps its data. `programData` is the
 * value of %ProgramData% (passed in because only config/load.ts reads the environment).
 */
export function defaultStateDir(platform: NodeJS.Platform, programData?: string): string {
  if (platform === 'win32') return path.win32.join(programData || 'C:\\ProgramData', 'Quarry');
  if (platform === 'darwin') return '/Library/Application Support/Quarry';
  return '/var/lib/quarry-agent';
}
