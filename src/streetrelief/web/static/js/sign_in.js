// Sign in: a page session (HttpOnly cookie) and the CSRF token that every change carries.
import { ApiError, api, config, rememberCsrf, t } from "./common.js";

const form = document.getElementById("sign-in");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("sign-in-error");
  error.textContent = "";
  try {
    const answer = await api("/auth/session", {
      method: "POST",
      body: { username: form.elements.username.value.trim(), password: form.elements.password.value },
    });
    rememberCsrf(answer.csrf_token);
    location.assign(config.next);
  } catch (failure) {
    error.textContent = failure instanceof ApiError && failure.status === 401 ? t("signin.failed") : failure.message;
  }
});
