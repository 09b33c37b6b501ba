// The guided form's legal findings, refreshed while the person types (progressive enhancement).
//
// Every question page already shows the findings for the answers it was sent with; this script asks
// POST /drafts/findings for the answers on the page as they change and puts the server's rendering
// of the findings in place (the same template, so the page reads the same with or without it).
// The form names the address in data-findings-url; no inline script (the CSP forbids it).
"use strict";

(() => {
  const form = document.querySelector("form[data-drafting]");
  const panel = document.querySelector("[data-findings-panel]");
  if (!form || !panel) return;
  let timer = null;
  let asked = 0;

  async function refresh() {
    const question = ++asked;
    const answer = await fetch(form.dataset.findingsUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!answer.ok || question !== asked) return; // a newer question is on its way
    panel.innerHTML = (await answer.json()).html; // the server's own escaped rendering
  }

  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  };
  form.addEventListener("input", soon);
  form.addEventListener("change", soon);

  // The page shows and is answerable before this script has run: an answer given in that moment
  // fired no event here, so if any field already differs from the page as sent, ask at once.
  const changed = (field) => {
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") return [...field.options].some((o) => o.selected !== o.defaultSelected);
    return "defaultValue" in field && field.value !== field.defaultValue;
  };
  if ([...form.elements].some(changed)) refresh();
})();
