// Submit a form as soon as one of its `data-autosubmit` controls changes (no inline handlers:
// the Content-Security-Policy allows scripts only from Forge's own files).
document.addEventListener("change", function (event) {
  const control = event.target;
  if (control instanceof HTMLElement && control.matches("[data-autosubmit]") && control.form) {
    control.form.submit();
  }
});
