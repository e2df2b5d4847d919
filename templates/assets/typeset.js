// Typeset the formulas examgen marked in a page: <span class="math inline"> and
// <div class="math block"> hold TeX. A formula KaTeX cannot read is shown in red with the
// error rather than stopping the page; tests look for such errors.
"use strict";
for (const element of document.querySelectorAll(".math")) {
  katex.render(element.textContent, element, {
    displayMode: element.classList.contains("block"),
    throwOnError: false,
  });
}
document.documentElement.dataset.typeset = "done";
