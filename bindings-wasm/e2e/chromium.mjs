// Launching the system's Chromium (Debian's `chromium`, path in $CHROMIUM) through
// playwright-core: headless, as root, with a fresh profile and nothing reaching the network.
import { chromium } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The browser; playwright gives it a new empty user data directory. */
export function launch() {
  const executablePath = process.env.CHROMIUM;
  if (!executablePath) throw new Error("CHROMIUM is not set: run through `cargo xtask test wasm-e2e`");
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}
