// Application form: when a save made as the applicant types fails (signed out, the form
// closed meanwhile, too large, the connection lost), the status line says so instead of
// keeping the time of the last save that worked. What was typed stays on the page.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-autosave-failed]").forEach(function (form) {
    var status = document.getElementById("autosave-status");
    if (!status) return;
    var failed = function () {
      status.textContent = form.dataset.autosaveFailed;
    };
    form.addEventListener("htmx:responseError", failed);
    form.addEventListener("htmx:sendError", failed);
  });
});
