// Webinar times in admin are typed and shown in each webinar's own zone, not the server's, so
// Django's "You are N hours behind server time" note would mislead. Django reads the server's
// offset from <body> when the page has loaded; removing it first leaves the note out.
document.addEventListener("DOMContentLoaded", function () {
  delete document.body.dataset.adminUtcOffset;
});
