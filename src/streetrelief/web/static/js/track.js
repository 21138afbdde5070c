// The public status of a report, by its tracking code.
import { ApiError, api, t } from "./common.js";

const code = new URLSearchParams(location.search).get("code");
if (code) {
  api(`/reports/track/${encodeURIComponent(code)}`)
    .then((receipt) => {
      const status = document.getElementById("track-status");
      status.textContent = t(`public.${receipt.status}`);
      status.dataset.status = receipt.status;
    })
    .catch((failure) => {
      document.getElementById("track-error").textContent = failure instanceof ApiError ? failure.message : String(failure);
    });
}
