// `npm start`: installs packages when missing, builds the production bundle and serves
// it with the same security headers the tests use, printing the URL.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const sh = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
if (!existsSync(join(root, 'node_modules', '.bin', 'vite'))) sh('npm', ['ci', '--no-audit', '--no-fund']);
sh('npx', ['vite', 'build']);
const port = process.env.PORT ?? '4173';
console.log(`\nClavis is being served at http://localhost:${port}/  (Ctrl+C to stop)\n`);
sh('npx', ['vite', 'preview', '--port', port, '--strictPort']);
