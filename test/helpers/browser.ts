/**
 * A headless Chromium for UI tests, driven by playwright-core against the Debian `chromium` package (no
 * browser download). Tests fail with a clear message when no Chromium is installed.
 */
import { existsSync } from 'node:fs'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'

/** The real binary first: the /usr/bin wrapper works but prints a harmless shell error. */
const CHROMIUM_PATHS = [
  process.env['CHROMIUM_PATH'],
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome'
]

/** Flags for a quiet, offline, container-friendly browser (root needs --no-sandbox). */
const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
]

export function findChromium(): string {
  const found = CHROMIUM_PATHS.find((p): p is string => p !== undefined && p !== '' && existsSync(p))
  if (found === undefined) {
    throw new Error(
      `no Chromium found (looked at ${CHROMIUM_PATHS.filter(Boolean).join(', ')}); ` +
        'install it with `apt-get install -y chromium` or set CHROMIUM_PATH'
    )
  }
  return found
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), args: LAUNCH_ARGS, headless: true })
}
