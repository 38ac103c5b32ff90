// The course website's own script (Jupyter Book loads every .js file in _static/).
// The lesson list says which lesson is open: the theme marks its link with the class
// "current" only, which a screen reader does not announce; aria-current="page" it does.
document.addEventListener("DOMContentLoaded", () => {
  for (const link of document.querySelectorAll(".bd-sidenav a.current.reference")) {
    const here = new URL(link.href, location.href);
    if (here.pathname === location.pathname) link.setAttribute("aria-current", "page");
  }
});
