// Helpers shared by the browser tests: the skip rule and where artifacts go.
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BrowserUnavailable } from './browser.mjs';

// The exit code ctest reads as "skipped".
export const EXIT_SKIP = 77;

// Starts the browser; when chromium itself cannot start, says why and exits
// with EXIT_SKIP. Any other failure is a real failure.
export async function skipIfNoBrowser(launch) {
  try {
    return await launch();
  } catch (e) {
    if (e instanceof BrowserUnavailable) {
      console.log(`SKIP: the browser test needs a working chromium: ${e.message}`);
      process.exit(EXIT_SKIP);
    }
    throw e;
  }
}

// Screenshots and other artifacts: $HOMECTL_ARTIFACTS (set by the ctest script
// to a folder under the build directory), else a temporary folder.
export const ARTIFACTS = process.env.HOMECTL_ARTIFACTS || path.join(os.tmpdir(), 'homectl-artifacts');

export async function saveScreenshot(page, name, options = {}) {
  await mkdir(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, name);
  await page.screenshot({ path: file, fullPage: true, ...options });
  console.log(`screenshot: ${file}`);
  return file;
}
