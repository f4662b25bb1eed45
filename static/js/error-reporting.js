// Forge's own pages report their JavaScript errors to Forge's errors dashboard with the
// Sentry browser SDK (bundled from npm by `make node`, served by Forge: no CDN). The DSN
// comes from a JSON element the page renders (no inline script, as the CSP requires).
import { init } from "@sentry/browser";

const config = document.getElementById("forge-error-reporting");
if (config) {
  const { dsn, environment } = JSON.parse(config.textContent);
  init({
    dsn,
    environment,
    sendDefaultPii: false,
    // Errors only: no performance tracing, no session replay.
    tracesSampleRate: 0,
  });
}
